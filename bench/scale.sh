#!/usr/bin/env bash
# How cairn's commands grow with the store: builds stores of 1,000, 10,000 and 50,000 nodes in
# the Docker 1.9 layout (vfs driver, chains of five empty layers, one tag per chain; written
# directly by bench/src/.../ScaleStore.java, as a Docker 1.9 daemon left them), on tmpfs, and
# times each command once per size, JVM start included:
#   first     the first command (`images`) on the store as Docker 1.9 left it, no index
#   images, images -a -q, inspect ID, history ID, tag ID NAME
#   pull      of an image the store already holds (a small image pushed to a private
#             docker-registry on loopback; pulled once untimed, then timed)
#   fsck      when the command exists (else the column says so)
# Prints the table and the ratios of the largest store against the smallest, beside the targets.
# Usage: bench/scale.sh            Env: SIZES (default "1000 10000 50000"), OUT_DIR (a tmpfs,
# default /dev/shm), LIMIT (seconds one command may take, default 900; longer shows as >LIMIT),
# RUNS (default 1: each command is run RUNS times and the median shown; the first command once).
# Needs docker-registry, skopeo, jq and curl (Debian packages of those names).
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
# The graph's index, relative to the store root: deleted before the first command is timed, so
# that it meets the store as a Docker 1.9 graph.
INDEX_FILE=graph/.index
sizes=${SIZES:-1000 10000 50000}
limit=${LIMIT:-900}
runs=${RUNS:-1}
bench_java
for tool in docker-registry skopeo jq curl; do
  need "$tool"
done
bench_work scale
cairn() { "$top/cairn" "$@"; }

# ---------------------------------------------------------------- a private registry, one image
registry_start small
small=$registry/scale/small:1
mkdir -p "$work/rootfs/etc"
echo scale >"$work/rootfs/etc/scale"
tar --numeric-owner --owner=0 --group=0 --mtime=@1700000000 -C "$work/rootfs" -cf "$work/rootfs.tar" .
# Builds the CLI if needed; these runs also record the launcher's start-up caches, so that no
# timed run pays for that.
cairn --root "$work/src" import "$work/rootfs.tar" scale/small:1 >/dev/null
cairn --root "$work/src" images >/dev/null
cairn --root "$work/src" save -o "$work/small.tar" scale/small:1
skopeo_ --insecure-policy copy --quiet --dest-tls-verify=false \
  "docker-archive:$work/small.tar" "docker://$small"
rm -rf "$work/src" "$work/small.tar"

# ---------------------------------------------------------------- timing
fsck=no
if cairn --help | grep -q '^  fsck '; then
  fsck=yes
fi
declare -A t
time_cmd() { # time_cmd SIZE COLUMN ARGS...: runs cairn --root STORE ARGS, records the median seconds
  local size=$1 col=$2 t0 t1 rc i n=$runs times=()
  shift 2
  [ "$col" != first ] || n=1 # only one run meets the store as Docker left it
  for ((i = 1; i <= n; i++)); do
    rc=0
    t0=$(date +%s%N)
    timeout "$limit" "$top/cairn" --root "$store" "${@//\{run\}/$i}" >"$work/out" 2>"$work/err" ||
      rc=$?
    t1=$(date +%s%N)
    if [ "$rc" = 124 ]; then
      t[$size,$col]=">$limit"
      return
    fi
    if [ "$rc" != 0 ]; then
      echo "scale.sh: cairn $* on $size nodes failed (exit $rc):" >&2
      tail -n 5 "$work/err" >&2
      t[$size,$col]=failed
      return
    fi
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')")
  done
  t[$size,$col]=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 }
    END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
}

# The launcher records its start-up cache on the first command after a build: that run is slow,
# so it happens here, on a small store, and not in the first size's timings.
"$JAVA_HOME/bin/java" "$top/bench/src/main/java/dev/cairn/bench/ScaleStore.java" "$work/warm" 50 >&2
for _ in 1 2; do
  "$top/cairn" --root "$work/warm" images >/dev/null
done
rm -rf "$work/warm"

