#!/usr/bin/env bash
# cairn pull beside podman pull (vfs driver) and skopeo copy + umoci unpack, same images, same run.
# Usage: bench/pull.sh [RUNS]
#   RUNS (default 3): rounds; each round pulls every image with each tool in turn (the same load
#   for all three) into fresh outputs on a tmpfs, from a Docker Distribution registry of the
#   script's own on loopback; the medians are printed with the ratios. Then a 2 GiB single-layer
#   image (huge, made once by bench/images.py) is pulled by cairn alone, for its peak RSS.
# Times are wall clock around the command (JVM start included for cairn); RSS is /usr/bin/time's
# maximum resident set of the largest process. A peer tool that is not installed is skipped, and
# the output says so.
# Env: IMAGES (default "big small-files"), HUGE=0 skips the 2 GiB pull, OUT_DIR (a tmpfs, default
# /dev/shm), BENCH_IMAGES (where the images are kept, default /tmp/cairn-bench-images).
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
runs=${1:-3}
images=${IMAGES:-big small-files}
huge=${HUGE:-1}
need docker-registry
need skopeo
need curl

bench_work pull
registry_start source
extra=(chain)
[ "$huge" = 1 ] && extra+=(huge)
# shellcheck disable=SC2086
push_images "$registry" $images "${extra[@]}"

tools=(cairn)
podman=no
if have podman; then
  podman=yes
  tools+=(podman-vfs)
fi
umoci=no
if have umoci; then
  umoci=yes
  tools+=(skopeo+umoci)
fi

# podman's state and scratch all in $work: its storage and run directories by flag, the rest by
# its configuration file (temporary files, locks in a file instead of /dev/shm, events in a file,
# network configuration); it runs in the private namespace like skopeo
pod=$work/podman
cat >"$work/containers.conf" <<CONF
[engine]
tmp_dir = "$pod/tmp"
image_copy_tmp_dir = "$pod/tmp"
lock_type = "file"
events_logger = "file"
events_logfile_path = "$pod/events.log"
cgroup_manager = "cgroupfs"
[network]
network_backend = "cni"
network_config_dir = "$pod/net"
CONF
podman_pull=(env CONTAINERS_CONF="$work/containers.conf" "${private_ns[@]}" podman
  --root "$pod/root" --runroot "$pod/run" --tmpdir "$pod/tmp" --storage-driver vfs
  --cgroup-manager cgroupfs --events-backend file pull -q --tls-verify=false)
podman_clean() {
  rm -rf "$pod"
  mkdir -p "$pod/tmp" "$pod/net"
}
# the two commands a user of those tools runs, timed as one
skopeo_umoci=("${private_ns[@]}" sh -c 'skopeo copy -q --src-tls-verify=false "docker://$1" "oci:$2/oci:latest" &&
  umoci unpack --image "$2/oci:latest" "$2/bundle"' skopeo+umoci)

store=$work/cairn
bench_cairn
"$cairn" --root "$store" pull -q "$registry/chain:latest" >/dev/null # the launcher's caches
driver=$(ls "$store" | grep -x -e overlay -e vfs || echo unknown)

load_before=$(load_average)
for ((r = 1; r <= runs; r++)); do
  for img in $images; do
    rm -rf "$store"
    timed "cairn.$img" "$cairn" --root "$store" pull -q "$registry/$img:latest"
    rm -rf "$store"
    if [ "$podman" = yes ]; then
      podman_clean
      clear_tool_caches
      timed "podman-vfs.$img" "${podman_pull[@]}" "$registry/$img:latest"
      podman_clean
    fi
    if [ "$umoci" = yes ]; then
      rm -rf "$work/oci" "$work/bundle"
      clear_tool_caches
      timed "skopeo+umoci.$img" "${skopeo_umoci[@]}" "$registry/$img:latest" "$work"
      rm -rf "$work/oci" "$work/bundle"
    fi
  done
done

echo
printf '%-12s %9s %10s %9s %13s %14s %14s %11s\n' image cairn_s cairn_MiB podman_s podman_MiB \
  skopeo+umoci_s cairn/podman cairn/skopeo+
for img in $images; do
  c=$(seconds "cairn.$img") p=- pm=- s=- rp=- rs=-
  if [ "$podman" = yes ]; then
    p=$(seconds "podman-vfs.$img") pm=$(rss "podman-vfs.$img")
    rp=$(ratio "$c" "$p") p=$(printf '%.2f' "$p")
  fi
  if [ "$umoci" = yes ]; then
    s=$(seconds "skopeo+umoci.$img")
    rs=$(ratio "$c" "$s") s=$(printf '%.2f' "$s")
  fi
  printf '%-12s %9.2f %10s %9s %13s %14s %14s %11s\n' "$img" "$c" "$(rss "cairn.$img")" "$p" "$pm" \
    "$s" "$rp" "$rs"
done
echo "(medians of $runs rounds; outputs on $(stat -f -c %T "$work"); cairn's storage driver: $driver;" \
  "1-minute load before and after: ${load_before%% *}, $(load_average | cut -d' ' -f1))"
[ "$podman" = yes ] || echo "(podman: not installed, skipped; the target ratios are against it)"
[ "$umoci" = yes ] || echo "(umoci: not installed, skipped)"

echo "every run (seconds):"
for tool in "${tools[@]}"; do
  for img in $images; do
    printf '  %-13s %-12s %s\n' "$tool" "$img" "$(runs_of "$tool.$img")"
  done
done

if [ "$huge" = 1 ]; then
  rm -rf "$store"
  timed cairn.huge "$cairn" --root "$store" pull -q "$registry/huge:latest"
  rm -rf "$store"
  m=$(rss cairn.huge)
  printf '\n2 GiB single layer: cairn %.2f s, peak RSS %s MiB (target <= 300 MiB: %s)\n' \
    "$(seconds cairn.huge)" "$m" "$([ "$m" -le 300 ] && echo met || echo 'NOT met')"
fi
