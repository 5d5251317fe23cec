#!/usr/bin/env bash
# tar-split assemble: cairn beside the tar-split tool, same layers, same run, outputs on tmpfs.
# Usage: bench/tarsplit.sh [RUNS]   (builds bench/target/benchmarks.jar when missing)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
runs=${1:-5}
. "$here/scripts/java-home.sh"
cairn_pick_java
jar="$here/bench/target/benchmarks.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$here/core/src/main" "$here/bench/src" -newer "$jar" -print -quit)" ]; then
  (cd "$here" && ./mvnw -q -B -DskipTests -Dspotless.check.skip=true package -pl bench -am)
fi
command -v tar-split >/dev/null || { echo "tarsplit.sh: tar-split is not installed" >&2; exit 1; }

base=/dev/shm
[ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
work=$(mktemp -d "$base/cairn-tarsplit.XXXXXX")
trap 'rm -rf "$work"' EXIT
java=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$jar" dev.cairn.bench.TarSplitTool)

"${java[@]}" make "$work" >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
secs() { # seconds taken by the command
  local t0 t1
  t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}

printf '%-12s %10s %12s %12s %12s %9s %9s\n' layer MB tool_s cairn_cold_s cairn_warm_s cold_x warm_x
for layer in big small-files; do
  tarfile="$work/$layer.tar"
  mb=$(echo "$(stat -c %s "$tarfile") / 1000000" | bc -l)
  # The tool gets its own metadata, cairn its own; both must rebuild the tar exactly.
  tar-split disasm --no-stdout --output "$work/$layer.tool.json.gz" - < "$tarfile" 2>/dev/null
  tool=() cold=()
  for _ in $(seq "$runs"); do
    tool+=("$(secs tar-split asm --input "$work/$layer.tool.json.gz" --path "$work/$layer" --output "$work/$layer.tool.out")")
    cold+=("$(secs "${java[@]}" assemble "$work/$layer.json.gz" "$work/$layer" "$work/$layer.cairn.out")")
  done
  cmp -s "$tarfile" "$work/$layer.tool.out" || { echo "tar-split asm output differs for $layer" >&2; exit 1; }
  cmp -s "$tarfile" "$work/$layer.cairn.out" || { echo "cairn assemble output differs for $layer" >&2; exit 1; }
  # Warm: one JVM, the median of the runs after as many warm-up runs.
  warm=$("${java[@]}" assemble "$work/$layer.json.gz" "$work/$layer" "$work/$layer.cairn.out" $((2 * runs)) |
    sed -n 's/^run \([0-9]*\): \([0-9.]*\) s$/\1 \2/p' | awk -v n="$runs" '$1 > n {print $2}' | median)
  t=$(printf '%s\n' "${tool[@]}" | median)
  c=$(printf '%s\n' "${cold[@]}" | median)
  printf '%-12s %10.1f %12.3f %12.3f %12.3f %9.2f %9.2f\n' "$layer" "$mb" "$t" "$c" "$warm" \
    "$(echo "$t / $c" | bc -l)" "$(echo "$t / $warm" | bc -l)"
done
echo "(median of $runs runs; x = tar-split asm time / cairn time; cold = a fresh JVM per run)"
