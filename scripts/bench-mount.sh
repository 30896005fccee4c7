#!/bin/sh
# `find DIR -type f | xargs stat` over one host tree, side by side in one run: the host
# tree itself, `rcuvfs mount --fs hostfs:watch=1,dir=TREE` (the kernel caches for good,
# the server invalidates what changes), `rcuvfs mount --fs hostfs:watch=0,dir=TREE` (1-s
# kernel timeouts), and bindfs with zero timeouts when it is installed. Each is timed
# warm: one run to fill the caches, then the median of ROUNDS runs.
#
#   scripts/bench-mount.sh RCUVFS_BINARY [FILES] [ROUNDS]
#
# Needs /dev/fuse and fusermount3 (root, or a user allowed to mount FUSE).
set -eu
BIN=$1
FILES=${2:-9000}
ROUNDS=${3:-5}
export LC_ALL=C
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rcuvfs-bench-mount.XXXXXX")
TREE=$WORK/tree
MNT=$WORK/mnt
PID=
mkdir "$TREE" "$MNT"
cleanup() {
  cd /
  if grep -q " $MNT fuse" /proc/self/mounts; then fusermount3 -u "$MNT" || true; fi
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

d=0
while [ $((d * 100)) -lt "$FILES" ]; do
  mkdir -p "$TREE/d$((d / 10))/e$d"
  i=0
  while [ $i -lt 100 ]; do printf '%s\n' $i > "$TREE/d$((d / 10))/e$d/f$i"; i=$((i + 1)); done
  d=$((d + 1))
done

now() { date +%s.%N; }
# warm DIR: the median wall time of ROUNDS runs, after one that fills the caches.
warm() {
  find "$1" -type f | xargs stat > /dev/null
  r=0
  while [ $r -lt "$ROUNDS" ]; do
    t0=$(now)
    find "$1" -type f | xargs stat > /dev/null
    awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.4f\n", b - a }'
    r=$((r + 1))
  done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
mounted() {
  i=0
  until grep -q " $MNT fuse" /proc/self/mounts; do
    i=$((i + 1)); [ $i -le 100 ] || { echo "mount failed" >&2; exit 1; }; sleep 0.1
  done
}
serve() {
  "$@" &
  PID=$!
  mounted
}
unserve() {
  fusermount3 -u "$MNT"
  wait "$PID" || true
  PID=
}

host=$(warm "$TREE")
serve "$BIN" mount -f --fs "hostfs:watch=1,dir=$TREE" "$MNT"
coherent=$(warm "$MNT")
unserve
serve "$BIN" mount -f --fs "hostfs:watch=0,dir=$TREE" "$MNT"
ttl=$(warm "$MNT")
unserve
bindfs=
if command -v bindfs > /dev/null 2>&1; then
  serve bindfs -f -o entry_timeout=0,attr_timeout=0,negative_timeout=0 "$TREE" "$MNT"
  bindfs=$(warm "$MNT")
  unserve
fi

echo "find -type f | xargs stat over $FILES files, warm, median of $ROUNDS:"
row() { awk -v n="$1" -v t="$2" -v h="$host" 'BEGIN { printf "  %-44s %8.3f s  %6.2fx the host\n", n, t, t / h }'; }
row "host tree" "$host"
row "rcuvfs mount, hostfs watch=1 (coherent)" "$coherent"
row "rcuvfs mount, hostfs watch=0 (1-s timeouts)" "$ttl"
if [ -n "$bindfs" ]; then
  row "bindfs, zero timeouts" "$bindfs"
  awk -v b="$bindfs" -v c="$coherent" 'BEGIN { printf "  coherent rcuvfs mount vs bindfs: %.1fx faster\n", b / c }'
fi
