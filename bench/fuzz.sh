#!/usr/bin/env bash
# A coverage-guided fuzzing campaign on one harness (Jazzer, libFuzzer's engine inside the JVM).
# Usage: bench/fuzz.sh TARGET MINUTES
#        bench/fuzz.sh list
#        bench/fuzz.sh report
#   TARGET: Class#method of a @FuzzTest in core (e.g. TarReaderFuzzTest#everyByteOfAnAcceptedTarIsReportedOnceInOrder),
#   or Class when it holds one harness. `list` prints them all.
#   MINUTES: the campaign's length, run as rounds of Fuzz.ROUND (5 minutes) that each start from
#   the corpus the rounds before grew (core/.cifuzz-corpus/CLASS/METHOD, kept between campaigns).
# A finding stops the round and is written as crash-HASH into the harness's seed directory
# (core/src/test/resources/PACKAGE/CLASSInputs/METHOD/), where ./test.sh replays it from then on.
# Jazzer 0.24 instruments class files up to Java 23, so the campaign compiles cairn at release 23
# into core/target-fuzz; ./test.sh keeps release 25 and replays the seeds without instrumentation.
# Per input: 10 s of time (libFuzzer's -timeout), 1 GiB of heap (an OutOfMemoryError is a finding);
# temporary files on /dev/shm where it can be written.
# Prints one line per round and a summary: executions, coverage (libFuzzer's cov: and ft:
# counters), corpus size, findings. Logs go to core/target-fuzz/fuzz-logs/; each round also adds a
# line to bench/fuzz-campaigns.tsv, which the repository keeps so that the figures outlive the
# machine that ran them. `report` sums that record per harness (a Markdown table: the README's).
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$here"
# shellcheck source=/dev/null
. scripts/java-home.sh
cairn_pick_java

if [ "${1:-}" = list ]; then
  grep -rl --include='*FuzzTest.java' '@FuzzTest' core/src/test/java | sort | while read -r f; do
    cls=$(basename "$f" .java)
    grep -A2 '@FuzzTest' "$f" | sed -n 's/^ *void \([A-Za-z0-9]*\)(.*/\1/p' | sed "s/^/$cls#/"
  done
  exit 0
fi
record=bench/fuzz-campaigns.tsv
if [ "${1:-}" = report ]; then
  printf '| harness | executions | CPU-minutes | cov | ft | corpus | findings |\n'
  printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n'
  # Columns: harness, round's start (UTC), executions, CPU-seconds, cov, ft, corpus, findings.
  awk -F'\t' '
    /^#/ || $1 == "harness" { next }
    { e[$1] += $3; c[$1] += $4; if ($5 > cov[$1]) cov[$1] = $5; if ($6 > ft[$1]) ft[$1] = $6
      corp[$1] = $7; f[$1] += $8 }
    END { for (k in e) printf "| %s | %d | %.1f | %d | %d | %d | %d |\n", k, e[k], c[k] / 60, cov[k], ft[k], corp[k], f[k] }
  ' "$record" | sort
  exit 0
fi
target=${1:?usage: bench/fuzz.sh TARGET MINUTES | list | report}
minutes=${2:?usage: bench/fuzz.sh TARGET MINUTES | list}
round=5
rounds=$(((minutes + round - 1) / round))

cls=${target%%#*}
name=$target
[ "$("$here/bench/fuzz.sh" list | grep -c "^$cls#")" -gt 1 ] || name=$cls
build=(-o -q -pl core -Dcairn.target=target-fuzz -Dmaven.compiler.release=23 -Djazzer.hooks=true)
logs=core/target-fuzz/fuzz-logs
mkdir -p "$logs"
./mvnw "${build[@]}" test-compile

# The harnesses that write files (layers, configuration files) spend their time waiting on a disk.
tmp=/tmp
[ -w /dev/shm ] && tmp=/dev/shm
execs=0 cov=0 ft=0 corp=0 findings=0 cpu=0
stamp=$(date +%Y%m%d-%H%M%S)
for ((r = 1; r <= rounds; r++)); do
  log=$logs/${target//#/-}-$stamp-$r.log
  start=$(date +%s)
  # libFuzzer's flags after the program name; -timeout is the per-input budget.
  JAVA_TOOL_OPTIONS="-Xmx1g -Djava.io.tmpdir=$tmp" JAZZER_FUZZ=1 /usr/bin/time -f '%U %S' -o "$log.cpu" \
    ./mvnw "${build[@]}" test -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-timeout=10 >"$log" 2>&1 || true
  # libFuzzer's status lines: "#RUNS <event> cov: N ft: N corp: N/SIZE ..."
  last=$(grep -aE '^#[0-9]+[[:space:]]+(pulse|NEW|REDUCE|DONE|INITED)' "$log" | tail -1 || true)
  n=$(sed -nE 's/^Done ([0-9]+) runs.*/\1/p' "$log" | tail -1)
  [ -n "$n" ] || n=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")
  c=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  f=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  k=$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$last")
  found=$(grep -acE '== Java Exception|Test unit written to|FuzzTestFindingException' "$log" || true)
  read -r u s < <(tail -1 "$log.cpu") || { u=0; s=0; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$(date -u -d "@$start" +%FT%TZ)" "${n:-0}" \
    "$(awk -v a="$u" -v b="$s" 'BEGIN { print a + b }')" "${c:-0}" "${f:-0}" "${k:-0}" "$((found > 0))" >>"$record"
  execs=$((execs + ${n:-0}))
  cov=$(( ${c:-0} > cov ? ${c:-0} : cov ))
  ft=$(( ${f:-0} > ft ? ${f:-0} : ft ))
  corp=${k:-$corp}
  cpu=$(awk -v a="$cpu" -v b="$u" -v c="$s" 'BEGIN { print a + b + c }')
  printf 'round %d/%d: %s executions in %ss wall, cov %s ft %s corpus %s%s\n' "$r" "$rounds" \
    "${n:-0}" "$(($(date +%s) - start))" "${c:-?}" "${f:-?}" "${k:-?}" \
    "$([ "$found" -gt 0 ] && echo ", FINDING: see $log")"
  if [ "$found" -gt 0 ]; then
    findings=$((findings + 1))
    break
  fi
done
printf '%s: %d executions, %.1f CPU-minutes, cov %d ft %d, corpus %d, findings %d\n' \
  "$target" "$execs" "$(awk -v c="$cpu" 'BEGIN { print c / 60 }')" "$cov" "$ft" "$corp" "$findings"
