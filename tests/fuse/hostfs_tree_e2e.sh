#!/bin/sh
# End-to-end test of `rcuvfs mount --fs hostfs:DIR` on a large host tree, the server
# started under `ulimit -n 1024`: find, a stat of every file, ls -lR and git status
# through the mount give the host's answers with no error, while the server holds no
# more host descriptors than hostfs's budget (plus what running requests pin). A
# server holding a host descriptor per object the kernel knows fails this with EMFILE.
#
#   hostfs_tree_e2e.sh RCUVFS_BINARY
#
# RCUVFS_TREE_FILES: regular files in the tree (default 20000), in directories of 100
# (d<M>/e/s<L>/f<I>: ten per d<M>), each d<M> with a hard link and a symlink besides.
# RCUVFS_TREE_GIT_FILES: files of the repository committed on the host (default 3000).
# RCUVFS_MOUNT_ARGS: extra arguments for the server (e.g. --cache 64m).
# Prints the wall time of each step, on the host and through the mount, and the most
# host descriptors the server was seen holding.
#
# Exit 77 (ctest SKIP) when FUSE cannot run here: no /dev/fuse (or no access to it), or
# no fusermount3.
set -eu
BIN=$1
export LC_ALL=C
. "$(dirname "$0")/lib.sh"
FILES=${RCUVFS_TREE_FILES:-20000}
GIT_FILES=${RCUVFS_TREE_GIT_FILES:-3000}
NOFILE=1024

skip_unless_fuse_works
command -v git >/dev/null 2>&1 || { echo "FAIL: git is missing (scripts/install-deps.sh)"; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rcuvfs-fuse-tree.XXXXXX")
HOST=$WORK/host
MNT=$WORK/mnt
LOG=$WORK/server.log
PID=
SAMPLER=
mkdir "$HOST" "$MNT"

cleanup() {
  cd /
  : > "$WORK/stop"
  if [ -n "$SAMPLER" ]; then wait "$SAMPLER" 2>/dev/null || true; fi
  unmount_if_mounted "$MNT"
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

now() { date +%s.%N; }
T0=
step() { echo "== $*"; T0=$(now); }
# took WHAT: the wall time since the last step, one line.
took() { echo "   $1: $(awk -v a="$T0" -v b="$(now)" 'BEGIN { printf "%.2f s", b - a }')"; }

# make_files DIR FROM COUNT: files DIR/f0 ... holding their numbers FROM, FROM+1, ...
# (sizes differ), made by the shell itself (no process per file).
make_files() {
  i=0
  while [ $i -lt "$3" ]; do
    printf '%s\n' $(($2 + i)) > "$1/f$i"
    i=$((i + 1))
  done
}

# fill DIR TOTAL: the next at most 100 of TOTAL files in DIR, numbered on from $made.
fill() {
  n=$(($2 - made))
  [ $n -le 100 ] || n=100
  make_files "$1" $made $n
  made=$((made + n))
}

# ---- the host tree: FILES files, modes 0644, 0664 and 0600 ----
step "making a tree of $FILES files on the host"
made=0 m=0
while [ $made -lt "$FILES" ]; do
  d=$HOST/d$m
  mkdir -p "$d/e/s0" "$d/e/s1" "$d/e/s2" "$d/e/s3" "$d/e/s4" \
           "$d/e/s5" "$d/e/s6" "$d/e/s7" "$d/e/s8" "$d/e/s9"
  l=0
  while [ $l -lt 10 ] && [ $made -lt "$FILES" ]; do
    case $((l % 3)) in 0) umask 022 ;; 1) umask 002 ;; *) umask 077 ;; esac
    fill "$d/e/s$l" "$FILES"
    l=$((l + 1))
  done
  umask 022
  ln "$d/e/s0/f0" "$d/hard"
  ln -s e/s0/f0 "$d/soft"
  m=$((m + 1))
done
# Extended attributes on a few objects, read back through the mount below.
setfattr -n user.tag -v "d0 file" "$HOST/d0/e/s0/f0" &&
  setfattr -n trusted.t -v 0x00ff "$HOST/d0/e/s0/f0" &&
  setfattr -n user.dir -v yes "$HOST/d0/e" || fail "setfattr on the host"
took "tree"

step "a git repository of $GIT_FILES files, committed on the host"
export HOME=$WORK GIT_CONFIG_NOSYSTEM=1
REPO=$HOST/repo
mkdir "$REPO"
made=0 k=0
while [ $made -lt "$GIT_FILES" ]; do
  mkdir "$REPO/p$k"
  fill "$REPO/p$k" "$GIT_FILES"
  k=$((k + 1))
