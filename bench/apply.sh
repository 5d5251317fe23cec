#!/usr/bin/env bash
# Times cairn's layer apply beside GNU tar -x on the same layers, in the same run, on tmpfs.
# Usage: bench/apply.sh [RUNS]
# Layers: a 64 MiB single-file layer and a 30,000-small-file layer (plain tar, generated here).
# Each round extracts with tar -x (a child process) and then with cairn (in one JVM, warmed up), so
# that both meet the same machine load. Prints the medians of RUNS rounds (default 7; RUNS in the
# environment works too) and the median of the per-round ratios cairn / tar.
# Env: OUT_DIR (a tmpfs, default /dev/shm).
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
runs=${1:-${RUNS:-7}}
bench_jar
bench_work apply
java=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$jar")
"${java[@]}" dev.cairn.bench.Generate "$work" >/dev/null
load=$(load_average)

printf '%-14s %10s %10s %8s\n' layer "tar -x ms" "cairn ms" ratio
for layer in big-file small-files; do
  read -r t c r < <("${java[@]}" dev.cairn.bench.ApplyTiming "$work/$layer.tar" "$work" "$runs")
  printf '%-14s %10s %10s %8s\n' "$layer" "$t" "$c" "$r"
done
echo "(median of $runs rounds, tar -x and cairn alternating, outputs on $(stat -f -c %T "$work");" \
  "ratio = median of per-round cairn / tar; 2 warm-up rounds; load before: $load)"
