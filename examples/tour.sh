# A first look at an rcuvfs namespace: `rcuvfs shell examples/tour.sh`
mkdir src
mkdir src/lib 0750
create src/lib/a.c
write src/lib/a.c "int main(void) { return 0; }\n"
symlink lib/a.c src/main.c
stat src/main.c
stat src/main.c nofollow
read src/main.c
ls src/lib
rename src/lib/a.c src/lib/b.c
stat src/main.c
rmdir src
as 1000 1000
mkdir src/x
as 0 0
stat src/../src/lib/b.c
stats
