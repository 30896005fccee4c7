#!/bin/sh
# `rcuvfs mount --fs hostfs:watch=W,dir=HOST`: the kernel caches names and attributes
# for good (the server chose the coherent timeouts) and still sees every host change.
#
#   coherent_e2e.sh RCUVFS_BINARY HOST_LAG_BINARY
#
#  1. find and stat over a tree, five times with pauses longer than the old 1-s
#     timeouts: the later passes are served by the kernel's cache (the server's own
#     stat count after five passes stays below twice that of one pass).
#  2. host_lag: create, chmod, append, rename and unlink on the host, each shown through
#     the mount (within its 5-s bound; the lag figures are printed).
#  3. The server's change queue forced to overflow (--change-queue 1) by a burst of host
#     changes to cached files: everything the kernel held is dropped, and the mount then
#     shows exactly the host's tree.
#
# RCUVFS_TREE_FILES: files in the tree of step 1 (default 2000); RCUVFS_LAG_ROUNDS:
# host_lag's rounds (default 200); RCUVFS_HOST_WATCH: hostfs's watch= (default 1).
# Exit 77 (ctest SKIP) when FUSE cannot run here.
set -eu
BIN=$1
LAG=$2
export LC_ALL=C
. "$(dirname "$0")/lib.sh"
FILES=${RCUVFS_TREE_FILES:-2000}
ROUNDS=${RCUVFS_LAG_ROUNDS:-200}
WATCH=${RCUVFS_HOST_WATCH:-1}

skip_unless_fuse_works

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rcuvfs-fuse-coherent.XXXXXX")
HOST=$WORK/host
MNT=$WORK/mnt
LOG=$WORK/server.log
PID=
mkdir "$HOST" "$MNT"
cleanup() {
  cd /
  unmount_if_mounted "$MNT"
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# serve [ARGS...]: mount HOST on MNT in the background, with the exit report.
serve() {
  "$BIN" mount -f --exit-report --fs "hostfs:watch=$WATCH,dir=$HOST" "$@" "$MNT" 2>"$LOG" &
  PID=$!
  wait_mounted "$MNT"
}
# stop_server: unmount, wait for the server, and leave its exit report in $REPORT.
stop_server() {
  fusermount3 -u "$MNT" || fail "fusermount3 -u"
  wait "$PID" || fail "the server exited with status $?"
  PID=
  REPORT=$(grep '^rcuvfs mount: exit: ' "$LOG") || fail "no exit report"
  [ "$(grep -vc '^rcuvfs mount: exit: ' "$LOG")" = 0 ] || fail "the server reported errors"
}
# stats: the server's stat count (speculative + fell back) from its exit report.
stats() {
  echo "$REPORT" | sed -n 's/.*stats: \([0-9]*\) speculative, \([0-9]*\) fell back.*/\1 \2/p' |
    awk '{ print $1 + $2 }'
}
# pass: find and stat every object through the mount.
pass() {
  find "$MNT/tree" | xargs stat -c '%n %a %s' > /dev/null || fail "find | stat"
}

echo "== a tree of $FILES files on the host"
mkdir "$HOST/tree"
d=0
while [ $((d * 100)) -lt "$FILES" ]; do
  mkdir "$HOST/tree/d$d"
  i=0
  while [ $i -lt 100 ]; do : > "$HOST/tree/d$d/f$i"; i=$((i + 1)); done
  d=$((d + 1))
done

echo "== 1. the kernel caches for good"
serve
pass
stop_server
case $REPORT in *"timeouts 86400/86400 s"*) ;; *) fail "not the coherent timeouts: $REPORT" ;; esac
one=$(stats)
serve
for n in 1 2 3 4 5; do
  pass
  [ $n = 5 ] || sleep 1.2
done
stop_server
five=$(stats)
echo "   server stats: one pass $one, five passes $five"
[ "$five" -lt $((2 * one)) ] || fail "five passes cost $five server stats, one pass $one"

echo "== 2. host changes show through the mount"
serve
"$LAG" "$HOST" "$MNT" "$ROUNDS" || fail "host_lag"
stop_server

echo "== 3. overflow: everything the kernel held is dropped"
serve --change-queue 1
pass
# A burst of changes to what the kernel holds, one host call each: modes, sizes,
# names. Most of their events are lost to overflows.
chmod 600 "$HOST"/tree/d0/f*
truncate -s 7 "$HOST"/tree/d3/f*
(cd "$HOST/tree/d1" && for i in 0 1 2 3 4 5 6 7 8 9; do mv "f$i" "g$i"; done)
rm -r "$HOST/tree/d2"
# The last host change is seen once the mount shows it; then nothing may differ.
i=0
until [ ! -e "$MNT/tree/d2" ]; do
  i=$((i + 1))
  [ $i -le 100 ] || fail "rm -r on the host never showed through the mount"
  sleep 0.05
done
list() { (cd "$1" && find . -printf '%p %y %m %s %n\n' | sort); }
list "$HOST/tree" > "$WORK/host.list"
list "$MNT/tree" > "$WORK/mnt.list"
diff "$WORK/host.list" "$WORK/mnt.list" || fail "the mount differs from the host after the burst"
stop_server
overflows=$(echo "$REPORT" | sed -n 's/.*, \([0-9]*\) overflows.*/\1/p')
echo "   $overflows overflows"
[ "${overflows:-0}" -gt 0 ] || fail "the burst did not overflow the change queue: $REPORT"
echo "PASS"
