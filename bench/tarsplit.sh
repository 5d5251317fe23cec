#!/usr/bin/env bash
# tar-split assemble: cairn beside the tar-split tool, same layers, same run, outputs on tmpfs.
# Usage: bench/tarsplit.sh [RUNS]   (RUNS default 5; builds bench/target/benchmarks.jar when needed)
# Layers: a 64 MiB single-file layer and a 30,000-small-file layer, made by TarSplitTool. Warm:
# the tool and cairn alternate round by round in one JVM after two warm-up rounds, the tool's time
# net of starting a process; cold: a fresh JVM per run, as a command would be.
# Env: OUT_DIR (a tmpfs, default /dev/shm).
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
runs=${1:-5}
need tar-split
bench_jar
bench_work tarsplit
java=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$jar" dev.cairn.bench.TarSplitTool)
"${java[@]}" make "$work" >/dev/null

load=$(load_average)
printf '%-12s %8s %9s %12s %9s %12s %9s\n' layer MB tool_s cairn_warm_s warm_x cairn_cold_s cold_x
for layer in big small-files; do
  tarfile=$work/$layer.tar
  # The tool gets its own metadata, cairn its own; both must rebuild the tar exactly.
  tar-split disasm --no-stdout --output "$work/$layer.tool.json.gz" - <"$tarfile" 2>/dev/null
  read -r t warm warm_x < <("${java[@]}" compare "$work/$layer.tool.json.gz" "$work/$layer.json.gz" \
    "$work/$layer" "$work/$layer.out" "$runs")
  cmp -s "$tarfile" "$work/$layer.out.tool" || { echo "tar-split asm output differs for $layer" >&2; exit 1; }
  cmp -s "$tarfile" "$work/$layer.out.cairn" || { echo "cairn assemble output differs for $layer" >&2; exit 1; }
  for ((i = 0; i < runs; i++)); do
    timed "cold.$layer" "${java[@]}" assemble "$work/$layer.json.gz" "$work/$layer" "$work/$layer.cold.out"
  done
  c=$(seconds "cold.$layer")
  printf '%-12s %8.1f %9.3f %12.3f %9.2f %12.3f %9s\n' "$layer" \
    "$(awk -v b="$(stat -c %s "$tarfile")" 'BEGIN { print b / 1e6 }')" "$t" "$warm" "$warm_x" "$c" \
    "$(ratio "$t" "$c")"
done
echo "(median of $runs rounds; x = tar-split asm time / cairn time; warm: the tool and cairn alternate"
echo " round by round, the tool's time net of starting a process; cold: a fresh JVM per run; load before: $load)"
