# Symlinks: following, nofollow, loops, the 40-link limit, trailing slashes.
mkdir d
create d/f
write d/f content
symlink d/f rel
symlink /d/f abs
symlink ../d/f d/up
symlink d dl
read rel
read abs
read d/up
read dl/f
ls dl
ls dl/
stat rel
stat rel nofollow
readlink rel
readlink abs
readlink d/up
readlink d/f
readlink d
readlink missing
readlink dl/
readlink dl/f
stat dl/
stat dl/ nofollow
stat dl nofollow
# loops
symlink self self
stat self
stat self nofollow
read self
create self
symlink pb pa
symlink pa pb
stat pa
stat pa/x
mkdir pa/x
symlink loopdir/x loopdir
stat loopdir
# dangling: create through a dangling symlink creates the target
symlink newfile dang
stat dang
create dang
open dang creat
stat newfile
symlink nodir/newfile dang2
open dang2 creat
open dang2 wronly creat
symlink newdir dangd
mkdir dangd
mkdir dangd/
stat newdir
# the 40-symlink limit
create t0
symlink t0 c1
symlink c1 c2
symlink c2 c3
symlink c3 c4
symlink c4 c5
symlink c5 c6
symlink c6 c7
symlink c7 c8
symlink c8 c9
symlink c9 c10
symlink c10 c11
symlink c11 c12
symlink c12 c13
symlink c13 c14
symlink c14 c15
symlink c15 c16
symlink c16 c17
symlink c17 c18
symlink c18 c19
symlink c19 c20
symlink c20 c21
symlink c21 c22
symlink c22 c23
symlink c23 c24
symlink c24 c25
symlink c25 c26
symlink c26 c27
symlink c27 c28
symlink c28 c29
symlink c29 c30
symlink c30 c31
symlink c31 c32
symlink c32 c33
symlink c33 c34
symlink c34 c35
symlink c35 c36
symlink c36 c37
symlink c37 c38
symlink c38 c39
symlink c39 c40
symlink c40 c41
stat c39
stat c40
stat c41
stat c41 nofollow
readlink c41
open c40
open c41
open c41 path nofollow
open c41 nofollow
# nested inside a path: each component link counts too
mkdir n0
create n0/f
symlink n0 m1
symlink m1 m2
symlink m2 m3
symlink m3 m4
symlink m4 m5
symlink m5 m6
symlink m6 m7
symlink m7 m8
symlink m8 m9
symlink m9 m10
symlink m10 m11
symlink m11 m12
symlink m12 m13
symlink m13 m14
symlink m14 m15
symlink m15 m16
symlink m16 m17
symlink m17 m18
symlink m18 m19
symlink m19 m20
symlink m20 m21
symlink m21 m22
symlink m22 m23
symlink m23 m24
symlink m24 m25
symlink m25 m26
symlink m26 m27
symlink m27 m28
symlink m28 m29
symlink m29 m30
symlink m30 m31
symlink m31 m32
symlink m32 m33
symlink m33 m34
symlink m34 m35
symlink m35 m36
symlink m36 m37
symlink m37 m38
symlink m38 m39
symlink m39 m40
symlink m40 m41
stat m40/f
stat m41/f
stat m39/f
ls m40
ls m41
# symlink to /, .. after a symlink
symlink / root
ls root
stat root/d/f
mkdir x
mkdir x/y
symlink x/y xy
stat xy/..
ls xy/..
symlink .. x/y/up
ls x/y/up
stat x/y/up/..
# existing names
symlink d/f rel
symlink anything d
symlink anything d/
symlink "" empty
symlink x ""
# unlink removes the link, not the target
unlink rel
stat d/f
unlink dl/
unlink dl
stat d
rmdir dl
rmdir xy
rmdir xy/
stat x/y
ls /
