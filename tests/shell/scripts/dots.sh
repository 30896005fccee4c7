# "." and "..", the root's parent, empty paths, renames into a subtree.
mkdir a
mkdir a/b
mkdir a/b/c
create a/f
stat .
stat ..
stat /..
stat /../../..
ls ..
ls /../a
stat a/b/..
stat a/b/../..
stat a/./b/./c
stat a/f/..
stat a/f/.
stat a/missing/..
rmdir .
rmdir ..
rmdir a/.
rmdir a/..
rmdir a/b/c/.
rmdir /
unlink .
unlink ..
unlink /
mkdir .
mkdir ..
mkdir a/b/..
create .
create ..
rename . x
rename .. x
rename a .
rename a ..
rename a/b/. x
rename a/b/c/.. x
rename a a/b
rename a a/b/c/d
rename a/b a/b/c/x
rename a/b a/b
rename a a/
rename / x
rename a /
symlink x .
symlink x ..
link a/f .
link a/f ..
link . x
stat ""
stat "" nofollow
ls ""
read ""
mkdir ""
create ""
unlink ""
rmdir ""
rename "" a
rename a ""
readlink ""
chmod "" 0755
cd ""
cd a/b/c
stat .
stat ..
ls ../..
cd ../../..
stat .
cd ..
ls .
