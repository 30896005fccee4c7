# Sourced by the FUSE end-to-end scripts: the checks that skip them (exit 77, ctest's
# SKIP) where FUSE cannot run, and the helpers they share. fail prints the end of
# $LOG, the server's standard error.
SKIP=77

skip_unless_fuse_works() {
  if [ ! -c /dev/fuse ]; then echo "SKIP: /dev/fuse is absent"; exit $SKIP; fi
  if [ ! -r /dev/fuse ] || [ ! -w /dev/fuse ]; then
    echo "SKIP: no access to /dev/fuse"; exit $SKIP
  fi
  if ! command -v fusermount3 >/dev/null 2>&1; then
    echo "SKIP: fusermount3 is absent"; exit $SKIP
  fi
}

is_mounted() { grep -q " $1 fuse" /proc/self/mounts; }

# unmount_if_mounted MP: for cleanup; lazily when the mount is busy.
unmount_if_mounted() {
  if is_mounted "$1"; then fusermount3 -u "$1" 2>/dev/null || fusermount3 -uz "$1" || true; fi
}

fail() {
  echo "FAIL: $*"
  if [ -s "$LOG" ]; then echo "--- server log"; tail -20 "$LOG"; fi
  exit 1
}

# wait_mounted MP: until the server has mounted MP, 10 s at most.
wait_mounted() {
  i=0
  until is_mounted "$1"; do
    i=$((i + 1))
    [ $i -le 100 ] || fail "$1 did not get mounted"
    sleep 0.1
  done
}
