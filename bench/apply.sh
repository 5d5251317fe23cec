#!/usr/bin/env bash
# Times cairn's layer apply beside GNU tar -x on the same layers, in the same run, on tmpfs.
# Layers: a 64 MiB single-file layer and a 30,000-small-file layer (plain tar, generated here).
# Prints the median of RUNS extractions (default 7) for each tool and the ratio cairn / tar.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
top=$(dirname "$here")
. "$top/scripts/java-home.sh"
cairn_pick_java
runs=${RUNS:-7}
base=${BENCH_DIR:-/dev/shm}
[ -d "$base" ] || base=${TMPDIR:-/tmp}
work=$(mktemp -d "$base/cairn-apply-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

jar="$here/target/benchmarks.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$top/core/src/main" "$here/src" -newer "$jar" -print -quit)" ]; then
  (cd "$top" && ./mvnw -q -B -pl bench -am -DskipTests -Dspotless.check.skip=true package)
fi
java=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$jar")
"${java[@]}" dev.cairn.bench.Generate "$work" >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

time_tar() { # median milliseconds of tar -x of $1
  local i start end dest
  for ((i = 0; i < runs + 1; i++)); do
    dest="$work/tar-$i"
    mkdir "$dest"
    start=$(date +%s%N)
    tar -x -f "$1" -C "$dest"
    end=$(date +%s%N)
    rm -rf "$dest"
    [ "$i" -gt 0 ] && echo $(((end - start) / 1000000)) # the first run warms the page cache
  done | median
}

printf '%-14s %10s %10s %8s\n' layer "tar -x ms" "cairn ms" ratio
for layer in big-file small-files; do
  tarfile="$work/$layer.tar"
  t=$(time_tar "$tarfile")
  c=$("${java[@]}" dev.cairn.bench.ApplyTiming "$tarfile" "$work" "$runs")
  ratio=$(awk -v c="$c" -v t="$t" 'BEGIN { printf "%.2f", (t > 0 ? c / t : 0) }')
  printf '%-14s %10s %10s %8s\n' "$layer" "$t" "$c" "$ratio"
done
echo "(median of $runs runs each, outputs in $base; cairn timed in-process after 2 warm-up runs)"
