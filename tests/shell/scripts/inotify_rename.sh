# inotify and rename: IN_MOVED_FROM / IN_MOVED_TO in the two directories, IN_MOVE_SELF
# on the object (without IN_ISDIR), a replaced target's IN_ATTRIB, IN_DELETE_SELF and
# IN_IGNORED; RENAME_EXCHANGE as two moves.
mkdir d
mkdir e
create d/a
create d/b
watch d create,delete,moved_from,moved_to,delete_self,move_self,attrib
watch e all
watch d/b all
watch d/a all
rename d/a d/b
events
rename d/b e/c
events
mkdir d/x
watch d/x all
rename d/x e/c exchange
events
rename e/x e/y noreplace
events
rename e/c d/x noreplace
events
