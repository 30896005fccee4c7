# Permission checks as an unprivileged user (as 1000 1000), ownership, set-id bits.
mkdir pub
chmod pub 0777
mkdir priv 0700
create priv/f
mkdir ro 0555
mkdir noexec 0666
create noexec/f
mkdir grp 0770
chown grp 0 2000
create secret 0600
write secret s3cret
create world 0666
as 1000 1000
stat priv
stat priv/f
ls priv
create priv/g
read secret
write secret x
read world
write world w
create ro/x
mkdir ro/x
stat ro
ls noexec
stat noexec/f
create pub/mine
stat pub/mine
mkdir pub/mydir
stat pub/mydir
chmod pub/mine 0604
stat pub/mine
chmod secret 0666
chown pub/mine 1000 1000
chown pub/mine 0 1000
chown pub/mine 1000 0
chown pub/mine 1000 2000
create grp/x
as 1000 1000 2000
create grp/x
stat grp/x
chown pub/mine 1000 2000
stat pub/mine
as 1000 0
create grp/y
as 0 0
ls grp
read secret
chmod priv 0711
as 1000 1000
stat priv/f
ls priv
read priv/f
as 0 0
# set-id bits
create s
chmod s 6755
stat s
chown s 0 0
stat s
chmod s 6755
chown s 1000 1000
stat s
chmod s 6775
as 1000 1000
write s x
stat s
chmod s 2755
stat s
as 0 0
chown s 1000 0
as 1000 1000
chmod s 2755
stat s
as 0 0
mkdir sg 2775
stat sg
chmod sg 2775
chown sg 0 3000
create sg/f
mkdir sg/d
stat sg/f
stat sg/d
as 1000 1000
mkdir pub/m
chmod pub/m 2755
stat pub/m
as 0 0
chmod pub/m 2755
stat pub/m
umask 022
