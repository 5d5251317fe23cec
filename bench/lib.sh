# shellcheck shell=bash
# What the bench scripts share; sourced, never run. Everything a script starts (registries,
# dockerd, cairn serve) is stopped by its PID when the script ends, and everything it writes
# goes into one work directory on a tmpfs ($OUT_DIR, default /dev/shm), removed at the end.
# Only the benchmark images are kept between runs, in $BENCH_IMAGES (default
# /tmp/cairn-bench-images), made again when bench/images.py changes.
set -euo pipefail
umask 022
export LC_ALL=C
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$bench_dir")
cairn=$top/cairn

# ---------------------------------------------------------------- clean-up, work directory

bench_exit_steps=()
bench_at_exit() { bench_exit_steps+=("$*"); }
bench_cleanup() { # the steps in reverse order, each whatever the others did
  local i
  for ((i = ${#bench_exit_steps[@]} - 1; i >= 0; i--)); do
    eval "${bench_exit_steps[$i]}" || true
  done
}
trap bench_cleanup EXIT

# bench_work NAME: sets $work, a fresh directory on the tmpfs, removed at exit
bench_work() {
  local base=${OUT_DIR:-/dev/shm}
  [ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
  work=$(mktemp -d "$base/cairn-$1-bench.XXXXXX")
  bench_at_exit "rm -rf '$work'"
  private_ns=(unshare --mount --propagation private -- /bin/sh -c '
    mkdir -p "$0/lib" "$0/tmp" && chmod 1777 "$0/tmp" &&
      mount --bind "$0/lib" /var/lib && mount --bind "$0/tmp" /var/tmp && exec "$@"' "$work/ns")
}

# ---------------------------------------------------------------- tools

# need TOOL [PACKAGE]: stops the script when a tool it cannot do without is missing
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "$(basename "$0"): $1 is missing (Debian: apt-get install ${2:-$1})" >&2
  exit 1
}

# have TOOL [PACKAGE]: whether a peer tool is installed; says so in the output when it is not
have() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "$1: not installed, skipped (Debian: apt-get install ${2:-$1})"
  return 1
}

# bench_java: JAVA_HOME to a JDK 25 or newer, as ./cairn picks it
bench_java() {
  # shellcheck source=../scripts/java-home.sh
  . "$top/scripts/java-home.sh"
  cairn_pick_java
}

# bench_jar: sets $jar to bench/target/benchmarks.jar, built when missing or older than a source
bench_jar() {
  bench_java
  jar=$bench_dir/target/benchmarks.jar
  if [ ! -f "$jar" ] || [ -n "$(find "$top/core/src/main" "$bench_dir/src" -newer "$jar" -print -quit)" ]; then
    (cd "$top" && ./mvnw -q -B -pl bench -am -DskipTests -Dspotless.check.skip=true package)
  fi
}

# bench_cairn: builds the command line tool if needed and warms its launcher's start-up cache,
# so that no timed run pays for either
bench_cairn() {
  "$cairn" --help >/dev/null
  "$cairn" --help >/dev/null
}

# Container tools run as root write a cache under /var/lib/containers and temporary files under
# /var/tmp, whatever their flags say. "${private_ns[@]}" COMMAND runs a command in a mount namespace
# of its own where both are directories in $work (set by bench_work), so that nothing outside
# $work changes and each run can start without that cache (clear_tool_caches).
in_private_ns() { "${private_ns[@]}" "$@"; }
clear_tool_caches() { rm -rf "${work:?}/ns"; }
skopeo_() { in_private_ns skopeo "$@"; }

# ---------------------------------------------------------------- processes by PID

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# started PID: a process of this script's own, stopped at exit unless stop_pid stopped it first
# (so that no PID is signalled once it may belong to another process)
declare -A bench_running=()
started() {
  bench_running[$1]=1
  bench_at_exit "stop_pid $1"
}
# stop_pid PID: TERM, then KILL after 10 s; only a process started here, and only once
stop_pid() {
  local pid=$1 i
  [ -n "${bench_running[$pid]:-}" ] || return 0
  unset "bench_running[$pid]"
  kill "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# registry_start NAME [YAML]: a Docker Distribution registry (Debian's docker-registry) on a free
# loopback port, its storage, config and log in $work/registry.NAME, YAML appended to its config.
# Sets $registry (host:port) and $registry_pid; stopped at exit, or earlier by registry_stop.
# Schema1 manifests are accepted (chain-s1); registry_access_log=yes logs every request.
registry_start() {
  local dir=$work/registry.$1 port i
  port=$(free_port)
  mkdir -p "$dir/storage"
  cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: $([ "${registry_access_log:-no}" = yes ] && echo false || echo true)
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: cairn-bench-only
compatibility:
  schema1:
    enabled: true
${2:-}
YAML
  docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 </dev/null &
  registry_pid=$!
  registry=127.0.0.1:$port
  started "$registry_pid"
  for ((i = 0; i < 200; i++)); do
    curl -fs -o /dev/null "http://$registry/v2/" && return 0
    kill -0 "$registry_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "registry $1 did not start:" >&2
  tail -n 5 "$dir/log" >&2
  exit 1
}
registry_stop() { stop_pid "$registry_pid"; }

# dockerd_start NAME: a dockerd of its own (Debian's docker.io: dockerd with its own containerd),
# its socket, data, exec root and config in $work/dockerd.NAME, no network set-up. Sets
# $dockerd_sock and $dockerd_pid; stopped at exit, or earlier by dockerd_stop.
dockerd_start() {
  local dir=$work/dockerd.$1 i
  mkdir -p "$dir"
  # its own key file: dockerd would otherwise write one under /etc/docker
  printf '{"deprecated-key-path": "%s"}\n' "$dir/key.json" >"$dir/daemon.json"
  dockerd --host="unix://$dir/docker.sock" --config-file="$dir/daemon.json" \
    --data-root="$dir/data" --exec-root="$dir/exec" --pidfile="$dir/dockerd.pid" \
    --iptables=false --ip6tables=false --ip-masq=false --bridge=none --userland-proxy=false \
    --storage-driver=overlay2 --log-level=warn >"$dir/log" 2>&1 </dev/null &
  dockerd_pid=$!
  dockerd_sock=$dir/docker.sock
  bench_at_exit "umount -R '$dir/data' 2>/dev/null" # after it stops (steps run last first)
  started "$dockerd_pid"
  export DOCKER_CONFIG=$work/docker-config
  mkdir -p "$DOCKER_CONFIG"
  wait_for_engine "$dockerd_sock" || {
    tail -n 5 "$dir/log" >&2
    exit 1
  }
}
# dockerd_stop: the last one started; its mounts go with it
dockerd_stop() {
  stop_pid "$dockerd_pid"
  umount -R "$(dirname "$dockerd_sock")/data" 2>/dev/null || true
}

# wait_for_engine SOCKET: until the docker CLI gets an answer there (60 s at most)
wait_for_engine() {
  local i
  for ((i = 0; i < 1200; i++)); do
    DOCKER_HOST=unix://$1 docker version >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "nothing answers on $1" >&2
  return 1
}

# ---------------------------------------------------------------- the benchmark images

# make_images NAME...: makes the benchmark images as OCI layouts (bench/images.py), kept in
# $images_dir (BENCH_IMAGES, default /tmp/cairn-bench-images) and made again only when
# images.py changes
make_images() {
  need python3
  need tar
  need gzip
  images_dir=${BENCH_IMAGES:-/tmp/cairn-bench-images}
  python3 "$bench_dir/images.py" "$images_dir" "$@"
}

# push_images REGISTRY NAME...: makes the images and pushes each as NAME:latest (Docker schema2);
# chain-s1 is chain pushed as a signed schema1 manifest
push_images() {
  local reg=$1 name want=()
  shift
  need skopeo
  for name in "$@"; do
    [ "$name" = chain-s1 ] && want+=(chain) || want+=("$name")
  done
  make_images "${want[@]}"
  for name in "$@"; do
    if [ "$name" = chain-s1 ]; then
      skopeo_ copy -q --dest-tls-verify=false --format v2s1 \
        "oci:$images_dir/chain:latest" "docker://$reg/chain-s1:latest"
    else
      skopeo_ copy -q --dest-tls-verify=false --format v2s2 \
        "oci:$images_dir/$name:latest" "docker://$reg/$name:latest"
    fi
  done
}

# ---------------------------------------------------------------- timing and figures

# timed LABEL COMMAND...: runs COMMAND and appends "seconds max_rss_KiB" to $work/LABEL.times
# (seconds of wall clock around it, the resident set of its largest process); a failure stops
# the script with the end of the command's output
timed() {
  local label=$1 t0 t1
  shift
  t0=$(date +%s%N)
  if ! /usr/bin/time -f %M -o "$work/.rss" "$@" >"$work/$label.log" 2>&1; then
    echo "$label failed: $*" >&2
    tail -n 5 "$work/$label.log" >&2
    exit 1
  fi
  t1=$(date +%s%N)
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }') $(tail -n 1 "$work/.rss")" \
    >>"$work/$label.times"
}

median() { # of the numbers on stdin, one a line
  sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
# seconds LABEL: the median seconds of LABEL's runs; rss LABEL: their largest RSS in MiB
seconds() { cut -d' ' -f1 "$work/$1.times" | median; }
rss() { cut -d' ' -f2 "$work/$1.times" | sort -n | tail -n 1 | awk '{ printf "%.0f", $1 / 1024 }'; }
runs_of() { tr '\n' ' ' <"$work/$1.times" | awk '{ for (i = 1; i <= NF; i += 2) printf "%s ", $i }'; }

# ratio A B: A / B to two places
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
# ratio_line TEXT A B [TARGET]: "  TEXT  A/B  (target TARGET)"
ratio_line() {
  printf '  %-34s %6s%s\n' "$1" "$(ratio "$2" "$3")" "${4:+   (target $4)}"
}

load_average() { cut -d' ' -f1-3 /proc/loadavg; }
