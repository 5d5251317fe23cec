#!/usr/bin/env bash
# cairn serve beside dockerd (20.10), both driven by the same docker CLI in the same run.
# Usage: bench/serve.sh PEERS_DIR [RUNS]
#   PEERS_DIR: the peer-baseline scripts (registry.sh, make-images.sh, lib.sh); their registry
#   serves big (4 x 64 MiB gzip layers), small-files and chain on 127.0.0.1:5000.
#   RUNS (default 5): rounds of the pull comparison.
# Two measures, as the serve issue states its targets:
#   1. `docker images` against cairn serve and against a dockerd of its own, both holding big,
#      small-files and chain (pulled once): 20 runs each, alternating, median and ratio.
#   2. `docker pull -q big` through cairn serve (a fresh store and server each round; the server is
#      started, and answering, before the clock starts) beside `cairn pull -q big` into a fresh
#      store (JVM start included), and docker pull into a fresh dockerd data root for reference.
# Times are wall clock around the docker or cairn command. Env: OUT_DIR (a tmpfs, default /dev/shm).
set -euo pipefail
umask 022
export LC_ALL=C
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
peers=$(cd "${1:?usage: bench/serve.sh PEERS_DIR [RUNS]}" && pwd)
runs=${2:-5}
base=${OUT_DIR:-/dev/shm}
# shellcheck source=/dev/null
source "$peers/lib.sh"

"$peers/registry.sh" start >/dev/null
if ! curl -fs -o /dev/null -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
  "http://$REG/v2/big/manifests/latest"; then
  "$peers/make-images.sh" >/dev/null
fi
images=(big small-files chain)

work=$(mktemp -d "$base/cairn-serve-bench.XXXXXX")
dockerd_pid=
serve_pid=
stop_dockerd() {
  if [[ -n $dockerd_pid ]]; then
    kill "$dockerd_pid" 2>/dev/null || true
    wait "$dockerd_pid" 2>/dev/null || true
    dockerd_pid=
  fi
  umount -R "$work/dockerd/data" 2>/dev/null || true
}
stop_serve() {
  if [[ -n $serve_pid ]]; then
    kill "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
    serve_pid=
  fi
}
trap 'stop_serve; stop_dockerd; rm -rf "$work"' EXIT

# wait_for SOCKET: until a docker CLI gets an answer there
wait_for() {
  for _ in $(seq 600); do
    DOCKER_HOST=unix://$1 docker version >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "nothing answers on $1" >&2
  exit 1
}

# A dockerd of its own: its socket, data and config under $work, no networking set up.
start_dockerd() {
  local dk=$work/dockerd
  mkdir -p "$dk/config"
  printf '{"deprecated-key-path":"%s"}\n' "$dk/key.json" >"$dk/daemon.json"
  dockerd --host="unix://$dk/docker.sock" --config-file="$dk/daemon.json" --data-root="$dk/data" \
    --exec-root="$dk/exec" --pidfile="$dk/dockerd.pid" --iptables=false --ip6tables=false \
    --ip-masq=false --bridge=none --userland-proxy=false --storage-driver=overlay2 \
    --log-level=warn >"$dk/log" 2>&1 </dev/null &
  dockerd_pid=$!
  wait_for "$dk/docker.sock"
}

# start_serve STORE SOCKET: cairn serve on its own store
start_serve() {
  "$here/cairn" --root "$1" serve -H "unix://$2" >"$work/serve.log" 2>&1 </dev/null &
  serve_pid=$!
  wait_for "$2"
}

export DOCKER_CONFIG=$work/docker-config
mkdir -p "$DOCKER_CONFIG"
"$here/cairn" --help >/dev/null # builds the CLI and warms the launcher's cache

# time_run NAME CMD... : appends the seconds the command took to $work/NAME.times
time_run() {
  local name=$1 t0 t1
  shift
  t0=$(date +%s%N)
  "$@" >/dev/null 2>"$work/$name.err" || { cat "$work/$name.err" >&2; exit 1; }
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", (b - a) / 1e9 }' >>"$work/$name.times"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# 1. docker images
start_dockerd
store=$work/store
for i in "${images[@]}"; do
  DOCKER_HOST=unix://$work/dockerd/docker.sock docker pull -q "$REG/$i:latest" >/dev/null
  "$here/cairn" --root "$store" pull -q "$REG/$i:latest" >/dev/null
done
start_serve "$store" "$work/cairn.sock"
for _ in $(seq 20); do
  time_run images.dockerd env DOCKER_HOST="unix://$work/dockerd/docker.sock" docker images
  time_run images.cairn env DOCKER_HOST="unix://$work/cairn.sock" docker images
done
stop_serve
stop_dockerd

# 2. pulls of big
for r in $(seq "$runs"); do
  rm -rf "$work/dockerd/data"
  start_dockerd
  clean_tool_caches
  time_run pull.dockerd env DOCKER_HOST="unix://$work/dockerd/docker.sock" \
    docker pull -q "$REG/big:latest"
  stop_dockerd
  rm -rf "$work/pull-store"
  time_run pull.cairn "$here/cairn" --root "$work/pull-store" pull -q "$REG/big:latest"
  rm -rf "$work/pull-store" "$work/api-store"
  start_serve "$work/api-store" "$work/api.sock"
  time_run pull.api env DOCKER_HOST="unix://$work/api.sock" docker pull -q "$REG/big:latest"
  stop_serve
  rm -rf "$work/api-store"
done

ia=$(median <"$work/images.cairn.times")
id=$(median <"$work/images.dockerd.times")
pa=$(median <"$work/pull.api.times")
pc=$(median <"$work/pull.cairn.times")
pd=$(median <"$work/pull.dockerd.times")
printf 'docker images (big, small-files, chain), 20 runs each, medians\n'
printf '  through cairn serve      %7.4f s\n' "$ia"
printf '  against dockerd          %7.4f s\n' "$id"
awk -v a="$ia" -v d="$id" 'BEGIN { printf "  ratio cairn / dockerd    %6.2f   (target <= 1.5)\n", a / d }'
printf 'pull big (4 x 64 MiB), %d runs, medians\n' "$runs"
printf '  docker pull via cairn serve  %6.2f s\n' "$pa"
printf '  cairn pull                   %6.2f s\n' "$pc"
printf '  docker pull via dockerd      %6.2f s\n' "$pd"
awk -v a="$pa" -v c="$pc" -v d="$pd" 'BEGIN {
  printf "  ratio API / cairn pull       %6.2f   (target <= 1.1)\n", a / c
  printf "  ratio API / dockerd          %6.2f\n", a / d }'
