#!/usr/bin/env bash
# Times cairn's layer apply beside GNU tar -x on the same layers, in the same run, on tmpfs.
# Layers: a 64 MiB single-file layer and a 30,000-small-file layer (plain tar, generated here).
# Each round extracts with tar -x (a child process) and then with cairn (in one JVM, warmed up), so
# that both meet the same machine load. Prints the medians of RUNS rounds (default 7) and the
# median of the per-round ratios cairn / tar.
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
load=$(cut -d' ' -f1-3 /proc/loadavg)

printf '%-14s %10s %10s %8s\n' layer "tar -x ms" "cairn ms" ratio
for layer in big-file small-files; do
  read -r t c ratio < <("${java[@]}" dev.cairn.bench.ApplyTiming "$work/$layer.tar" "$work" "$runs")
  printf '%-14s %10s %10s %8s\n' "$layer" "$t" "$c" "$ratio"
done
echo "(median of $runs rounds, tar -x and cairn alternating, outputs in $base; ratio = median of per-round cairn / tar; 2 warm-up rounds; load before: $load)"
