# openat2 resolve= scoping flags.
mkdir root
mkdir root/d
create root/d/f
create top
symlink /top root/abs
symlink ../top root/up
symlink d/f root/rel
symlink .. root/d/dotdot
mkdir root/m
mount memfs root/m
create root/m/g
open root directory
at 3 open d/f resolve=beneath
at 3 open rel resolve=beneath
at 3 open ../top resolve=beneath
at 3 open d/../d/f resolve=beneath
at 3 open d/../../top resolve=beneath
at 3 open /top resolve=beneath
at 3 open abs resolve=beneath
at 3 open up resolve=beneath
at 3 open d/dotdot/d/f resolve=beneath
at 3 open . resolve=beneath
at 3 open .. resolve=beneath
at 3 open m/g resolve=beneath
at 3 open abs resolve=in_root
fdpath 5
at 3 open /d/f resolve=in_root
fdpath 6
at 3 open ../../d/f resolve=in_root
fdpath 7
at 3 open up resolve=in_root
close 5
close 6
close 7
at 3 open rel resolve=no_symlinks
at 3 open d/f resolve=no_symlinks
at 3 open rel resolve=no_symlinks path nofollow
at 3 open rel resolve=no_magiclinks
at 3 open m/g resolve=no_xdev
at 3 open m resolve=no_xdev
at 3 open d/f resolve=no_xdev
at 3 open d/f resolve=beneath,in_root
at 3 open d/f resolve=beneath,no_symlinks,no_xdev
at 3 open d/f resolve=cached
at 3 open d/f resolve=cached,beneath
at 3 open d/new resolve=cached creat
at 3 open d/f resolve=cached trunc wronly
open root/d/f resolve=beneath
open /top resolve=beneath
open top resolve=in_root
open /root/m/g resolve=no_xdev
open root/m/g resolve=no_xdev
cd root/m
open g resolve=no_xdev
open .. resolve=no_xdev
cd /
