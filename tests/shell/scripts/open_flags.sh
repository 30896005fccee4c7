# open: access modes, creat/excl/trunc/append, directory, nofollow, path; descriptor
# numbering (lowest free from 3).
create f
write f abc
open f
open f rdonly
open f wronly
open f rdwr
close 4
open f append
close 3
close 3
close 4
close 5
close 6
close 6
close 99
open f creat excl
open new creat excl mode=0640
stat new
close 3
open new2 creat mode=0777
stat new2
close 3
open f trunc wronly
stat f
close 3
write f abc
open f trunc rdonly
stat f
close 3
open nope
open nope directory
open nope creat directory
open f directory
open / directory
statfd 3
close 3
mkdir d
open d
close 3
open d wronly
open d rdwr
open d creat
open d path
statfd 3
close 3
symlink f sf
symlink d sd
open sf nofollow
open sf nofollow path
statfd 3
fdpath 3
close 3
open sd directory nofollow
open sd directory
fdpath 3
close 3
open f path wronly
close 3
open f mode=0644
open f rdonly mode=0644
open f excl
open f creat excl
open missing/f creat
open f cloexec
close 3
mkdir ro 0555
as 1000 1000
open f rdonly
close 3
open f wronly
open ro/x creat
open f path
close 3
as 0 0
statfd 3
fdpath 3
