#!/bin/sh
# End-to-end test of `rcuvfs mount`: mount a memfs namespace through FUSE and run real
# programs on it (mkdir, cp -a, diff, tar, find, ln, mv, rm, git, stress-ng), check
# errno mapping and ownership of created objects, then unmount and check that the
# server exited 0 with no rcuvfs descriptor left open.
#
#   mount_e2e.sh RCUVFS_BINARY
#
# Exit 77 (ctest SKIP) when /dev/fuse or fusermount3 is missing; needs root.
set -eu
BIN=$1
export LC_ALL=C
. "$(dirname "$0")/lib.sh"

skip_unless_fuse_works
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (allow_other, setpriv)"; exit $SKIP; fi
for tool in git tar diff find stress-ng setpriv setfattr getfattr; do
  command -v $tool >/dev/null 2>&1 || { echo "FAIL: $tool is missing (scripts/install-deps.sh)"; exit 1; }
done

WORK=$(mktemp -d /tmp/rcuvfs-fuse-e2e.XXXXXX)
MNT=$WORK/mnt
LOG=$WORK/server.log
PID=
# Other users must reach the mount point (the ownership checks run as uid 65534).
chmod 755 "$WORK"
mkdir "$MNT"

cleanup() {
  cd /
  for m in "$MNT" "$WORK/mnt2" "$WORK/mnt3"; do
    unmount_if_mounted "$m"
  done
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

step() { echo "== $*"; }

# ---- a source tree: real headers plus the odd objects cp -a and tar must carry ----
SRC=$WORK/src
mkdir -p "$SRC"
cp -a /usr/include/linux "$SRC/linux"
mkdir -p "$SRC/odd/deep/er/still"
echo payload > "$SRC/odd/file"
ln "$SRC/odd/file" "$SRC/odd/hardlink"
ln -s file "$SRC/odd/symlink"
ln -s ../../nowhere "$SRC/odd/deep/dangling"
mkfifo "$SRC/odd/fifo"
printf 'x' > "$SRC/odd/setuid" && chmod 4755 "$SRC/odd/setuid"
chmod 0700 "$SRC/odd/deep"
chmod 1777 "$SRC/odd/deep/er"
chown 12345:54321 "$SRC/odd/file"
touch -h -d '2001-02-03 04:05:06.123456789' "$SRC/odd/symlink"
touch -d '1999-12-31 23:59:59.5' "$SRC/odd/deep/er/still"
# Extended attributes of each namespace root may set, an empty value, a binary one.
setfattr -n user.mime -v text/plain "$SRC/odd/file"
setfattr -n user.empty "$SRC/odd/file"
setfattr -n trusted.origin -v host "$SRC/odd/file"
setfattr -n security.label -v 0x00ff0a "$SRC/odd/deep"
setfattr -n user.header -v yes "$SRC/linux/types.h"

step "mount (foreground, allow_other)"
# RCUVFS_MOUNT_ARGS: extra arguments for the server under test (e.g. -s).
"$BIN" mount -f --exit-report -o allow_other ${RCUVFS_MOUNT_ARGS:-} "$MNT" 2>"$LOG" &
PID=$!
wait_mounted "$MNT"
[ "$(stat -c %i "$MNT")" -ne 0 ] || fail "root has no inode number"

step "mkdir -p, errno mapping"
mkdir -p "$MNT/a/b/c/d" || fail "mkdir -p"
[ -d "$MNT/a/b/c/d" ] || fail "mkdir -p did not make a/b/c/d"
out=$(mkdir "$MNT/a" 2>&1) && fail "mkdir of an existing directory succeeded"
case $out in *"File exists"*) ;; *) fail "mkdir existing: want EEXIST, got: $out" ;; esac
out=$(rmdir "$MNT/a/b" 2>&1) && fail "rmdir of a non-empty directory succeeded"
case $out in *"Directory not empty"*) ;; *) fail "rmdir non-empty: want ENOTEMPTY, got: $out" ;; esac
out=$(cat "$MNT/a/missing" 2>&1) && fail "cat of a missing file succeeded"
case $out in *"No such file or directory"*) ;; *) fail "want ENOENT, got: $out" ;; esac
out=$(rmdir "$MNT/a/b/c/d/" "$MNT/a/b/c/d" 2>&1) || true
case $out in *"No such file or directory"*) ;; *) fail "second rmdir: want ENOENT, got: $out" ;; esac
touch "$MNT/a/f"
out=$(mkdir "$MNT/a/f/x" 2>&1) && fail "mkdir under a file succeeded"
case $out in *"Not a directory"*) ;; *) fail "want ENOTDIR, got: $out" ;; esac
long=$(printf '%0256d' 0)
out=$(touch "$MNT/$long" 2>&1) && fail "a 256-byte name was accepted"
case $out in *"File name too long"*) ;; *) fail "want ENAMETOOLONG, got: $out" ;; esac

