# mknod of every type; device numbers; mode and umask; EEXIST; privileges.
mknod r reg
mknod p fifo
mknod c chr 1 3
mknod b blk 0600 8 1
mknod s sock
mknod r2 reg 0640
mknod c2 chr 0666 136 0
mknod big chr 4095 1048575
mknod huge chr 4096 0
mknod huge blk 0 1048576
mknod huge fifo 0644 4096 0
mknod x/huge chr 4096 0
mknod zero blk 0 0
stat r
stat p
stat c
stat b
stat s
stat r2
stat c2
stat big
stat huge
stat zero
mknod r reg
mknod x/y fifo
mknod p/ fifo
umask 077
mknod p2 fifo
stat p2
umask 022
ls /
open p path
statfd 3
close 3
open p rdwr
statfd 3
close 3
open s
open s path
close 3
write r hello
read r
truncate p 0
truncate c 0
link p p_link
stat p
rename p p_renamed
stat p_renamed
unlink p_renamed
unlink c
unlink b
rmdir s
unlink s
mkdir d
chmod d 0777
as 1000 1000
mknod d/f fifo
mknod d/c chr 1 3
mknod d/b blk 8 0
mknod d/r reg
stat d/f
as 0 0
ls d
