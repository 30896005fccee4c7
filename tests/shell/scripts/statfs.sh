# statfs: which objects it reaches and its errors (the kernel comparison looks at
# bsize and namelen only: the other fields describe each filesystem's own size).
statfs /
mkdir d
create d/f
symlink d/f l
symlink missing dangling
statfs d
statfs d/f
statfs l
statfs dangling
statfs missing
statfs d/f/
statfs d/f/x
statfs ""
mkdir m
mount memfs m
statfs m
create m/g
statfs m/g
mkdir priv 0700
create priv/h
as 1000 1000
statfs priv
statfs priv/h
as 0 0
open d path
at 3 statfs f
at 3 statfs /d
close 3
