# Sparse files: a hole and the range a truncate grew a file by read as zeros; what a
# truncate cut off reads as zeros when the file grows again, within a page and across
# pages; sizes past 4 GiB up to LLONG_MAX, and an append cut short there.
create f
truncate f 10
append f ab
read f
stat f
truncate f 4
read f
truncate f 8
read f
write f 0123456789
truncate f 3
append f xyz
read f
truncate f 0
append f "\x00\x00z"
read f
stat f
# 4094 bytes of hole, then six bytes over the first page boundary; cut inside
# the second page and in the first, grow again.
create g
truncate g 4094
append g abcdef
stat g
truncate g 4097
truncate g 4095
truncate g 4100
read g
stat g
# Past 4 GiB, and the largest size.
create big
truncate big 4000000000
stat big
truncate big 5368709120
append big end
stat big
truncate big 9223372036854775807
stat big
append big x
append big ""
truncate big 9223372036854775806
append big abc
stat big
truncate big 9223372036854775805
append big z
stat big
truncate big 3
append big ok
read big
unlink big
unlink g
unlink f
