# Bind mounts: directories and files, recursive binds, busy and type errors.
mkdir a
mkdir b
mkdir c
mkdir a/sub
create a/sub/f
write a/sub/f "in a"
mount memfs a/sub
create a/sub/g
ls a/sub
bind a b
ls b
ls b/sub
bind a c rec
ls c/sub
read c/sub/g
stat c/sub/g
stat a/sub/g
create f1
create f2
write f1 one
bind f1 a
bind a f1
bind f1 f2
read f2
stat f2
write f2 two
read f1
umount f2
read f2
umount c
umount c/sub
umount c
ls c
umount b
ls b
bind missing b
bind a missing
rename b/sub/g c/g
link a/sub/g a/h
umount a/sub
ls a/sub
read a/sub/f
