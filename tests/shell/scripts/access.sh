# faccessat2: modes, flags, root's rules, symlinks, descriptors, errors.
mkdir d 0755
create d/f 0640
create d/x 0750
create d/nox 0644
mkdir d/sub 0700
mkdir d/nx 0600
symlink f d/l
symlink missing d/dangling
mknod d/fifo fifo 0600
access d f
access d/f r
access d/f rw
access d/f x
access d/x x
access d/nox x
access d/sub x
access d/sub rwx
access d/nx x
access d/nx rwx
access d/l r
access d/l r nofollow
access d/l x nofollow
access d/dangling f
access d/dangling f nofollow
access d/missing f
access d/f/ f
access d/f/x f
access d/fifo rw
access d/fifo x
access "" f
access "" f emptypath
access d/f rw eaccess
chmod d/nox 0000
access d/nox r
access d/nox w
access d/nox x
access d/nox f
as 1000 1000
access d/f f
access d/f r
access d/f w
access d/x x
access d/sub f
access d/sub x
access d/sub/anything f
access d/l f
access d/l r
access d/l f nofollow
access d/nox f
access d/nox r
as 1000 0
access d/f r
access d/f w
access d/f rw
access d/x x
access d/x rx
access d/x rwx
as 1000 1000 0
access d/f r
access d/x x
as 0 0
chown d/f 1000 1000
chmod d/f 0400
as 1000 1000
access d/f r
access d/f w
access d/f rw
access d/f x
as 0 0
open d path
at 3 access f r
at 3 access "" x emptypath
at 3 access "" x
at 3 access l r nofollow
at 3 access /d/x x
open d/f path
at 4 access "" r emptypath
at 4 access "" w emptypath
at 4 access x f
at 9 access x f
at 9 access "" f emptypath
close 4
close 3
