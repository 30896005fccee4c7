# Protocol corner cases: quoting, escapes, comments, malformed lines (exit status 1).
   # an indented comment
	
mkdir "with space"
create "with space/q\"uote"
create "with space/back\\slash"
create "with space/tab\there"
create "with space/nl\nthere"
create "with space/\x01\x7f\xff"
ls "with space"
write "with space/back\\slash" "line1\nline2\t\x00\x80end\\\""
read "with space/back\\slash"
write "with space/back\\slash" ""
read "with space/back\\slash"
symlink "t a r\"get" "with space/l"
readlink "with space/l"
stat ""
stat "" emptypath
ls ""
mkdir "a\x00b"
create "\x2f"
ls /
frobnicate
mkdir
mkdir a 0999
mkdir a 8
mkdir a -0755
mkdir x 0755 extra
"unterminated
mkdir "abc"def
mkdir "bad\q"
mkdir "bad\x4"
close -1
close three
truncate x +1
truncate x 1e3
chown x 0 -5
open x frob
open x resolve=beneath,nowhere
rename a b sideways
stat a follow
mknod n pipe
at
at 3
at three stat a
at 3 close 3
at 3 as 0 0
umask 1777
as 1000
as 1000 x
stats now
link a b c
umount a lazy
bind a b sideways
mknod n chr 4096 1
mknod n chr 1 1048576
ls /