step "df: the namespace's own size limit and use (statfs)"
# memfs's default size= is half of RAM, as tmpfs's.
set -- $(stat -f -c '%S %l %b %f' "$MNT")
[ "$1" = 4096 ] && [ "$2" = 255 ] && [ "$3" -gt 0 ] ||
  fail "statfs: block size $1, name length $2, blocks $3"
free_before=$4
head -c 1048576 /dev/zero | tr '\0' x > "$MNT/a/statfs-probe"
free_after=$(stat -f -c %f "$MNT")
[ $((free_before - free_after)) -ge 256 ] ||
  fail "statfs: 1 MiB written, free blocks $free_before -> $free_after"
rm "$MNT/a/statfs-probe"
df "$MNT" > "$WORK/df.out" || fail "df"
grep -q "^rcuvfs " "$WORK/df.out" || fail "df does not show the mount: $(cat "$WORK/df.out")"

step "cp -a of $(find "$SRC" | wc -l) objects, diff -r, metadata"
cp -a "$SRC" "$MNT/tree" || fail "cp -a"
diff -r --no-dereference -x fifo "$SRC" "$MNT/tree" || fail "diff -r after cp -a"
# (diff cannot compare FIFOs; the metadata check below covers them.)
# Modes, owners, link counts, sizes and nanosecond mtimes (utimensat) all survive.
# (A directory's size is the filesystem's own business: left out.)
meta() {
  (cd "$1" && { find . -mindepth 1 ! -type d -printf '%p %y %m %U:%G %n %s %T@ %l\n'
                find . -mindepth 1 -type d -printf '%p %y %m %U:%G %n %T@\n'; } | sort)
}
meta "$SRC" > "$WORK/meta.src"
meta "$MNT/tree" > "$WORK/meta.mnt"
diff "$WORK/meta.src" "$WORK/meta.mnt" || fail "metadata differs after cp -a"
[ "$(stat -c %i "$MNT/tree/odd/file")" = "$(stat -c %i "$MNT/tree/odd/hardlink")" ] ||
  fail "hard links do not share an inode number"

step "find counts"
for t in f d l p; do
  a=$(find "$SRC" -type $t | wc -l)
  b=$(find "$MNT/tree" -type $t | wc -l)
  [ "$a" = "$b" ] || fail "find -type $t: $a in the source, $b on the mount"
done

