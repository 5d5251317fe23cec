# Sourced by ./cairn and ./test.sh: sets JAVA_HOME to a JDK of version 25 or newer.
# Order: $JAVA_HOME when it is new enough, else the newest suitable JDK under /usr/lib/jvm.

cairn_java_feature() { # sets cairn_feature to the feature version of the JDK at $1, or to nothing
  local line
  cairn_feature=
  [ -x "$1/bin/java" ] || return 0
  if [ -f "$1/release" ]; then # read without a child process: the launcher runs this every time
    while IFS= read -r line || [ -n "$line" ]; do
      if [[ $line =~ ^JAVA_VERSION=\"([0-9]+) ]]; then
        cairn_feature=${BASH_REMATCH[1]}
        break
      fi
    done <"$1/release"
  fi
  if [ -z "$cairn_feature" ]; then
    cairn_feature=$("$1/bin/java" -XshowSettings:properties -version 2>&1 |
      sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  fi
}

cairn_pick_java() {
  local min=25 best="" best_v=0 d v
  if [ -n "${JAVA_HOME:-}" ]; then
    cairn_java_feature "$JAVA_HOME"
    v=$cairn_feature
    if [ -n "$v" ] && [ "$v" -ge "$min" ]; then
      export JAVA_HOME
      return 0
    fi
  fi
  for d in /usr/lib/jvm/*/; do
    d=${d%/}
    [ -L "$d" ] && continue
    cairn_java_feature "$d"
    v=$cairn_feature
    if [ -n "$v" ] && [ "$v" -ge "$min" ] && [ "$v" -gt "$best_v" ]; then
      best=$d best_v=$v
    fi
  done
  if [ -z "$best" ]; then
    echo "cairn: needs a JDK $min or newer; set JAVA_HOME to one or install it (Debian: a temurin-$min-jdk or openjdk-$min-jdk package)" >&2
    return 1
  fi
  export JAVA_HOME="$best"
}
