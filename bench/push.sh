#!/usr/bin/env bash
# cairn push beside docker push (dockerd 20.10) and skopeo copy from an OCI layout, same image,
# same run, each into a fresh registry.
# Usage: bench/push.sh [RUNS]
#   RUNS (default 3): rounds; each round starts a fresh target registry (storage on a tmpfs) for
#   each of: cairn push of big (pulled once into a store, so its layers are compressed again while
#   they are sent); cairn push of big pulled with --keep-blobs into a second store (which sends the
#   original blobs, as skopeo does); docker push of it from a dockerd of its own (pulled once;
#   another registry host, so dockerd compresses again too); skopeo copy of the same image from an
#   OCI layout on disk (the original compressed blobs). Medians and ratios are printed.
# Times are wall clock around the command (JVM start included for cairn); RSS is /usr/bin/time's
# maximum resident set. Env: OUT_DIR (a tmpfs, default /dev/shm), BENCH_IMAGES.
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
runs=${1:-3}
need docker-registry
need skopeo
need curl

bench_work push
registry_start source
source_registry=$registry
push_images "$source_registry" big
big=$source_registry/big:latest

docker=no
if have dockerd docker.io; then
  docker=yes
  dockerd_start push
  DOCKER_HOST=unix://$dockerd_sock docker pull -q "$big" >/dev/null
fi

bench_cairn
store=$work/store
"$cairn" --root "$store" pull -q "$big" >/dev/null
kept=$work/kept
"$cairn" --root "$kept" pull -q --keep-blobs "$big" >/dev/null
# the blobs as the registry serves them, for skopeo to push from disk as cairn does its kept blobs
skopeo_ copy -q --src-tls-verify=false "docker://$big" "oci:$work/layout:big"

load_before=$(load_average)
for ((r = 1; r <= runs; r++)); do
  registry_start "cairn.$r"
  "$cairn" --root "$store" tag "$big" "$registry/big:1"
  timed cairn "$cairn" --root "$store" push -q "$registry/big:1"
  "$cairn" --root "$store" rmi "$registry/big:1" >/dev/null
  registry_stop
  registry_start "kept.$r"
  "$cairn" --root "$kept" tag "$big" "$registry/big:1"
  timed kept "$cairn" --root "$kept" push -q "$registry/big:1"
  "$cairn" --root "$kept" rmi "$registry/big:1" >/dev/null
  registry_stop
  if [ "$docker" = yes ]; then
    registry_start "docker.$r"
    export DOCKER_HOST=unix://$dockerd_sock
    docker tag "$big" "$registry/big:1"
    timed docker docker push -q "$registry/big:1"
    docker rmi -f "$registry/big:1" >/dev/null
    unset DOCKER_HOST
    registry_stop
  fi
  registry_start "skopeo.$r"
  clear_tool_caches
  timed skopeo "${private_ns[@]}" skopeo copy -q --dest-tls-verify=false \
    "oci:$work/layout:big" "docker://$registry/big:1"
  registry_stop
done

printf 'push big (4 x 64 MiB), medians of %d rounds\n' "$runs"
printf '  cairn push (compressed again)   %6.2f s   peak RSS %4s MiB\n' "$(seconds cairn)" "$(rss cairn)"
printf '  cairn push (kept blobs)         %6.2f s   peak RSS %4s MiB\n' "$(seconds kept)" "$(rss kept)"
[ "$docker" = no ] ||
  printf '  docker push (compressed again)  %6.2f s\n' "$(seconds docker)"
printf '  skopeo copy oci: (same blobs)   %6.2f s   peak RSS %4s MiB\n' "$(seconds skopeo)" "$(rss skopeo)"
[ "$docker" = no ] || ratio_line "ratio cairn / docker" "$(seconds cairn)" "$(seconds docker)"
ratio_line "ratio cairn kept / skopeo" "$(seconds kept)" "$(seconds skopeo)"
echo "(outputs on $(stat -f -c %T "$work"); 1-minute load before and after: ${load_before%% *}," \
  "$(load_average | cut -d' ' -f1))"
