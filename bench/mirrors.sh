#!/usr/bin/env bash
# Stores pull the same image through one pull-through cache (Docker Distribution in proxy mode)
# in front of one upstream registry: what crosses the upstream, and how long it takes.
# Usage: bench/mirrors.sh [STORES]
#   STORES (default 10): how many stores pull big (4 x 64 MiB gzip layers), which the script
#   pushes into an upstream registry of its own.
# Two rounds, each with a fresh cache and fresh stores (registries.conf names the cache as the
# upstream's mirror):
#   together: every store's pull starts at once;
#   warmed:   one store pulls first, then the others at once.
# For each round: the wall time (from the first pull's start to the last one's end), and the blob
# GETs and bytes the upstream's access log shows, per blob. Everything on a tmpfs (OUT_DIR,
# default /dev/shm).
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
stores=${1:-10}
need docker-registry
need skopeo
need curl

bench_work mirrors
registry_access_log=yes registry_start upstream
upstream=$registry
push_images "$upstream" big
bench_cairn

# blob_gets LOG FROM: "count bytes digest" per blob GET the log shows past byte FROM, and totals
blob_gets() {
  tail -c +$(($2 + 1)) "$1" |
    grep -ao '"GET /v2/big/blobs/sha256:[0-9a-f]* HTTP/[0-9.]*" 200 [0-9]*' |
    awk '{ split($2, p, ":"); n[p[2]]++; b[p[2]] += $5; tn++; tb += $5 }
      END { for (d in n) printf "    %2d GETs %8.1f MiB  %s\n", n[d], b[d] / 1048576, substr(d, 1, 12)
            printf "  upstream: %d blob GETs, %.1f MiB\n", tn, tb / 1048576 }'
}

round() {
  local name=$1 warm=$2 t0 t1 from first=1 jobs=() i j
  from=$(stat -c %s "$work/registry.upstream/log") # the upstream's log counts from here
  registry_start "cache.$name" "proxy:
  remoteurl: http://$upstream"
  printf '[[registry]]\nlocation = "%s"\n[[registry.mirror]]\nlocation = "%s"\n' \
    "$upstream" "$registry" >"$work/$name.conf"
  export CAIRN_REGISTRIES_CONF=$work/$name.conf CAIRN_DAEMON_JSON=$work/none.json
  t0=$(date +%s%N)
  if [ "$warm" = yes ]; then
    "$cairn" --root "$work/$name.store.1" pull -q "$upstream/big:latest" >/dev/null
    first=2
  fi
  for ((i = first; i <= stores; i++)); do
    "$cairn" --root "$work/$name.store.$i" pull -q "$upstream/big:latest" >/dev/null &
    jobs+=($!)
  done
  for j in "${jobs[@]}"; do wait "$j"; done
  t1=$(date +%s%N)
  sleep 1 # the registry logs a request after answering it
  awk -v a="$t0" -v b="$t1" -v n="$stores" -v r="$name" \
    'BEGIN { printf "%s: %d stores, wall %.2f s\n", r, n, (b - a) / 1e9 }'
  blob_gets "$work/registry.upstream/log" "$from"
  registry_stop
  rm -rf "$work/$name".store.*
}

printf 'big (4 x 64 MiB) pulled by %d stores through one Distribution 2.8 pull-through cache\n' \
  "$stores"
round together no
round warmed yes