load=$(cut -d' ' -f1-3 /proc/loadavg)
for n in $sizes; do
  store=$work/store-$n
  "$JAVA_HOME/bin/java" "$top/bench/src/main/java/dev/cairn/bench/ScaleStore.java" "$store" "$n" >&2
  # an image in the middle of the store, by its short ID, as a user types it
  id=$(jq -r '.Repositories | to_entries[0].value | to_entries | .[length / 2 | floor].value' \
    "$store/repositories-vfs")
  id=${id:0:12}
  rm -f "$store/$INDEX_FILE"
  time_cmd "$n" first images
  time_cmd "$n" images images
  time_cmd "$n" images-a-q images -a -q
  time_cmd "$n" inspect inspect "$id"
  time_cmd "$n" history history "$id"
  time_cmd "$n" tag tag "$id" "scale/tagged:{run}"
  "$top/cairn" --root "$store" pull -q "$small" >/dev/null
  time_cmd "$n" pull pull -q "$small"
  if [ "$fsck" = yes ]; then
    time_cmd "$n" fsck fsck
  else
    t[$n,fsck]="n/a"
  fi
  rm -rf "$store"
  echo "$n nodes done" >&2
done

cols=(images images-a-q inspect history tag pull first fsck)
heads=('`images`' '`images -a -q`' '`inspect ID`' '`history ID`' '`tag`' '`pull` (present)'
  'first command, no index' '`fsck`')
row() { # row CELL...: one line of a Markdown table
  local out='|'
  for c in "$@"; do out+=" $c |"; done
  echo "$out"
}
row 'N nodes' "${heads[@]}"
row --- --- --- --- --- --- --- --- ---
for n in $sizes; do
  cells=()
  for c in "${cols[@]}"; do
    v=${t[$n,$c]}
    [[ $v =~ ^[0-9.]+$ ]] && v="$v s"
    cells+=("$v")
  done
  row "$(sed ':a; s/\B[0-9]\{3\}\>/,&/; ta' <<<"$n")" "${cells[@]}"
done
echo
echo "(median of $runs run(s) per command and size, JVM start included, stores on $(stat -f -c %T "$work");" \
  "1-minute load before: ${load%% *})"
[ "$fsck" = yes ] || echo "(fsck: this cairn has no fsck command)"

# ---------------------------------------------------------------- against the targets
read -r -a all <<<"$sizes"
small_n=${all[0]}
large_n=${all[${#all[@]} - 1]}
[ "$small_n" != "$large_n" ] || exit 0
echo
printf '%-22s %10s %10s %8s %10s  %s\n' command "$small_n" "$large_n" ratio target verdict
verdict() { # verdict VALUE LIMIT: ok when VALUE <= LIMIT
  awk -v v="$1" -v l="$2" 'BEGIN { print (v + 0 <= l + 0) ? "ok" : "MISSED" }'
}
ratio_line() { # ratio_line LABEL COLUMN TARGET
  local a=${t[$small_n,$2]} b=${t[$large_n,$2]} r
  if [[ $a =~ ^[0-9.]+$ && $b =~ ^[0-9.]+$ ]]; then
    r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }')
    printf '%-22s %10s %10s %8s %10s  %s\n' "$1" "$a" "$b" "${r}x" "<= ${3}x" "$(verdict "$r" "$3")"
  else
    printf '%-22s %10s %10s %8s %10s  %s\n' "$1" "$a" "$b" - "<= ${3}x" "not measured"
  fi
}
absolute_line() { # absolute_line LABEL COLUMN SECONDS: the largest store's time against a limit
  local b=${t[$large_n,$2]}
  if [[ $b =~ ^[0-9.]+$ ]]; then
    printf '%-22s %10s %10s %8s %10s  %s\n' "$1" - "$b" - "<= ${3} s" "$(verdict "$b" "$3")"
  else
    printf '%-22s %10s %10s %8s %10s  %s\n' "$1" - "$b" - "<= ${3} s" "not measured"
  fi
}
ratio_line images images 2.5
ratio_line "images -a -q" images-a-q 2.5
ratio_line inspect inspect 1.5
ratio_line history history 1.5
ratio_line tag tag 1.5
ratio_line "pull (present)" pull 1.5
absolute_line "first, no index" first 10
absolute_line fsck fsck 30
