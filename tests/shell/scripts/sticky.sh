# Sticky directories: only the owner of the entry, of the directory, or root may
# delete or rename.
mkdir tmp 1777
stat tmp
chmod tmp 1777
stat tmp
as 1000 1000
create tmp/u1000
mkdir tmp/d1000
as 1001 1001
create tmp/u1001
unlink tmp/u1000
rmdir tmp/d1000
rename tmp/u1000 tmp/stolen
rename tmp/u1001 tmp/u1000
rename tmp/u1001 tmp/mine
write tmp/u1000 x
as 1000 1000
unlink tmp/mine
stat tmp/mine
chmod tmp/u1000 0666
as 1001 1001
write tmp/u1000 hello
read tmp/u1000
unlink tmp/u1000
as 0 0
mkdir own
chmod own 1777
chown own 1001 1001
as 1000 1000
create own/x
as 1001 1001
unlink own/x
as 0 0
unlink tmp/u1000
rmdir tmp/d1000
ls tmp
mkdir nonsticky
chmod nonsticky 0777
as 1000 1000
create nonsticky/a
as 1001 1001
unlink nonsticky/a
as 0 0
chmod tmp 0777
stat tmp
chmod tmp 1777
stat tmp
