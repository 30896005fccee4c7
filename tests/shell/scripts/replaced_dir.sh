# A directory replaced by a rename while it is the cwd, and one renamed away from
# under a descriptor: the replaced one is gone (no links, nothing in it); the renamed
# one keeps working and its new path shows.
mkdir old
mkdir new
create new/f
mkdir moving
create moving/g
open moving directory
cd old
rename /new /old
stat .
ls .
stat f
create x
stat /old/f
cd /old
stat f
rename /moving /moved
at 3 stat g
fdpath 3
at 3 create h
stat /moved/h
at 3 ls .
at 3 stat ..
close 3
