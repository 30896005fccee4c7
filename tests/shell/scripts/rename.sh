# renameat2: replacing, directories, noreplace, exchange, subtrees, no-ops.
create f
write f one
create g
write g two
rename f g
read g
stat f
create f
rename f f
rename g f
stat g
mkdir d
mkdir e
create e/x
rename d e
rename e d
stat d/x
mkdir e
rename d e
stat e/x
rename f e
rename e f
mkdir dd
rename f dd
rename dd f
create h
link h h2
rename h h2
stat h
stat h2
rename h h2 noreplace
rename h h3 noreplace
stat h3
rename h3 missing exchange
rename h3 h2 exchange
rename h2 e exchange
stat e
stat h2
stat e/x
rename e h2 exchange
stat h2/x
mkdir p
mkdir p/q
mkdir p/q/r
rename p p/q/r/s
rename p/q p/q/r/s exchange
rename p/q/r p exchange
rename p/q p/q/r exchange
rename p/q/r p/s
stat p/s
rename p/s p/q/s
stat p/q/s
rename missing x
rename missing x noreplace
rename f missing/x
rename f f/x
create f/y
rename h2 p/q/t
ls p/q
symlink p sp
rename sp sq
stat sq nofollow
ls sq
rename sq/q sq/q2
ls p
rename sq p/sq
stat p/sq nofollow
rename f "p/with space"
ls p
ls /
