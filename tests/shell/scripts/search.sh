# Search permission on the way to a file, by owner, group and others: the owner class
# is used alone even when group or others could search; root searches any directory;
# a lookup relative to a descriptor checks only the directories after it.
mkdir a
mkdir a/b 0700
chown a/b 1000 1000
mkdir a/b/c
create a/b/c/f
symlink /a/b/c/f link
as 1000 1000
stat a/b/c/f
stat a/b/c/../c/f
as 1001 1001
stat a/b/c/f
stat a/b/c/../c/f
stat link
stat link nofollow
as 1001 1001 1000
stat a/b/c/f
as 0 0
chmod a/b 0070
as 1000 1000
stat a/b/c/f
as 1001 1000
stat a/b/c/f
as 0 0
chmod a/b 0601
as 1000 1000
stat a/b/c/f
as 1001 1001
stat a/b/c/f
stat link
as 0 0
open a/b/c directory
chmod a/b 0000
stat a/b/c/f
as 1000 1000
stat a/b/c/f
at 3 stat f
at 3 stat ../c/f
as 0 0
chmod a/b 0711
as 1001 1001
stat a/b/c/f
at 3 stat ../c/f
close 3
