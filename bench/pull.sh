#!/usr/bin/env bash
# cairn pull beside podman (vfs driver) and skopeo copy + umoci unpack, same images, same run.
# Usage: bench/pull.sh PEERS_DIR [RUNS]
#   PEERS_DIR: the peer-baseline scripts (registry.sh, make-images.sh, lib.sh); their registry
#   serves big (4 x 64 MiB gzip layers), small-files (30,000 files) and chain on 127.0.0.1:5000.
#   RUNS (default 3): rounds; each round pulls every image with each tool in turn (same load for
#   all three), into fresh outputs on a tmpfs; the medians are printed with the ratios.
#   Then a 2 GiB single-layer image (made here once from a deterministic stream, pushed as
#   huge:latest) is pulled by cairn alone to check its peak RSS.
# Times are wall clock around the command (JVM start included for cairn); RSS is /usr/bin/time's
# maximum resident set of the largest process. Needs root, podman, skopeo, umoci, pigz, jq.
# Env: IMAGES (default "big small-files"), HUGE=0 skips the 2 GiB check, OUT_DIR (a tmpfs,
# default /dev/shm) for the outputs.
set -euo pipefail
umask 022
export LC_ALL=C
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
peers=$(cd "${1:?usage: bench/pull.sh PEERS_DIR [RUNS]}" && pwd)
runs=${2:-3}
images=${IMAGES:-big small-files}
base=${OUT_DIR:-/dev/shm}
# shellcheck source=/dev/null
source "$peers/lib.sh"
need pigz
need jq
need umoci
need podman

"$peers/registry.sh" start >/dev/null
for img in $images; do
  if ! curl -fs -o /dev/null -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$REG/v2/$img/manifests/oci"; then
    "$peers/make-images.sh" >/dev/null
    break
  fi
done

work=$(mktemp -d "$base/cairn-pull-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Every tool's output and scratch on the same tmpfs; podman's state confined there too.
PODROOT=$work/podroot PODRUN=$work/podrun PODMAN_BASE=$work/podman TMPDIR=$work/tmp
VARLIB=$work/varlib VARTMP=$work/vartmp
mkdir -p "$TMPDIR"
write_podman_conf

# ---------------------------------------------------------------- the 2 GiB image, made once
make_huge() {
  local lay=$WORK/oci/huge stage=$WORK/stage/huge
  rm -rf "$lay" "$stage"
  mkdir -p "$lay/blobs/sha256" "$stage/data"
  # Incompressible base64 lines of an AES-CTR keystream alternating with counter-stamped log
  # lines: deterministic, and gzip shrinks it about 2.9x, like the other images.
  paste -d'\n' \
    <(openssl enc -aes-256-ctr -pass pass:huge -nosalt -pbkdf2 -in /dev/zero 2>/dev/null |
      base64 -w 76) \
    <(seq -f '%012.0f INFO component=bench event=huge.write status=ok msg="lorem ipsum"' 1 1e9) \
    2>/dev/null | head -c $((2 << 30)) >"$stage/data/huge.bin" || true
  touch -d @1700000000 "$stage/data/huge.bin" "$stage/data"
  local diff layer
  diff=$(tar --format=gnu --numeric-owner --owner=0 --group=0 -C "$stage" -cf - data |
    tee >(pigz -n -6 >"$lay/layer.gz") | sha256sum | cut -d' ' -f1)
  layer=$(sha256sum "$lay/layer.gz" | cut -d' ' -f1)
  mv "$lay/layer.gz" "$lay/blobs/sha256/$layer"
  jq -cn --arg d "sha256:$diff" '{architecture:"amd64",os:"linux",
    created:"2023-11-14T22:13:20Z",config:{},rootfs:{type:"layers",diff_ids:[$d]},
    history:[{created:"2023-11-14T22:13:20Z",created_by:"bench huge layer"}]}' >"$lay/config"
  local config csize lsize msize manifest
  config=$(sha256sum "$lay/config" | cut -d' ' -f1)
  csize=$(stat -c %s "$lay/config")
  mv "$lay/config" "$lay/blobs/sha256/$config"
  lsize=$(stat -c %s "$lay/blobs/sha256/$layer")
  jq -cn --arg c "sha256:$config" --argjson cs "$csize" --arg l "sha256:$layer" \
    --argjson ls "$lsize" '{schemaVersion:2,
    mediaType:"application/vnd.oci.image.manifest.v1+json",
    config:{mediaType:"application/vnd.oci.image.config.v1+json",digest:$c,size:$cs},
    layers:[{mediaType:"application/vnd.oci.image.layer.v1.tar+gzip",digest:$l,size:$ls}]}' \
    >"$lay/manifest"
  manifest=$(sha256sum "$lay/manifest" | cut -d' ' -f1)
  msize=$(stat -c %s "$lay/manifest")
  mv "$lay/manifest" "$lay/blobs/sha256/$manifest"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$lay/oci-layout"
  jq -cn --arg m "sha256:$manifest" --argjson ms "$msize" '{schemaVersion:2,
    manifests:[{mediaType:"application/vnd.oci.image.manifest.v1+json",digest:$m,size:$ms,
    annotations:{"org.opencontainers.image.ref.name":"latest"}}]}' >"$lay/index.json"
  rm -rf "$stage"
  skopeo_ copy -q --dest-tls-verify=false "oci:$lay:latest" "docker://$REG/huge:latest"
}
if [[ ${HUGE:-1} == 1 ]] && ! curl -fs -o /dev/null \
  -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/huge/manifests/latest"; then
  echo "making and pushing the 2 GiB image huge:latest (once)..." >&2
  make_huge
