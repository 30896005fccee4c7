#!/bin/sh
# `rcuvfs mount` refuses a mount point it cannot serve before mounting anything, with
# status 2 and a message that says why: a regular file (ENOTDIR; libfuse would mount a
# file-typed root whose every access fails with EIO), and the stale mount a killed
# server leaves behind (ENOTCONN, with the command that clears it).
#
#   mount_errors.sh RCUVFS_BINARY
#
# Exit 77 (ctest SKIP) when /dev/fuse or fusermount3 is missing.
set -eu
BIN=$1
export LC_ALL=C
. "$(dirname "$0")/lib.sh"

skip_unless_fuse_works

WORK=$(mktemp -d /tmp/rcuvfs-fuse-errors.XXXXXX)
LOG=$WORK/server.log
PID=
cleanup() {
  cd /
  for m in "$WORK/file" "$WORK/stale"; do unmount_if_mounted "$m"; done
  if [ -n "$PID" ]; then kill -KILL "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# refused MP MESSAGE: `rcuvfs mount MP` exits 2 and prints exactly MESSAGE.
refused() {
  rc=0
  "$BIN" mount "$1" 2>"$WORK/err" || rc=$?
  [ $rc -eq 2 ] || fail "mount on $1: want status 2, got $rc"
  [ "$(cat "$WORK/err")" = "$2" ] || fail "mount on $1: want '$2', got '$(cat "$WORK/err")'"
}

echo "== a regular file as the mount point"
touch "$WORK/file"
refused "$WORK/file" "rcuvfs mount: $WORK/file: Not a directory"
! is_mounted "$WORK/file" || fail "a regular file got mounted on"

echo "== the stale mount of a killed server"
mkdir "$WORK/stale"
"$BIN" mount -f "$WORK/stale" 2>"$LOG" &
PID=$!
wait_mounted "$WORK/stale"
kill -KILL "$PID"
wait "$PID" || true
PID=
out=$(stat "$WORK/stale" 2>&1) && fail "the mount of a killed server still answers"
case $out in *"Transport endpoint is not connected"*) ;; *) fail "not stale: $out" ;; esac
refused "$WORK/stale" "rcuvfs mount: $WORK/stale: Transport endpoint is not connected \
(a server that ended without unmounting left it: run fusermount3 -u $WORK/stale)"
fusermount3 -u "$WORK/stale" || fail "fusermount3 -u of the stale mount"
"$BIN" mount "$WORK/stale" || fail "mount after fusermount3 -u"
fusermount3 -u "$WORK/stale" || fail "fusermount3 -u"

echo "PASS"
