#!/usr/bin/env bash
# Ten stores pull the same image through one pull-through cache (Docker Distribution in proxy
# mode) in front of one upstream registry: what crosses the upstream, and how long it takes.
# Usage: bench/mirrors.sh PEERS_DIR [STORES]
#   PEERS_DIR: the peer-baseline scripts; their registry serves big (4 x 64 MiB gzip layers) on
#   127.0.0.1:5000, copied from there into an upstream of this script's own.
#   STORES (default 10).
# Two rounds, each with a fresh cache and fresh stores (registries.conf names the cache as the
# upstream's mirror):
#   together: every store's pull starts at once;
#   warmed:   one store pulls first, then the others at once.
# For each round: the wall time (from the first pull's start to the last one's end), and the blob
# GETs and bytes the upstream's access log shows, per blob. Everything on a tmpfs (OUT_DIR, default
# /dev/shm).
set -euo pipefail
umask 022
export LC_ALL=C
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
peers=$(cd "${1:?usage: bench/mirrors.sh PEERS_DIR [STORES]}" && pwd)
stores=${2:-10}
base=${OUT_DIR:-/dev/shm}
# shellcheck source=/dev/null
source "$peers/lib.sh"

"$peers/registry.sh" start >/dev/null
if ! curl -fs -o /dev/null -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
  "http://$REG/v2/big/manifests/latest"; then
  "$peers/make-images.sh" >/dev/null
fi

work=$(mktemp -d "$base/cairn-mirrors-bench.XXXXXX")
pids=()
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pids=()
}
trap 'stop_all; rm -rf "$work"' EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# registry NAME PORT [EXTRA_YAML]: a Distribution registry with its access log in NAME/log
registry() {
  local dir=$work/$1
  mkdir -p "$dir/storage"
  cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $dir/storage
http:
  addr: 127.0.0.1:$2
  secret: mirrors-bench-only
${3:-}
YAML
  docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$2/v2/" && return 0
    sleep 0.05
  done
  echo "registry $1 did not start" >&2
  exit 1
}

up=$(free_port)
registry upstream "$up"
/usr/bin/skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
  "docker://$REG/big:latest" "docker://127.0.0.1:$up/big:latest"
"$here/cairn" --help >/dev/null # builds the CLI and warms the launcher's cache

# blob_gets LOG FROM: "count bytes digest" per blob GET the log shows past byte FROM, and totals
blob_gets() {
  tail -c +$(($2 + 1)) "$1" |
    grep -ao '"GET /v2/big/blobs/sha256:[0-9a-f]* HTTP/[0-9.]*" 200 [0-9]*' |
    awk '{split($2, p, ":"); n[p[2]]++; b[p[2]] += $5; tn++; tb += $5}
      END {for (d in n) printf "    %2d GETs %8.1f MiB  %s\n", n[d], b[d] / 1048576, substr(d, 1, 12)
           printf "  upstream: %d blob GETs, %.1f MiB\n", tn, tb / 1048576}'
}

round() {
  local name=$1 warm=$2 cache t0 t1 from
  cache=$(free_port)
  from=$(stat -c %s "$work/upstream/log") # the upstream's log counts from here
  registry "cache.$name" "$cache" "proxy:
  remoteurl: http://127.0.0.1:$up"
  printf '[[registry]]\nlocation = "127.0.0.1:%s"\n[[registry.mirror]]\nlocation = "127.0.0.1:%s"\n' \
    "$up" "$cache" >"$work/$name.conf"
  export CAIRN_REGISTRIES_CONF=$work/$name.conf CAIRN_DAEMON_JSON=$work/none.json
  t0=$(date +%s%N)
  local first=1 jobs=()
  if [[ $warm == yes ]]; then
    "$here/cairn" --root "$work/$name.store.1" pull -q "127.0.0.1:$up/big:latest" >/dev/null
    first=2
  fi
  for i in $(seq "$first" "$stores"); do
    "$here/cairn" --root "$work/$name.store.$i" pull -q "127.0.0.1:$up/big:latest" >/dev/null &
    jobs+=($!)
  done
  for j in "${jobs[@]}"; do wait "$j"; done
  t1=$(date +%s%N)
  sleep 1 # the registry logs a request after answering it
  awk -v a="$t0" -v b="$t1" -v n="$stores" -v r="$name" \
    'BEGIN { printf "%s: %d stores, wall %.2f s\n", r, n, (b - a) / 1e9 }'
  blob_gets "$work/upstream/log" "$from"
  rm -rf "$work/$name".store.*
}

printf 'big (4 x 64 MiB) pulled by %d stores through one Distribution 2.8 pull-through cache\n' \
  "$stores"
round together no
round warmed yes
