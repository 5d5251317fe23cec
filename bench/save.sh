#!/usr/bin/env bash
# cairn save beside skopeo copy ... docker-archive: on the same 256 MiB image, same run, on tmpfs.
# Usage: bench/save.sh OCI_LAYOUT[:TAG] [RUNS]
#   OCI_LAYOUT: the "big" image of the peer scripts' make-images.sh (4 layers x 64 MiB), or any
#   OCI image layout. The image is loaded into a fresh cairn store first (through skopeo's
#   docker-archive and cairn load), then each tool writes a docker-archive of it RUNS times
#   (default 5); the medians and the ratio cairn / skopeo are printed. Both run as commands,
#   JVM start included for cairn.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
src=${1:?usage: bench/save.sh OCI_LAYOUT[:TAG] [RUNS]}
runs=${2:-5}
layout=${src%%:*}
tag=latest
[[ $src == *:* ]] && tag=${src#*:}
[ -f "$layout/index.json" ] || { echo "no OCI layout at $layout" >&2; exit 1; }
command -v skopeo >/dev/null || { echo "skopeo is required" >&2; exit 1; }
base=${BENCH_DIR:-/dev/shm}
[ -d "$base" ] || base=${TMPDIR:-/tmp}
work=$(mktemp -d "$base/cairn-save-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cairn=("$here/cairn" --root "$work/store")

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { echo $(( ($2 - $1) / 1000000 )); }

skopeo --insecure-policy copy -q "oci:$layout:$tag" "docker-archive:$work/in.tar:bench/big:1"
"${cairn[@]}" load -q -i "$work/in.tar" >/dev/null
size=$(stat -c %s "$work/in.tar")
rm -f "$work/in.tar"

time_runs() { # time_runs NAME COMMAND...: median ms over RUNS after one warm-up
  local i start end
  shift
  for ((i = 0; i <= runs; i++)); do
    rm -f "$work/out.tar"
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    [ "$i" -gt 0 ] && ms "$start" "$end"
  done | median
}
s=$(time_runs skopeo skopeo --insecure-policy copy -q "oci:$layout:$tag" "docker-archive:$work/out.tar:bench/big:1")
c=$(time_runs cairn "${cairn[@]}" save -o "$work/out.tar" bench/big:1)
csize=$(stat -c %s "$work/out.tar")
ratio=$(awk -v c="$c" -v s="$s" 'BEGIN { printf "%.2f", (s > 0 ? c / s : 0) }')
printf '%-26s %12s\n' "skopeo copy oci: -> docker-archive: ms" "$s"
printf '%-26s %12s\n' "cairn save ms" "$c"
printf 'ratio cairn / skopeo: %s   (archives: skopeo %d bytes, cairn %d bytes; median of %d runs, on %s)\n' \
  "$ratio" "$size" "$csize" "$runs" "$base"
