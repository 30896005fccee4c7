# nofile: the descriptor limit (RLIMIT_NOFILE). Descriptors are numbered from 3, lowest
# free first, so a limit of N leaves room for N - 3 of them. An open that finds no
# descriptor is EMFILE and has no effect: the descriptor is taken before the walk.
create f
write f hello
nofile 6
open f
open f
open f
open f
create g
stat g
write f ""
read f
mkdir d
open d directory
# Closed descriptors are taken again, lowest first.
close 4
open f rdonly
open f
close 5
close 3
open d directory
open f
open f
# Below the open descriptors: they stay open, and only numbers under the limit are
# handed out.
nofile 4
statfd 5
fdpath 5
close 4
open f
close 3
open f path
open f
nofile 0
close 3
open f
stat f
# Above fs.nr_open (1048576): EPERM, and the limit stays.
nofile 1048577
nofile 18446744073709551615
open f
nofile 1024
read f
create g
stat g nofollow
open g
open g
