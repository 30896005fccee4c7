# mount and umount: crossing, "..", EXDEV, EBUSY, detach, mounting over entries.
mkdir mnt
create mnt/hidden
stat mnt
mount memfs mnt
stat mnt
ls mnt
stat mnt/..
ls mnt/..
create mnt/f
mkdir mnt/sub
stat mnt/f
link mnt/f g
rename mnt/f g
rename mnt/f mnt/sub/f
create h
rename h mnt/h
link h mnt/h
rename mnt mnt2
rmdir mnt
unlink mnt
mount memfs mnt/sub
stat mnt/sub
umount mnt
umount mnt/sub
umount mnt/sub
stat mnt/sub
ls mnt
umount mnt/missing
umount h
open mnt/sub/.. directory
umount mnt
close 3
umount mnt
ls mnt
open mnt
mount memfs mnt
ls mnt
umount mnt
ls mnt
close 3
mount memfs mnt
mount memfs mnt
ls mnt
umount mnt
ls mnt
umount mnt
ls mnt
mount memfs h
mount memfs missing
mkdir m2
mount memfs m2/
symlink m2 ms
mount memfs ms
# (no stat of a second-generation mount: Linux hands a freed anonymous device number
# to the next tmpfs, rcuvfs numbers devices afresh; renumbering cannot hide that)
ls m2
umount ms
umount m2
mount memfs m2
create m2/busy
open m2/busy
umount m2
umount m2 detach
fdpath 3
ls m2
close 3
stats
