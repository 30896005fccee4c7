# "at FD": paths relative to an open descriptor.
mkdir a
mkdir a/b
create a/f
mkdir c
open a directory
at 3 stat f
at 3 stat b
at 3 ls .
at 3 ls ..
at 3 mkdir new
at 3 create new/file
at 3 write new/file hello
at 3 read new/file
at 3 append new/file !
at 3 read /a/new/file
at 3 symlink f sym
at 3 readlink sym
at 3 link f f2
at 3 rename f2 f3
at 3 rename f3 ../c/f3
stat c/f3
at 3 unlink sym
at 3 rmdir b
at 3 chmod f 0600
at 3 chown f 5 6
at 3 stat f
at 3 mknod fifo fifo
at 3 truncate new/file 2
at 3 read new/file
at 3 open new/file
fdpath 4
close 4
at 3 stat "" emptypath
at 3 stat ""
at 3 stat /c
at 3 cd new
stat file
cd /
open a/f
at 4 stat x
at 4 stat "" emptypath
at 4 stat /a
at 4 truncate x 0
at 4 cd x
close 4
at 4 stat x
at 4 stat /a
at 4 truncate /a/f 1
at 99 mkdir x
open c path
at 4 stat f3
at 4 create via_path
mount memfs a/new
at 3 stat new
at 3 ls new
at 3 create new/onmount
at 3 umount new
at 3 stat new/file
at 4 chroot .
ls /
cd /
ls /
close 3
close 4