done
git -C "$REPO" init -q || fail "git init on the host"
git -C "$REPO" add -A || fail "git add on the host"
git -C "$REPO" -c user.name=rcuvfs -c user.email=rcuvfs@example.invalid commit -qm tree ||
  fail "git commit on the host"
took "git init, add, commit"

# ---- the server, under ulimit -n 1024 ----
step "mount hostfs:$HOST, the server under ulimit -n $NOFILE"
# shellcheck disable=SC2086
(ulimit -n $NOFILE && exec "$BIN" mount -f --exit-report --fs "hostfs:$HOST" \
   ${RCUVFS_MOUNT_ARGS:-} "$MNT") 2>"$LOG" &
PID=$!
wait_mounted "$MNT"
# statfs through the mount is the host filesystem's (the type is FUSE's own).
[ "$(stat -f -c '%S %l %b %c' "$MNT")" = "$(stat -f -c '%S %l %b %c' "$HOST")" ] ||
  fail "statfs through the mount: $(stat -f -c '%S %l %b %c' "$MNT"), host: $(stat -f -c '%S %l %b %c' "$HOST")"
# Extended attributes through the mount are the host's, both ways.
xattrs() { getfattr -h -d -m - -e hex "$1/d0/e/s0/f0" "$1/d0/e" 2>/dev/null | grep -v '^# file'; }
[ "$(xattrs "$MNT")" = "$(xattrs "$HOST")" ] ||
  fail "xattrs through the mount: $(xattrs "$MNT"); host: $(xattrs "$HOST")"
setfattr -n user.via -v mount "$MNT/d0/hard" || fail "setfattr through the mount"
[ "$(getfattr --only-values -n user.via "$HOST/d0/e/s0/f0")" = mount ] ||
  fail "setfattr through the mount did not reach the host"
setfattr -x user.via "$MNT/d0/hard" || fail "setfattr -x through the mount"
soft=$(awk '/^Max open files/ { print $4 }' "/proc/$PID/limits")
[ "$soft" = $NOFILE ] || fail "the server's descriptor limit is $soft, not $NOFILE"
# hostfs's budget when none is given: min(256, soft RLIMIT_NOFILE / 4) (docs/hostfs.md).
BUDGET=$((soft / 4))
[ $BUDGET -le 256 ] || BUDGET=256
# What the server may hold of the host tree: the budget, the root directory's own
# descriptor (held outside it), and what running requests pin beyond it: a few each
# (a directory and its child, a rename's two directories and two objects), and
# libfuse runs at most 10 request threads.
ALLOWED=$((BUDGET + 1 + 4 * 10))

# The server's descriptors, one "FD TARGET" line each. Those whose target is in the
# host tree are hostfs's host descriptors; every other one (the standard streams,
# /dev/fuse, whatever it inherited) must be one it already had once mounted: the
# server opens nothing else of the host's. The sampler counts the first and records
# any of the others that is new.
fds() { find "/proc/$PID/fd" -mindepth 1 -printf '%f %l\n' 2>/dev/null; }
host_fds() {
  fds | awk -v h="$HOST" -v base="$WORK/fd.base" -v bad="$WORK/fd.bad" '
    BEGIN { while ((getline l < base) > 0) known[l] = 1 }
    { t = substr($0, index($0, " ") + 1) }
    t == "" { next }  # closed between the listing and the readlink
    t == h || index(t, h "/") == 1 { n++; next }
    !($0 in known) { print >> bad }
    END { print n + 0 }'
}
fds | awk -v h="$HOST" '{ t = substr($0, index($0, " ") + 1) }
                        !(t == h || index(t, h "/") == 1)' > "$WORK/fd.base"
grep -q ' /dev/fuse$' "$WORK/fd.base" || fail "the server holds no /dev/fuse descriptor"
(
  max=0
  while [ ! -e "$WORK/stop" ]; do
    n=$(host_fds)
    if [ "$n" -gt $max ]; then max=$n; echo $max > "$WORK/fd.max"; fi
    sleep 0.05
  done
) &
SAMPLER=$!
took "mount"

