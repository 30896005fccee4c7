# fdpath: the path of an open descriptor, after renames and unlinks.
mkdir a
mkdir a/b
create a/b/f
open a/b/f
fdpath 3
open a/b directory
fdpath 4
open /
fdpath 5
open a path
fdpath 6
rename a/b/f a/b/g
fdpath 3
rename a/b a/c
fdpath 3
fdpath 4
rename a x
fdpath 3
fdpath 4
fdpath 6
unlink x/c/g
fdpath 3
statfd 3
rmdir x/c
fdpath 4
statfd 4
close 3
fdpath 3
close 4
close 6
fdpath 6
fdpath 5
fdpath 99
create "x/sp ace"
open "x/sp ace"
fdpath 3
unlink "x/sp ace"
fdpath 3
close 3
create x/h
link x/h x/h2
open x/h
unlink x/h
fdpath 3
statfd 3
close 3
open x/h2
fdpath 3
rename x/h2 x/h3
fdpath 3
close 3
symlink x/h3 sl
open sl path nofollow
fdpath 3
open sl
fdpath 4
close 4
close 3
mkdir deep
cd deep
open .
fdpath 3
open ..
fdpath 4
close 3
close 4
cd /
