#!/usr/bin/env bash
# cairn serve beside dockerd (20.10), both driven by the same docker CLI in the same run.
# Usage: bench/serve.sh [RUNS]
#   RUNS (default 5): rounds of the pull comparison.
# Two measures, as the serve issue states its targets:
#   1. `docker images` against cairn serve and against a dockerd of its own, both holding big,
#      small-files and chain (pulled once): 20 runs each, alternating, median and ratio.
#   2. `docker pull -q big` through cairn serve (a fresh store and server each round; the server is
#      started, and answering, before the clock starts) beside `cairn pull -q big` into a fresh
#      store (JVM start included), and docker pull into a fresh dockerd for reference.
# The images come from a Docker Distribution registry of the script's own on loopback. Times are
# wall clock around the docker or cairn command. Env: OUT_DIR (a tmpfs, default /dev/shm),
# BENCH_IMAGES.
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
runs=${1:-5}
need docker-registry
need skopeo
need curl
need dockerd docker.io
need docker docker.io

bench_work serve
registry_start source
images=(big small-files chain)
push_images "$registry" "${images[@]}"

# serve_start STORE SOCKET: cairn serve on its own store, answering before it returns
serve_start() {
  "$cairn" --root "$1" serve -H "unix://$2" >"$work/serve.log" 2>&1 </dev/null &
  serve_pid=$!
  started "$serve_pid"
  wait_for_engine "$2" || {
    tail -n 5 "$work/serve.log" >&2
    exit 1
  }
}
bench_cairn

# 1. docker images
dockerd_start images
store=$work/store
for i in "${images[@]}"; do
  DOCKER_HOST=unix://$dockerd_sock docker pull -q "$registry/$i:latest" >/dev/null
  "$cairn" --root "$store" pull -q "$registry/$i:latest" >/dev/null
done
serve_start "$store" "$work/cairn.sock"
load_before=$(load_average)
for _ in $(seq 20); do
  timed images.dockerd env DOCKER_HOST="unix://$dockerd_sock" docker images
  timed images.cairn env DOCKER_HOST="unix://$work/cairn.sock" docker images
done
stop_pid "$serve_pid"
dockerd_stop

# 2. pulls of big
for ((r = 1; r <= runs; r++)); do
  dockerd_start "pull.$r"
  timed pull.dockerd env DOCKER_HOST="unix://$dockerd_sock" docker pull -q "$registry/big:latest"
  dockerd_stop
  rm -rf "$work/dockerd.pull.$r"
  rm -rf "$work/pull-store"
  timed pull.cairn "$cairn" --root "$work/pull-store" pull -q "$registry/big:latest"
  rm -rf "$work/pull-store" "$work/api-store"
  serve_start "$work/api-store" "$work/api.sock"
  timed pull.api env DOCKER_HOST="unix://$work/api.sock" docker pull -q "$registry/big:latest"
  stop_pid "$serve_pid"
  rm -rf "$work/api-store"
done

ia=$(seconds images.cairn) id=$(seconds images.dockerd)
pa=$(seconds pull.api) pc=$(seconds pull.cairn) pd=$(seconds pull.dockerd)
printf 'docker images (big, small-files, chain), 20 runs each, medians\n'
printf '  through cairn serve      %7.4f s\n' "$ia"
printf '  against dockerd          %7.4f s\n' "$id"
ratio_line "ratio cairn / dockerd" "$ia" "$id" "<= 1.5"
printf 'pull big (4 x 64 MiB), medians of %d rounds\n' "$runs"
printf '  docker pull via cairn serve  %6.2f s\n' "$pa"
printf '  cairn pull                   %6.2f s\n' "$pc"
printf '  docker pull via dockerd      %6.2f s\n' "$pd"
ratio_line "ratio API / cairn pull" "$pa" "$pc" "<= 1.1"
ratio_line "ratio API / dockerd" "$pa" "$pd"
echo "(outputs on $(stat -f -c %T "$work"); 1-minute load before and after: ${load_before%% *}," \
  "$(load_average | cut -d' ' -f1))"
