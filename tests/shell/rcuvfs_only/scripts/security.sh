# Security modules from the shell: pathrules (restrict) and audit. rcuvfs only: the
# Linux oracle has no counterpart (Landlock needs a different setup), so this script
# is not part of the differential tests.
mkdir src
mkdir src/sub
mkdir build
mkdir other
create src/a
write src/a hello
create src/sub/b
create other/o
symlink src/a link
# An audit log on a host file that cannot be created.
audit /nonexistent-dir/audit.log
# Malformed rules are rejected before anything is resolved.
restrict src bogus
restrict src read_file,
restrict src
restrict enforce stat,nope
restrict missing read_file
# The rules: read and stat under src, everything under build, nothing elsewhere.
restrict src read_file,read_dir,stat
restrict build all
restrict enforce
stat src/a
stat src/sub/b
stat link nofollow
stat link
stat other/o
stat /
read src/a
write src/a no
ls src
ls other
create build/n
create src/n
mkdir build/d
mkdir src/d
symlink x build/s
symlink x src/s
mknod build/f fifo
mknod src/f fifo
unlink build/n
unlink src/a
rmdir build/d
rename build/f build/g
rename build/g src/g
truncate src/a 0
create build/t
truncate build/t 0
mount memfs build
# A second layer intersects with the first: stat is no longer granted under src.
restrict src read_file
restrict enforce
stat src/a
read src/a
create build/m
# Switching ids keeps the layers.
as 1000 1000
read src/a
stat build
