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

load=$(cut -d' ' -f1-3 /proc/loadavg)
printf '%-12s %8s %9s %12s %9s %12s %9s\n' layer MB tool_s cairn_warm_s warm_x cairn_cold_s cold_x
for layer in big small-files; do
  tarfile="$work/$layer.tar"
  mb=$(echo "$(stat -c %s "$tarfile") / 1000000" | bc -l)
  # The tool gets its own metadata, cairn its own; both must rebuild the tar exactly.
  tar-split disasm --no-stdout --output "$work/$layer.tool.json.gz" - < "$tarfile" 2>/dev/null
  # Warm: rounds alternating the tool and cairn (one JVM, after two warm-up rounds).
  read -r t warm warm_x < <("${java[@]}" compare "$work/$layer.tool.json.gz" "$work/$layer.json.gz" \
    "$work/$layer" "$work/$layer.out" "$runs")
  cmp -s "$tarfile" "$work/$layer.out.tool" || { echo "tar-split asm output differs for $layer" >&2; exit 1; }
  cmp -s "$tarfile" "$work/$layer.out.cairn" || { echo "cairn assemble output differs for $layer" >&2; exit 1; }
  # Cold: a fresh JVM per run, as the command line would be.
  cold=()
  for _ in $(seq "$runs"); do
    cold+=("$(secs "${java[@]}" assemble "$work/$layer.json.gz" "$work/$layer" "$work/$layer.cold.out")")
  done
  c=$(printf '%s\n' "${cold[@]}" | median)
  printf '%-12s %8.1f %9.3f %12.3f %9.2f %12.3f %9.2f\n' "$layer" "$mb" "$t" "$warm" "$warm_x" "$c" \
    "$(echo "$t / $c" | bc -l)"
done
echo "(median of $runs rounds; x = tar-split asm time / cairn time; warm: the tool and cairn alternate"
echo " round by round, the tool's time net of starting a process; cold: a fresh JVM per run; load before: $load)"