# run NAME DIR OUT: `find .` and a stat of every regular file in DIR, sorted, with the
# wall time of each; nothing may go to standard error.
run() {
  step "find and stat of every file, $1"
  (cd "$2" && find .) 2>"$WORK/err" > "$3.find" || fail "find $1 failed: $(head -3 "$WORK/err")"
  took "find"
  [ ! -s "$WORK/err" ] || fail "find $1: $(head -3 "$WORK/err")"
  T0=$(now)
  (cd "$2" && find . -type f -print0 | xargs -0 stat -c '%n %s %a %h %u %g %Y %b') \
    2>"$WORK/err" > "$3.stat" || fail "stat $1 failed: $(head -3 "$WORK/err")"
  took "stat of $(wc -l < "$3.stat") files"
  [ ! -s "$WORK/err" ] || fail "stat $1: $(head -3 "$WORK/err")"
  sort -o "$3.find" "$3.find"
  sort -o "$3.stat" "$3.stat"
}
run "on the host" "$HOST" "$WORK/host"
run "through the mount" "$MNT" "$WORK/mnt"
a=$(wc -l < "$WORK/host.find") b=$(wc -l < "$WORK/mnt.find")
[ "$a" = "$b" ] || fail "find: $a names on the host, $b through the mount"
[ "$a" -gt "$FILES" ] || fail "find: $a names on the host, fewer than the $FILES files made"
cmp -s "$WORK/host.find" "$WORK/mnt.find" ||
  { diff "$WORK/host.find" "$WORK/mnt.find" | head; fail "find lists differ"; }
cmp -s "$WORK/host.stat" "$WORK/mnt.stat" ||
  { diff "$WORK/host.stat" "$WORK/mnt.stat" | head; fail "stat of the files differs"; }
[ "$(grep -c '^./d0/e/s0/f0 2 644 2 ' "$WORK/mnt.stat")" = 1 ] ||
  fail "a hard-linked file does not show 2 links through the mount"

step "git status through the mount"
git -C "$MNT/repo" status --porcelain > "$WORK/git.status" 2>"$WORK/err" ||
  fail "git status: $(head -3 "$WORK/err")"
[ ! -s "$WORK/git.status" ] || { head "$WORK/git.status"; fail "git status is not clean"; }
echo change >> "$MNT/repo/p0/f7"
[ "$(tail -n 1 "$REPO/p0/f7")" = change ] || fail "a write through the mount did not reach the host"
[ "$(git -C "$MNT/repo" status --porcelain)" = " M p0/f7" ] ||
  fail "git status through the mount does not show the change"
git -C "$MNT/repo" -c user.name=rcuvfs -c user.email=rcuvfs@example.invalid \
  commit -qam change || fail "git commit through the mount"
[ -z "$(git -C "$MNT/repo" status --porcelain)" ] || fail "git status not clean after commit"
# (--no-optional-locks: the host's git must not rewrite the index behind the mount's back
# before ls -lR compares the two.)
[ -z "$(git -C "$REPO" --no-optional-locks status --porcelain)" ] ||
  fail "the host's git status is not clean after the commit through the mount"
took "git status, change, commit"

step "ls -lR, on the host and through the mount"
(cd "$HOST" && ls -lR .) > "$WORK/host.ls" 2>"$WORK/err" || fail "ls -lR on the host"
(cd "$MNT" && ls -lR .) > "$WORK/mnt.ls" 2>"$WORK/err" ||
  fail "ls -lR through the mount: $(head -3 "$WORK/err")"
cmp -s "$WORK/host.ls" "$WORK/mnt.ls" ||
  { diff "$WORK/host.ls" "$WORK/mnt.ls" | head; fail "ls -lR differs"; }
took "ls -lR twice, $(wc -l < "$WORK/mnt.ls") lines each"

# ---- descriptors, memory, unmount ----
: > "$WORK/stop"
wait "$SAMPLER" || true
SAMPLER=
max=$(cat "$WORK/fd.max" 2>/dev/null || echo 0)
echo "   the server held at most $max host descriptors (budget $BUDGET, allowed $ALLOWED)"
grep -E '^Vm(RSS|HWM)' "/proc/$PID/status" | tr -s '\t ' ' ' | sed 's/^/   server /'
[ "$max" -gt 0 ] || fail "the sampler saw no host descriptor at all"
[ "$max" -le $ALLOWED ] || fail "the server held $max host descriptors, over $ALLOWED"
[ ! -s "$WORK/fd.bad" ] ||
  { sort -u "$WORK/fd.bad" | head; fail "the server opened descriptors outside the host tree"; }

step "unmount"
fusermount3 -u "$MNT" || fail "fusermount3 -u"
rc=0
wait "$PID" || rc=$?
PID=
took "unmount and the server's exit"
[ $rc -eq 0 ] || fail "the server exited with $rc"
cat "$LOG"
grep -q ' 0 file and 0 directory handles unreleased, 0 descriptors left open;' "$LOG" ||
  fail "the server left handles or descriptors open"
[ "$(grep -vc '^rcuvfs mount: exit: ' "$LOG")" = 0 ] || fail "the server reported errors"

echo "PASS"
