# A directory removed while it is still held, as the cwd and through a descriptor:
# it can still be stat'ed (no links) and left by "..", but not listed, and nothing
# can be found or made in it.
mkdir d
mkdir d/s
create d/f
open d/s directory
cd d/s
rmdir /d/s
stat .
ls .
stat x
stat x/y
create x
mkdir y
symlink t z
mknod p fifo
link /d/f l
rename /d/f moved
at 3 stat x
at 3 create y
at 3 mkdir y
fdpath 3
stat ..
ls ..
cd ..
ls .
rmdir s
mkdir s
at 3 stat x
stat s
close 3
