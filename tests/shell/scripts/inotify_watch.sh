# inotify watches: the flags of inotify_add_watch, its errors, objects that go away
# while open (IN_DELETE_SELF at the last close), IN_EXCL_UNLINK, unmount.
mkdir d
create d/o
watch d/o attrib,oneshot
chmod d/o 0600
chmod d/o 0644
events
watch d/o attrib
watch d/o modify,mask_add
watch d/o modify,mask_create
watch d/o attrib,mask_add,mask_create
watch d/o attrib,onlydir
symlink o d/l
watch d/l all,dont_follow
watch d/l attrib
watch d/nonexistent all
watch d/o/x all
events
chmod d/o 0600
events
# search and read permission
mkdir d/p
create d/p/q
chmod d/p/q 0600
as 1000 1000
watch d/p/q all
watch d/p all
as 0 0
chmod d/p 0700
as 1000 1000
watch d/p/q all
as 0 0
events
# removed while open: the object's end comes with its last close
mkdir d/t
open d/t directory
watch d/t all
watch d all
rmdir d/t
events
close 4
events
create d/f
open d/f rdonly
watch d/f all,excl_unlink
watch d all,excl_unlink
unlink d/f
events
close 4
events
# the instance is a descriptor: not a directory, and not a file to watch with
at 3 watch . all
at 3 stat .
# unmount ends the watches on the filesystem's objects
mkdir m
mount memfs m
create m/x
watch m/x all
watch m all
umount m
events
unwatch 99
unwatch -1
watch d bogus
watch d create,,delete
