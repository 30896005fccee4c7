# Extended attributes: the user., trusted. and security. namespaces, flags, limits,
# object types, permissions, symlinks, descriptors, inotify and ctime.
mkdir d 0755
create d/f 0644
mkdir d/sub 0755
symlink f d/l
symlink missing d/dangling
mknod d/fifo fifo 0644
mknod d/null chr 0666 1 3
mknod d/sock sock 0644
# names: empty, bare prefixes, unknown prefixes, length limits
setxattr d/f "" v
getxattr d/f ""
setxattr d/f user. v
getxattr d/f user.
setxattr d/f trusted. v
setxattr d/f user v
setxattr d/f foo.bar v
getxattr d/f foo.bar
setxattr d/f system.foo v
removexattr d/f foo.bar
setxattr d/f user.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx v
getxattr d/f user.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
setxattr d/f user.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx v
removexattr d/f user.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
setxattr d/missing "" v
setxattr d/missing user.x v
setxattr d/f "user.a/b c" "any bytes"
getxattr d/f "user.a/b c"
# values: empty, binary, replaced, flags
setxattr d/f user.empty ""
getxattr d/f user.empty
setxattr d/f user.bin "a\x00b\n\xff"
getxattr d/f user.bin
setxattr d/f user.bin short
getxattr d/f user.bin
setxattr d/f user.bin x create
setxattr d/f user.new x replace
getxattr d/f user.new
setxattr d/f user.new y create
getxattr d/f user.new
getxattr d/f user.none
removexattr d/f user.none
removexattr d/f user.new
removexattr d/f user.new
listxattr d/f
# directories, symlinks and special files
setxattr d/sub user.d dir
getxattr d/sub user.d
listxattr d/sub
setxattr d/l user.via link
getxattr d/f user.via
getxattr d/l user.via nofollow
setxattr d/l user.x v nofollow
removexattr d/l user.x nofollow
setxattr d/l user. v nofollow
setxattr d/l foo.bar v nofollow
listxattr d/l nofollow
setxattr d/fifo user.x v
getxattr d/fifo user.x
setxattr d/null user.x v
getxattr d/null user.x
setxattr d/sock user.x v
listxattr d/fifo
getxattr d/dangling user.x
getxattr d/dangling user.x nofollow
setxattr d/dangling user.x v
listxattr d/dangling
listxattr d/dangling nofollow
getxattr d/f/ user.via
getxattr d/l/ user.via nofollow
getxattr d/sub/ user.d
# trusted. and security. as root, on files and symlinks
setxattr d/f trusted.t tv
getxattr d/f trusted.t
setxattr d/l trusted.lt ltv nofollow
getxattr d/l trusted.lt nofollow
listxattr d/l nofollow
setxattr d/f security.s sv
getxattr d/f security.s
setxattr d/fifo trusted.ft v
getxattr d/fifo trusted.ft
listxattr d/f
# descriptors: f* forms and *xattrat
open d/f rdonly
at 3 getxattr "" user.via emptypath
at 3 setxattr "" user.fd v emptypath
at 3 listxattr "" emptypath
at 3 removexattr "" user.fd emptypath
at 3 getxattr "" user.fd emptypath
at 3 getxattr "" user.via
open d/l path nofollow
at 4 getxattr "" trusted.lt emptypath
at 4 listxattr "" emptypath nofollow
open d directory
at 5 getxattr f user.via
at 5 getxattr l trusted.lt nofollow
at 5 setxattr sub user.at v
at 5 listxattr sub
at 5 removexattr sub user.at
at 5 getxattr "" user.d emptypath
at 3 getxattr x user.via
close 5
close 4
close 3
# not root: user. permissions, sticky directories, trusted. hidden, security. read-only
create d/rootfile 0644
setxattr d/rootfile user.r rv
create d/private 0600
setxattr d/private user.p pv
create d/shared 0666
mkdir d/tmp 01777
setxattr d/tmp user.t tv
mkdir d/mine 0755
chown d/mine 1000 1000
create d/own 0644
chown d/own 1000 1000
setxattr d/own trusted.hidden h
setxattr d/own security.seen s
as 1000 1000
getxattr d/rootfile user.r
setxattr d/rootfile user.r x
removexattr d/rootfile user.r
setxattr d/rootfile user. x
setxattr d/rootfile foo.bar x
getxattr d/private user.p
getxattr d/private foo.bar
listxattr d/private
setxattr d/shared user.s x
getxattr d/shared user.s
getxattr d/tmp user.t
setxattr d/tmp user.t x
removexattr d/tmp user.none
setxattr d/tmp foo.bar x
setxattr d/mine user.m x
getxattr d/mine user.m
setxattr d/own user.o x
listxattr d/own
getxattr d/own trusted.hidden
getxattr d/own trusted.none
setxattr d/own trusted.t x
removexattr d/own trusted.hidden
getxattr d/own security.seen
setxattr d/own security.seen x
removexattr d/own security.seen
removexattr d/own security.none
setxattr d/l trusted.x v nofollow
chmod d/own 0
getxattr d/own user.o
setxattr d/own user.o y
listxattr d/own
getxattr d/own security.seen
as 0 0
# IN_ATTRIB on the object and, with its name, on its directory; none for a failure
watch d attrib
watch d/own attrib
setxattr d/own user.w v
removexattr d/own user.w
getxattr d/own user.o
setxattr d/own user.w v create
setxattr d/own user.w v create
events