step "extended attributes: cp -a, setfattr/getfattr, tar --xattrs"
# Every attribute of a tree as sorted "path name=hexvalue" lines.
xattrs() {
  (cd "$1" && getfattr -R -h -d -m - -e hex . 2>/dev/null |
     awk '/^# file: /{f=substr($0, 9); next} /=/{print f, $0}' | sort)
}
xattrs "$SRC" > "$WORK/xattr.src"
# (odd/hardlink is odd/file: 8 lines for 5 attributes.)
[ "$(wc -l < "$WORK/xattr.src")" = 8 ] || fail "source attributes: $(cat "$WORK/xattr.src")"
xattrs "$MNT/tree" > "$WORK/xattr.mnt"
diff "$WORK/xattr.src" "$WORK/xattr.mnt" || fail "attributes differ after cp -a"
x=$MNT/xattr-probe
echo x > "$x"
setfattr -n user.k -v v1 "$x" || fail "setfattr"
[ "$(getfattr --only-values -n user.k "$x")" = v1 ] || fail "getfattr after setfattr"
setfattr -x user.k "$x" || fail "setfattr -x"
out=$(getfattr -n user.k "$x" 2>&1) && fail "getfattr of a removed attribute succeeded"
case $out in *"No such attribute"*) ;; *) fail "want ENODATA, got: $out" ;; esac
out=$(setfattr -n foo.k -v v "$x" 2>&1) && fail "an unknown namespace was accepted"
case $out in *"Operation not supported"*) ;; *) fail "want EOPNOTSUPP, got: $out" ;; esac
setfattr -n user.k -v v2 "$x" && setfattr -n trusted.t -v t "$x" || fail "setfattr user/trusted"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
out=$(as_nobody setfattr -n user.k -v v3 "$x" 2>&1) && fail "uid 65534 set an attribute of a 0644 root file"
case $out in *"Permission denied"*) ;; *) fail "want EACCES, got: $out" ;; esac
[ "$(as_nobody getfattr --only-values -n user.k "$x")" = v2 ] || fail "uid 65534 reads user.k"
names=$(as_nobody getfattr -d -m - --absolute-names "$x" | grep -v '^#' | cut -d= -f1 | xargs)
[ "$names" = user.k ] || fail "uid 65534 lists '$names' (trusted. must be hidden)"
names=$(getfattr -d -m - --absolute-names "$x" | grep -v '^#' | cut -d= -f1 | xargs)
[ "$names" = "trusted.t user.k" ] || fail "root lists '$names'"
rm "$x"
(cd "$MNT/tree" && tar --xattrs --xattrs-include='*' -cf "$WORK/xattr.tar" .) ||
  fail "tar --xattrs c from the mount"
mkdir "$WORK/untarx" "$MNT/untarx"
tar --xattrs --xattrs-include='*' -xpf "$WORK/xattr.tar" -C "$WORK/untarx" || fail "tar --xattrs x"
xattrs "$WORK/untarx" > "$WORK/xattr.untar"
diff "$WORK/xattr.src" "$WORK/xattr.untar" || fail "attributes differ after tar out of the mount"
tar --xattrs --xattrs-include='*' -xpf "$WORK/xattr.tar" -C "$MNT/untarx" ||
  fail "tar --xattrs x into the mount"
xattrs "$MNT/untarx" > "$WORK/xattr.untar2"
diff "$WORK/xattr.src" "$WORK/xattr.untar2" || fail "attributes differ after tar into the mount"
rm -r "$WORK/untarx" "$MNT/untarx"

step "tar round trip (out of and into the mount)"
(cd "$MNT/tree" && tar cf "$WORK/tree.tar" .) || fail "tar c from the mount"
mkdir "$WORK/untar"
tar xpf "$WORK/tree.tar" -C "$WORK/untar" || fail "tar x"
diff -r --no-dereference -x fifo "$SRC" "$WORK/untar" || fail "diff after tar round trip"
mkdir "$MNT/untar"
tar xpf "$WORK/tree.tar" -C "$MNT/untar" || fail "tar x into the mount"
diff -r --no-dereference -x fifo "$SRC" "$MNT/untar" || fail "diff after tar x into the mount"
# tar keeps whole seconds only.
secs() { sed 's/\.[0-9]\{10\}//' "$1"; }
meta "$MNT/untar" > "$WORK/meta.untar"
secs "$WORK/meta.src" > "$WORK/meta.src.s"
secs "$WORK/meta.untar" > "$WORK/meta.untar.s"
diff "$WORK/meta.src.s" "$WORK/meta.untar.s" || fail "metadata differs after tar x into the mount"

