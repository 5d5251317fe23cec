# Sourced by ./cairn and ./test.sh: sets JAVA_HOME to a JDK of version 25 or newer.
# Order: $JAVA_HOME when it is new enough, else the newest suitable JDK under /usr/lib/jvm.

cairn_java_feature() { # prints the feature version of the JDK at $1, or nothing
  local release="$1/release" v
  [ -x "$1/bin/java" ] || return 0
  if [ -f "$release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  fi
  if [ -z "$v" ]; then
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 |
      sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  fi
  printf '%s' "$v"
}

cairn_pick_java() {
  local min=25 best="" best_v=0 d v
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(cairn_java_feature "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge "$min" ]; then
      export JAVA_HOME
      return 0
    fi
  fi
  for d in /usr/lib/jvm/*/; do
    d=${d%/}
    [ -L "$d" ] && continue
    v=$(cairn_java_feature "$d")
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
