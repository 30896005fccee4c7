# Basic namespace operations: the example session of SHELL.md and friends.
mkdir a
symlink a/missing dangling
stat dangling
stat dangling nofollow
rmdir a/b/c
stat /
stat a
mkdir a
mkdir a/b 0700
stat a/b
create a/f
create a/f
create a/g 0600
stat a/g
write a/f hello
read a/f
append a/f " world"
read a/f
stat a/f
write a/f "new"
read a/f
write a/missing x
append a/missing x
read a/missing
ls a
ls /
ls a/f
unlink a/f
unlink a/f
unlink a
rmdir a
rmdir a/b
unlink a/g
rmdir a
ls /
mkdir d1
mkdir d1/d2
mkdir d1/d2/d3
ls d1/d2
stat d1/d2/d3
mkdir missing/x
create missing/x
umask 077
mkdir m7
create f7
stat m7
stat f7
umask 0
mkdir m0
create f0 0777
stat m0
stat f0
umask 022
mkdir m2 0777
stat m2