step "ln, ln -s, mv, rm -r"
cd "$MNT"
echo data > f
ln f f2
[ "$(stat -c %h f)" = 2 ] || fail "link count after ln"
ln -s f s
[ "$(readlink s)" = f ] || fail "readlink"
[ "$(cat s)" = data ] || fail "read through a symlink"
mv f2 g
[ "$(cat g)" = data ] && [ ! -e f2 ] || fail "mv of a file"
mv a a2
[ -d a2/b/c ] && [ ! -e a ] || fail "mv of a directory"
mv untar a2/b/moved
[ -f a2/b/moved/odd/file ] || fail "mv of a tree across directories"
echo over > h && mv -f h g
[ "$(cat g)" = over ] && [ "$(stat -c %h f)" = 1 ] || fail "mv over an existing file"
rm f
[ "$(cat s 2>/dev/null || echo gone)" = gone ] || fail "symlink to a removed file still reads"
rm -r a2
[ ! -e a2 ] || fail "rm -r"
cd /

step "ownership of objects created by another user"
mkdir "$MNT/pub" && chmod 1777 "$MNT/pub"
setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "
  set -e
  echo x > '$MNT/pub/file'; mkdir '$MNT/pub/dir'; ln -s file '$MNT/pub/link'; mkfifo '$MNT/pub/fifo'
" || fail "creating objects as uid 65534"
for o in file dir link fifo; do
  [ "$(stat -c %u:%g "$MNT/pub/$o")" = 65534:65534 ] ||
    fail "$o is owned by $(stat -c %u:%g "$MNT/pub/$o"), not 65534:65534"
done
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups touch "$MNT/tree/x" 2>&1) &&
  fail "uid 65534 created a file in a 0755 root directory"
case $out in *"Permission denied"*) ;; *) fail "want EACCES, got: $out" ;; esac
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups rm "$MNT/tree/odd/file" 2>&1) &&
  fail "uid 65534 removed a root file"
mkdir "$MNT/sgid" && chown 0:4242 "$MNT/sgid" && chmod 2777 "$MNT/sgid"
setpriv --reuid=65534 --regid=65534 --clear-groups mkdir "$MNT/sgid/sub" || fail "mkdir in a setgid dir"
[ "$(stat -c %g "$MNT/sgid/sub")" = 4242 ] || fail "setgid directory's group not inherited"
[ -g "$MNT/sgid/sub" ] || fail "setgid bit not inherited by a new directory"

step "chown -1 -1 changes ctime, as on Linux"
# The kernel sends a SETATTR with no attribute in it; the change is still a change.
echo x > "$MNT/ct"
ctime_ns() { stat -c %.9Z "$1" | tr -d .; }
before=$(ctime_ns "$MNT/ct")
# The clock must have moved for a new ctime to be told from the old one.
while [ "$(date +%s%N)" -le "$before" ]; do sleep 0.01; done
chown : "$MNT/ct" || fail "chown : (fchownat -1 -1)"
after=$(ctime_ns "$MNT/ct")
[ "$after" -gt "$before" ] || fail "chown -1 -1 left ctime at $before (now $after)"
rm "$MNT/ct"

step "git init/add/commit/status/log"
export HOME=$WORK GIT_CONFIG_NOSYSTEM=1
mkdir "$MNT/repo"
cp -a "$SRC/linux" "$MNT/repo/src"
cd "$MNT/repo"
git init -q . || fail "git init"
git add -A || fail "git add"
git -c user.name=rcuvfs -c user.email=rcuvfs@example.invalid commit -qm first || fail "git commit"
[ -z "$(git status --porcelain)" ] || fail "git status not clean after commit"
echo change >> src/types.h
[ "$(git status --porcelain)" = " M src/types.h" ] || fail "git status does not see a change"
git -c user.name=rcuvfs -c user.email=rcuvfs@example.invalid commit -qam second || fail "git commit -a"
[ -z "$(git status --porcelain)" ] || fail "git status not clean after second commit"
[ "$(git log --oneline | wc -l)" = 2 ] || fail "git log: want 2 commits"
git fsck --no-progress >"$WORK/fsck.log" 2>&1 || { cat "$WORK/fsck.log"; fail "git fsck"; }
cd /

