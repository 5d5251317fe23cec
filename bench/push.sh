#!/usr/bin/env bash
# cairn push beside docker push (dockerd 20.10) and skopeo copy from an OCI layout, same image,
# same run, each into a fresh registry.
# Usage: bench/push.sh PEERS_DIR [RUNS]
#   PEERS_DIR: the peer-baseline scripts (registry.sh, make-images.sh, lib.sh); their registry
#   serves big (4 x 64 MiB gzip layers) on 127.0.0.1:5000.
#   RUNS (default 3): rounds; each round starts a fresh target registry (storage on a tmpfs) for
#   each tool: cairn push of big (pulled once into a store, so its layers are compressed again
#   while they are sent), docker push of it from a dockerd of its own (pulled once; another
#   registry host, so dockerd compresses again too) and skopeo copy of the same image from an OCI
#   layout on disk (the original compressed blobs), and cairn push of big pulled with
#   --keep-blobs into a second store (which sends the original blobs too, as skopeo does). Medians
#   and ratios are printed.
# Times are wall clock around the command (JVM start included for cairn); RSS is /usr/bin/time's
# maximum resident set. Env: OUT_DIR (a tmpfs, default /dev/shm).
set -euo pipefail
umask 022
export LC_ALL=C
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
peers=$(cd "${1:?usage: bench/push.sh PEERS_DIR [RUNS]}" && pwd)
runs=${2:-3}
base=${OUT_DIR:-/dev/shm}
# shellcheck source=/dev/null
source "$peers/lib.sh"

"$peers/registry.sh" start >/dev/null
if ! curl -fs -o /dev/null -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
  "http://$REG/v2/big/manifests/latest"; then
  "$peers/make-images.sh" >/dev/null
fi

work=$(mktemp -d "$base/cairn-push-bench.XXXXXX")
target_pid=
dockerd_pid=
stop_dockerd() {
  if [[ -n $dockerd_pid ]]; then
    kill "$dockerd_pid" 2>/dev/null || true
    wait "$dockerd_pid" 2>/dev/null || true
    dockerd_pid=
  fi
}
stop_target() {
  if [[ -n $target_pid ]]; then
    kill "$target_pid" 2>/dev/null || true
    wait "$target_pid" 2>/dev/null || true
    target_pid=
  fi
}
trap 'stop_target; stop_dockerd; umount -R "$work/dockerd/data" 2>/dev/null || true; rm -rf "$work"' EXIT

# A dockerd of its own: its socket, data and config under $work, no networking set up.
dk=$work/dockerd
mkdir -p "$dk/config"
printf '{"deprecated-key-path":"%s"}\n' "$dk/key.json" >"$dk/daemon.json"
dockerd --host="unix://$dk/docker.sock" --config-file="$dk/daemon.json" --data-root="$dk/data" \
  --exec-root="$dk/exec" --pidfile="$dk/dockerd.pid" --iptables=false --ip6tables=false \
  --ip-masq=false --bridge=none --userland-proxy=false --storage-driver=overlay2 \
  --log-level=warn >"$dk/log" 2>&1 </dev/null &
dockerd_pid=$!
export DOCKER_HOST=unix://$dk/docker.sock DOCKER_CONFIG=$dk/config
for _ in $(seq 600); do docker version >/dev/null 2>&1 && break; sleep 0.1; done
docker pull -q "$REG/big:latest" >/dev/null

# A registry of its own for each push, so that nothing is there already.
start_target() {
  local dir=$work/target.$1
  mkdir -p "$dir/storage"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
http:
  addr: 127.0.0.1:$port
  secret: push-bench-only
YAML
  docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
  target_pid=$!
  for _ in $(seq 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/v2/" && return 0
    sleep 0.05
  done
  echo "target registry did not start" >&2
  exit 1
}

"$here/cairn" --help >/dev/null # builds the CLI and warms the launcher's cache
store=$work/store
"$here/cairn" --root "$store" pull -q "$REG/big:latest" >/dev/null
kept=$work/kept
"$here/cairn" --root "$kept" pull -q --keep-blobs "$REG/big:latest" >/dev/null
# The same blobs in an OCI layout, for skopeo to push from disk as cairn does from its kept blobs.
/usr/bin/skopeo copy -q --src-tls-verify=false "docker://$REG/big:latest" "oci:$work/layout:big"

# time_run NAME CMD... : appends "seconds rss_kib" to $work/NAME.times
time_run() {
  local name=$1
  shift
  /usr/bin/time -f '%e %M' -o "$work/$name.one" "$@" >/dev/null 2>"$work/$name.err" ||
    { cat "$work/$name.err" >&2; exit 1; }
  cat "$work/$name.one" >>"$work/$name.times"
}

for r in $(seq "$runs"); do
  start_target "cairn.$r"
  "$here/cairn" --root "$store" tag "$REG/big:latest" "127.0.0.1:$port/big:1"
  time_run cairn "$here/cairn" --root "$store" push -q "127.0.0.1:$port/big:1"
  "$here/cairn" --root "$store" rmi "127.0.0.1:$port/big:1" >/dev/null
  stop_target
  start_target "kept.$r"
  "$here/cairn" --root "$kept" tag "$REG/big:latest" "127.0.0.1:$port/big:1"
  time_run kept "$here/cairn" --root "$kept" push -q "127.0.0.1:$port/big:1"
  "$here/cairn" --root "$kept" rmi "127.0.0.1:$port/big:1" >/dev/null
  stop_target
  start_target "docker.$r"
  docker tag "$REG/big:latest" "127.0.0.1:$port/big:1"
  time_run docker docker push -q "127.0.0.1:$port/big:1"
  docker rmi -f "127.0.0.1:$port/big:1" >/dev/null
  stop_target
  start_target "skopeo.$r"
  clean_tool_caches
  time_run skopeo /usr/bin/skopeo copy -q --dest-tls-verify=false \
    "oci:$work/layout:big" "docker://127.0.0.1:$port/big:1"
  stop_target
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
c=$(cut -d' ' -f1 "$work/cairn.times" | median)
s=$(cut -d' ' -f1 "$work/skopeo.times" | median)
d=$(cut -d' ' -f1 "$work/docker.times" | median)
k=$(cut -d' ' -f1 "$work/kept.times" | median)
crss=$(cut -d' ' -f2 "$work/cairn.times" | sort -n | tail -1)
krss=$(cut -d' ' -f2 "$work/kept.times" | sort -n | tail -1)
srss=$(cut -d' ' -f2 "$work/skopeo.times" | sort -n | tail -1)
printf 'push big (4 x 64 MiB), %d runs, medians\n' "$runs"
printf '  cairn push (compressed again)   %6.2f s   peak RSS %4d MiB\n' "$c" $((crss / 1024))
printf '  cairn push (kept blobs)         %6.2f s   peak RSS %4d MiB\n' "$k" $((krss / 1024))
printf '  docker push (compressed again)  %6.2f s\n' "$d"
printf '  skopeo copy oci: (same blobs)   %6.2f s   peak RSS %4d MiB\n' "$s" $((srss / 1024))
awk -v c="$c" -v d="$d" -v s="$s" -v k="$k" 'BEGIN {
  printf "  ratio cairn / docker            %6.2f\n", c / d
  printf "  ratio cairn kept / skopeo       %6.2f\n", k / s }'
