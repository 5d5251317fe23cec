#!/usr/bin/env bash
# Runs every test. As root, first installs the Debian packages the tests use when one is missing.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
cd "$here"

# command -> Debian package
needed=(docker-registry:docker-registry skopeo:skopeo tar-split:tar-split go:golang-go htpasswd:apache2-utils openssl:openssl podman:podman)
missing=()
for pair in "${needed[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
# ISA-L: gunzip and CRC-64 for pulls (without it the JDK's code serves; the tests check both agree).
ldconfig -p 2>/dev/null | grep -q 'libisal\.so\.2 ' || missing+=(libisal2)
# Zone files: local time as docker's command line prints it is held against Go's for each of them.
[ -d /usr/share/zoneinfo ] || missing+=(tzdata)
# dockerd 20.10, the reference the differential tests compare with; the docker CLI already first on
# PATH stays first. Installed without its recommends (apparmor, needrestart, git, ...), which the
# tests do not use; its postinst starts no daemon where no init system runs.
lean=()
command -v dockerd >/dev/null 2>&1 || lean+=(docker.io)
if [ $((${#missing[@]} + ${#lean[@]})) -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "test.sh: installing ${missing[*]} ${lean[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    [ ${#missing[@]} -eq 0 ] || apt-get install -y -q "${missing[@]}"
    [ ${#lean[@]} -eq 0 ] || apt-get install -y -q --no-install-recommends "${lean[@]}"
  else
    echo "test.sh: missing ${missing[*]} ${lean[*]}; tests that need them are skipped (run as root to install)" >&2
  fi
fi

. "$here/scripts/java-home.sh"
cairn_pick_java
echo "test.sh: using $JAVA_HOME" >&2
exec ./mvnw -B -ntp verify "$@"