step "stress-ng filesystem stressors"
mkdir "$MNT/stress"
stress-ng --rename 2 --dir 2 --link 2 --symlink 2 --dentry 2 --timeout 4s \
  --temp-path "$MNT/stress" --metrics-brief >"$WORK/stress.log" 2>&1 ||
  { cat "$WORK/stress.log"; fail "stress-ng failed"; }
if ! grep -q '\] successful run completed' "$WORK/stress.log" ||
   grep -Eq '^stress-ng: (fail|error):|unsuccessful' "$WORK/stress.log"; then
  cat "$WORK/stress.log"; fail "stress-ng reported a failure"
fi
grep ' metrc: ' "$WORK/stress.log" | tail -n +3

step "rm -r everything, then unmount"
rm -rf "$MNT"/* || fail "rm -rf of the whole mount"
[ -z "$(ls -A "$MNT")" ] || fail "the mount is not empty after rm -rf"
fusermount3 -u "$MNT" || fail "fusermount3 -u"
rc=0
wait "$PID" || rc=$?
PID=
[ $rc -eq 0 ] || fail "the server exited with $rc"
cat "$LOG"
grep -q ' 0 file and 0 directory handles unreleased, 0 descriptors left open;' "$LOG" ||
  fail "the server left handles or descriptors open"
# Everything was removed before the unmount: the kernel forgot every node but the
# root (a few may still be on their way), so forgets did release the references.
nodes=$(sed -n 's/.*exit: \([0-9]*\) nodes known at unmount.*/\1/p' "$LOG")
[ -n "$nodes" ] && [ "$nodes" -le 3 ] || fail "$nodes nodes still known after rm -rf of everything"
spec=$(sed -n 's/.*stats: \([0-9]*\) speculative.*/\1/p' "$LOG")
[ -n "$spec" ] && [ "$spec" -gt 1000 ] || fail "getattr was not served by speculative stats ($spec)"
# memfs reports every change, so the kernel cached for good; and every change came
# through the mount, which the kernel knew of already: nothing was invalidated.
grep -q 'timeouts 86400/86400 s, 0 invalidations sent, 0 overflows' "$LOG" ||
  fail "want the coherent timeouts and no invalidation for the mount's own changes"

step "daemon mode, SIGTERM, bad arguments"
mkdir "$WORK/mnt2" "$WORK/mnt3"
"$BIN" mount "$WORK/mnt2" || fail "daemonized mount returned non-zero"
is_mounted "$WORK/mnt2" || fail "daemonized mount is not mounted on return"
echo hello > "$WORK/mnt2/x" && [ "$(cat "$WORK/mnt2/x")" = hello ] || fail "I/O on the daemonized mount"
fusermount3 -u "$WORK/mnt2" || fail "fusermount3 -u of the daemonized mount"
"$BIN" mount -f "$WORK/mnt3" 2>"$LOG" &
PID=$!
wait_mounted "$WORK/mnt3"
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=
[ $rc -eq 0 ] || fail "the server exited with $rc after SIGTERM"
! is_mounted "$WORK/mnt3" || fail "still mounted after SIGTERM"
rc=0
"$BIN" mount "$WORK/nonexistent" 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "mount on a missing directory: want status 2, got $rc"
rc=0
"$BIN" mount --fs no-such-fs "$WORK/mnt3" 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "mount of an unknown fs type: want status 2, got $rc"
! is_mounted "$WORK/mnt3" || fail "a failed mount left a mount behind"

echo "PASS"