fi

# ---------------------------------------------------------------- timing
raw=$work/raw.tsv
: >"$raw"
timed() { # timed TOOL IMAGE COMMAND...: appends "tool image seconds rss_kb" to $raw
  local tool=$1 img=$2 t0 t1
  shift 2
  sync
  t0=$(date +%s%N)
  if ! /usr/bin/time -f %M -o "$work/.rss" "$@" >"$work/.log" 2>&1; then
    echo "$tool $img failed:" >&2
    tail -n 5 "$work/.log" >&2
    exit 1
  fi
  t1=$(date +%s%N)
  printf '%s\t%s\t%s\t%s\n' "$tool" "$img" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')" \
    "$(tail -n 1 "$work/.rss")" >>"$raw"
}
skopeo_umoci() { # the two steps a user of those tools runs, timed as one
  skopeo_ copy -q --src-tls-verify=false "docker://$REG/$1:latest" "oci:$work/oci:latest" &&
    umoci unpack --image "$work/oci:latest" "$work/bundle"
}
export -f skopeo_umoci confine skopeo_ podman_
export work REG PODROOT PODRUN PODMAN_BASE PODMAN_CONF TMPDIR VARLIB VARTMP

cairn=("$here/cairn" --root "$work/cairn")
rm -rf "$work/cairn"
"${cairn[@]}" pull -q "$REG/chain:latest" >/dev/null # builds the jar, writes the class archive
driver=$(ls "$work/cairn" | grep -x -e overlay -e vfs || echo unknown)

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ((r = 1; r <= runs; r++)); do
  for img in $images; do
    rm -rf "$work/cairn"
    timed cairn "$img" "${cairn[@]}" pull -q "$REG/$img:latest"
    rm -rf "$work/cairn"
    podman_clean
    clean_tool_caches
    timed podman-vfs "$img" bash -c 'podman_ pull -q --tls-verify=false "$0/$1:latest"' \
      "$REG" "$img"
    podman_clean
    clean_tool_caches
    rm -rf "$work/oci" "$work/bundle"
    timed skopeo+umoci "$img" bash -c 'skopeo_umoci "$0"' "$img"
    rm -rf "$work/oci" "$work/bundle"
    clean_tool_caches
  done
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)" >&2

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
col() { awk -F'\t' -v t="$1" -v i="$2" -v c="$3" '$1 == t && $2 == i { print $c }' "$raw" | median; }
printf '\n%-12s %9s %9s %13s %14s %14s %10s %11s\n' image cairn_s podman_s skopeo+umoci_s \
  cairn/podman cairn/skopeo+ cairn_MiB podman_MiB
for img in $images; do
  c=$(col cairn "$img" 3) p=$(col podman-vfs "$img" 3) s=$(col skopeo+umoci "$img" 3)
  cr=$(col cairn "$img" 4) pr=$(col podman-vfs "$img" 4)
  awk -v i="$img" -v c="$c" -v p="$p" -v s="$s" -v cr="$cr" -v pr="$pr" 'BEGIN {
    printf "%-12s %9.2f %9.2f %13.2f %14.2f %14.2f %10.0f %11.0f\n",
      i, c, p, s, c / p, c / s, cr / 1024, pr / 1024 }'
done
echo "(medians of $runs rounds; outputs on $(stat -f -c %T "$work"); cairn's storage driver: $driver)"

echo "every run (seconds):"
for tool in cairn podman-vfs skopeo+umoci; do
  for img in $images; do
    printf '  %-13s %-12s %s\n' "$tool" "$img" "$(awk -F'\t' -v t="$tool" -v i="$img" \
      '$1 == t && $2 == i { printf "%s ", $3 }' "$raw")"
  done
done

if [[ ${HUGE:-1} == 1 ]]; then
  rm -rf "$work/cairn"
  timed cairn huge "${cairn[@]}" pull -q "$REG/huge:latest"
  rss=$(col cairn huge 4)
  awk -v t="$(col cairn huge 3)" -v r="$rss" 'BEGIN {
    printf "\n2 GiB single layer: cairn %.2f s, peak RSS %.0f MiB (target <= 300 MiB: %s)\n",
      t, r / 1024, (r <= 300 * 1024 ? "met" : "NOT met") }'
  rm -rf "$work/cairn"
fi
