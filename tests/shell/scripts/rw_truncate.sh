# read, write, append and truncate on files, directories, symlinks and errors.
create f
write f "first line\n"
append f "second\n"
append f ""
read f
write f short
read f
truncate f 2
read f
truncate f 8
read f
stat f
truncate f 0
read f
stat f
write f "\x00\x01\x02\xfe\xff"
read f
append f "tail"
stat f
mkdir d
read d
write d x
append d x
truncate d 0
truncate missing 0
truncate d/missing 0
truncate f/x 0
symlink f sf
write sf via-link
read f
truncate sf 3
read sf
symlink d sd
truncate sd 0
create big
truncate big 1000000
stat big
chmod f 0444
as 1000 1000
read f
write f x
truncate f 0
as 0 0
write f root-can
read f
chmod f 0000
read f
as 1000 1000
read f
as 0 0
chmod f 0222
as 1000 1000
read f
write f nobody
as 0 0
chown f 1000 1000
chmod f 0600
as 1000 1000
write f "owner writes"
append f ", appends"
read f
truncate f 5
read f
as 0 0
