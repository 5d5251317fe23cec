#!/usr/bin/env bash
# Builds the benchmark jar and runs JMH; arguments go to JMH (e.g. a benchmark name regex, -f 1).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/java-home.sh"
cairn_pick_java
(cd "$root" && ./mvnw -q -B -pl bench -am -DskipTests -Dspotless.check.skip=true package)
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$root/bench/target/benchmarks.jar" "$@"
