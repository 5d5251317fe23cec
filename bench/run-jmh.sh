#!/usr/bin/env bash
# Builds the benchmark jar and runs JMH; arguments go to JMH (e.g. a benchmark name regex, -f 1).
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_jar
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$jar" "$@"
