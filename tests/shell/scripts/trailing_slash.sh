# Trailing slashes: only directories (and symlinks to them) may carry one.
mkdir d
create f
mkdir d2/
stat d2
create f2/
stat f2
open f3/ creat
stat d/
stat d//
stat f/
stat f//
stat f/.
stat d/.
stat d/..
ls d/
read f/
write f/ x
mkdir f/
mkdir d/
rmdir d/
mkdir d
rmdir d//
unlink f/
stat f
unlink d/
mkdir d
symlink f sf
symlink d sd
stat sf/
stat sd/
stat sd/ nofollow
unlink sd/
rmdir sd/
rmdir sd
rename f/ g
rename f g/
rename f g
stat g
mkdir e
rename e/ e2/
stat e2
rename e2 e3/
stat e3/
rename e3// e4
stat e4
link g/ h
link g h/
link g h
stat h
symlink g s/
symlink g s
stat s
chmod g/ 0600
chmod e4/ 0700
stat e4
truncate g/ 0
truncate g 0
open d/ directory
open g/ rdonly
open e4/ rdonly directory
stat /
stat //
stat ///d
ls //
