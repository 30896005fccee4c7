# cd and chroot: relative resolution, ".." clamped at the root, fdpath seen from the
# new root. (Never walk ".." above the first root while the cwd is outside a new root:
# on Linux the oracle's root is a tmpfs inside the host's tree, and ".." would leave it.)
mkdir jail
mkdir jail/in
create jail/in/f
create outside
symlink /outside jail/abs
symlink ../../outside jail/in/rel
cd jail
stat in/f
ls .
cd in
ls ..
cd f
cd missing
cd /jail/in
open f
fdpath 3
close 3
cd /
chroot missing
chroot outside
chroot jail
# the cwd (the old root) is outside the new root until it moves
cd /
ls /
ls /..
ls ../../..
stat /outside
stat abs
stat abs nofollow
readlink abs
stat in/rel
stat in/rel nofollow
open /in/f
fdpath 3
close 3
cd /in
open f
fdpath 3
close 3
open .
fdpath 3
close 3
cd ..
ls .
cd ../..
ls .
mkdir /new
ls /
chroot in
ls /
ls ..
stat /f
open /f
fdpath 3
close 3
chmod / 0700
as 1000 1000
stat /f
cd /
as 0 0
