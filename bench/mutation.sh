#!/usr/bin/env bash
# Mutation testing with PIT, one package of core at a time, against that package's own tests.
# Usage: bench/mutation.sh [PACKAGE...]   (default: tar json image registry)
# Env: THREADS (default 2) PIT worker JVMs; PIT_ARGS more -D options, e.g. to mutate only some
# classes against some tests: PIT_ARGS='-Dpit.classes=dev.cairn.registry.TagList -Dpit.tests=...'.
# Prints, per package: mutants, killed (PIT's KILLED, TIMED_OUT, MEMORY_ERROR and RUN_ERROR: a
# change a test noticed), survived, without coverage, and the score (killed / mutants). Reports:
# core/target/pit/PACKAGE/index.html (per class and line) and mutations.csv (the survivors to read).
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$here"
# shellcheck source=/dev/null
. scripts/java-home.sh
cairn_pick_java
packages=("$@")
[ ${#packages[@]} -gt 0 ] || packages=(tar json image registry)
./mvnw -B -q -o -pl core test-compile
printf '%-10s %8s %8s %9s %12s %7s\n' package mutants killed survived no-coverage score
for p in "${packages[@]}"; do
  ./mvnw -B -q -o -P mutation -pl core org.pitest:pitest-maven:mutationCoverage \
    -Dpit.package="$p" -Dpit.threads="${THREADS:-2}" ${PIT_ARGS:-} >"core/target/pit-$p.log" 2>&1 ||
    { echo "$p: PIT failed, see core/target/pit-$p.log" >&2; continue; }
  # mutations.csv: file,class,mutator,method,line,status,killing test
  awk -F, -v p="$p" '
    { n++ }
    $6 == "KILLED" || $6 == "TIMED_OUT" || $6 == "MEMORY_ERROR" || $6 == "RUN_ERROR" { k++ }
    $6 == "SURVIVED" { s++ }
    $6 == "NO_COVERAGE" { u++ }
    END { printf "%-10s %8d %8d %9d %12d %6.1f%%\n", p, n, k, s, u, n ? 100 * k / n : 0 }
  ' "core/target/pit/$p/mutations.csv"
done
