# inotify: the events of each namespace call, seen by a directory's watch (with the
# entry's name) and by the object's own watch; identical consecutive events merge.
mkdir d
watch d all
create d/f
write d/f "hello"
read d/f
append d/f " world"
chmod d/f 0600
ls d
events
watch d/f all
chmod d/f 0644
chown d/f 0 0
truncate d/f 2
events
open d/f wronly trunc
close 4
open d/f path
close 4
events
mkdir d/sub
chmod d 0711
events
link d/f d/hl
unlink d/hl
events
unlink d/f
events
rmdir d/sub
events
unwatch 1
events
unwatch 1
events
