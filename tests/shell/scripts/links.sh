# Hard links: nlink counts, directories' nlink, EPERM for directories, follow.
create f
write f data
link f g
stat f
stat g
link f g
link f d/g
link missing x
mkdir d
link f d/g
stat d/g
read d/g
link d e
link d/ e
stat d
mkdir d/s1
mkdir d/s2
stat d
stat /
rmdir d/s1
stat d
symlink f sl
link sl hsl
stat hsl nofollow
stat sl nofollow
link sl hf follow
stat hf nofollow
stat f
symlink missing dangle
link dangle hd
link dangle hd2 follow
stat hd nofollow
unlink f
stat g
unlink g
unlink d/g
stat hf
unlink hf
stat sl
read hsl
mkdir x
mkdir x/y
stat x
rename x/y y
stat x
stat y
mkdir x/y
rename y x/y
rename x/y x/z
stat x
rename x/z z
stat x
rmdir z
stat /
link / r
link . r
link .. r
