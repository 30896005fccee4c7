# Sizes: tmpfs directories (40 bytes + 20 per entry), files, symlinks.
stat /
mkdir d
stat d
create d/a
stat d
create d/b
mkdir d/c
stat d
symlink x d/s
stat d
mknod d/p fifo
stat d
unlink d/a
stat d
rename d/b d/bb
stat d
rename d/bb e
stat d
stat /
rmdir d/c
unlink d/s
unlink d/p
stat d
create f
stat f
write f 0123456789
stat f
append f abc
stat f
write f ""
stat f
truncate f 100
stat f
read f
truncate f 3
read f
append f xyz
read f
symlink "" s0
symlink a s1
symlink "a/b/c d" s7
symlink "\xff\x00" s2
stat s1 nofollow
stat s7 nofollow
readlink s2
stat s2 nofollow
