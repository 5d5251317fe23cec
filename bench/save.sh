#!/usr/bin/env bash
# cairn save beside skopeo copy ... docker-archive: on the same 256 MiB image, same run, on tmpfs.
# Usage: bench/save.sh [RUNS]
#   The image is big (4 layers x 64 MiB, made by bench/images.py as an OCI layout). It is loaded
#   into a fresh cairn store first (through skopeo's docker-archive and cairn load), then each tool
#   writes a docker-archive of it RUNS times (default 5) in a row after one untimed run; the
#   medians and the ratio cairn / skopeo are printed. Both run as commands, JVM start included for cairn.
# Env: OUT_DIR (a tmpfs, default /dev/shm), BENCH_IMAGES.
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
runs=${1:-5}
need skopeo

bench_work save
make_images big
layout=$images_dir/big
bench_cairn
store=$work/store
skopeo_ --insecure-policy copy -q "oci:$layout:latest" "docker-archive:$work/in.tar:bench/big:1"
"$cairn" --root "$store" load -q -i "$work/in.tar" >/dev/null
size=$(stat -c %s "$work/in.tar")
rm -f "$work/in.tar"

# each tool's runs in a row, the first of them untimed (it warms the page cache and the launcher)
for tool in skopeo cairn; do
  for ((i = 0; i <= runs; i++)); do
    rm -f "$work/out.tar"
    clear_tool_caches
    if [ "$tool" = skopeo ]; then
      timed "skopeo.$i" "${private_ns[@]}" skopeo --insecure-policy copy -q "oci:$layout:latest" \
        "docker-archive:$work/out.tar:bench/big:1"
    else
      timed "cairn.$i" "$cairn" --root "$store" save -o "$work/out.tar" bench/big:1
    fi
    ((i == 0)) || cat "$work/$tool.$i.times" >>"$work/$tool.times"
  done
done
csize=$(stat -c %s "$work/out.tar")
s=$(seconds skopeo) c=$(seconds cairn)
printf '%-40s %6.2f s\n' "skopeo copy oci: -> docker-archive:" "$s"
printf '%-40s %6.2f s\n' "cairn save" "$c"
ratio_line "ratio cairn / skopeo" "$c" "$s" "<= 0.6"
echo "(archives: skopeo $size bytes, cairn $csize bytes; medians of $runs runs of each after one" \
  "untimed; outputs on $(stat -f -c %T "$work"); 1-minute load after: $(load_average | cut -d' ' -f1))"
