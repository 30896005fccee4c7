#!/bin/sh
# Two `rcuvfs mount --fs etcd:...` on one prefix of one cluster, as two machines would
# mount it: real programs write through one mount, the other shows the same tree.
#
#   etcd_mounts_e2e.sh RCUVFS_BINARY SOURCE_TREE
#
#  1. cp -a SOURCE_TREE, tar -x of an archive of it, and a git repository with a
#     commit, all through mount A.
#  2. Mount B shows the same tree: diff -r of A and B, and of SOURCE_TREE and B, and
#     git's log and status read through B.
#  3. Changes through B (rename, chmod, append, rm -r) show through A.
#
# The cluster is ctest's (RCUVFS_ETCD_CLUSTER names its file) or one of its own. Exit
# 77 (ctest SKIP) when FUSE cannot run here.
set -eu
BIN=$1
SRC=$2
export LC_ALL=C
. "$(dirname "$0")/lib.sh"
skip_unless_fuse_works

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rcuvfs-fuse-etcd.XXXXXX")
A=$WORK/a
B=$WORK/b
LOG=$WORK/server.log
PIDS=
OWN=
mkdir "$A" "$B"
cleanup() {
  cd /
  unmount_if_mounted "$A"
  unmount_if_mounted "$B"
  for p in $PIDS; do kill "$p" 2>/dev/null || true; done
  if [ -n "$OWN" ]; then sh "$(dirname "$0")/../etcd/fixture.sh" stop "$OWN"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if [ -n "${RCUVFS_ETCD_CLUSTER:-}" ] && [ -s "$RCUVFS_ETCD_CLUSTER" ]; then
  EPS=$(sed -n 1p "$RCUVFS_ETCD_CLUSTER")
else
  OWN=$WORK/cluster.txt
  sh "$(dirname "$0")/../etcd/fixture.sh" start "$OWN" >/dev/null
  EPS=$(sed -n 1p "$OWN")
fi
FS="etcd:$EPS,prefix=e2e-$$-$(date +%s%N)"

# mount MP: a server for MP in the background.
mount_on() {
  "$BIN" mount -f --fs "$FS" "$1" 2>>"$LOG" &
  PIDS="$PIDS $!"
  wait_mounted "$1"
}
# until_shown PATH: until PATH exists (10 s at most).
until_shown() {
  i=0
  until [ -e "$1" ]; do
    i=$((i + 1))
    [ $i -le 200 ] || fail "$1 never showed"
    sleep 0.05
  done
}
# list DIR: every object's path, type, mode, size, link count and mtime, sorted.
list() { (cd "$1" && find . -printf '%p %y %m %s %n %T@\n' | sort); }

mount_on "$A"
mount_on "$B"

echo "== 1. cp -a, tar -x and git through mount A"
cp -a "$SRC" "$A/src" || fail "cp -a"
tar -C "$SRC/.." -cf "$WORK/src.tar" "$(basename "$SRC")"
mkdir "$A/untar"
tar -C "$A/untar" -xf "$WORK/src.tar" || fail "tar -x"
mkdir "$A/repo"
cp -a "$SRC/." "$A/repo/" || fail "cp into the repository"
(cd "$A/repo" && git init -q && git add -A && \
   git -c user.name=rcuvfs -c user.email=rcuvfs@localhost commit -qm "through rcuvfs") ||
  fail "git"
echo done > "$A/last"

echo "== 2. mount B shows the same tree"
until_shown "$B/last"
list "$A" > "$WORK/a.list"
list "$B" > "$WORK/b.list"
diff "$WORK/a.list" "$WORK/b.list" || fail "the mounts list different trees"
diff -r "$A" "$B" || fail "diff -r of the two mounts"
diff -r "$SRC" "$B/src" || fail "diff -r of the source and mount B"
diff -r "$SRC" "$B/untar/$(basename "$SRC")" || fail "diff -r of the source and B's untar"
[ "$(git -C "$B/repo" log --format=%s)" = "through rcuvfs" ] || fail "git log through B"
[ -z "$(git -C "$B/repo" status --porcelain)" ] || fail "git status through B is not clean"

echo "== 3. changes through B show through A"
mv "$B/src" "$B/moved"
chmod 600 "$B/last"
echo more >> "$B/last"
rm -r "$B/untar"
echo done > "$B/last2"
until_shown "$A/last2"
[ ! -e "$A/src" ] && [ -d "$A/moved" ] && [ ! -e "$A/untar" ] || fail "B's renames and removals"
[ "$(stat -c %a "$A/last")" = 600 ] || fail "B's chmod"
[ "$(cat "$A/last")" = "done
more" ] || fail "B's append"
list "$A" > "$WORK/a.list"
list "$B" > "$WORK/b.list"
diff "$WORK/a.list" "$WORK/b.list" || fail "the mounts differ after B's changes"

fusermount3 -u "$A" || fail "fusermount3 -u A"
fusermount3 -u "$B" || fail "fusermount3 -u B"
for p in $PIDS; do wait "$p" || fail "a server exited with status $?"; done
PIDS=
echo "PASS"
