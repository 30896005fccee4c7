// Changes behind rcuvfs's back: for a filesystem whose backing store also changes
// elsewhere and which hears of it (hostfs watching the host with inotify). Through
// these calls the core keeps its dentry cache and the namespace's change feed
// (<rcuvfs/changes.h>, inotify) in step with the store, by the same rules as for a
// change made through rcuvfs: a dropped entry fails the sequence checks of the walks
// that hold it, so no stat returns it afterwards.
//
// The filesystem sets kSbWatched (superblock.h) so that the core can find a
// directory's cached entries from its inode. Calls come from any thread that holds no
// rcuvfs lock (the filesystem's watcher thread).
#pragma once

#include <rcuvfs/fs/inode.h>

#include <cstdint>
#include <string_view>

namespace rcuvfs {

// The entry `name` of directory `dir` changed on the store (made, removed, renamed
// away or here). The caller holds `dir`'s lock exclusively, as a lookup does, and
// checked the store under it if it wants to: a lookup that raced the change either
// saw it or has its result dropped here. The cached entry, positive or negative, is
// dropped. Reported to the feed as `mask` (IN_CREATE, IN_DELETE,
// IN_MOVED_FROM or IN_MOVED_TO, | IN_ISDIR), `cookie` pairing the halves of a move.
// Returns, with a reference (iput it), the object a removed name (IN_DELETE,
// IN_MOVED_FROM) was cached as bound to, or nullptr: its link count or ctime changed
// with it, which the store may report for no other name of it.
[[nodiscard]] Inode* entry_changed(Inode& dir, std::string_view name, uint32_t mask,
                                   uint32_t cookie = 0);

// The attributes (IN_ATTRIB) or the data (IN_MODIFY) of `inode` changed on the
// store: reported to the feed, with the directory and name it was seen under (nullptr
// when none). The filesystem makes the cached attributes stale itself; it reports only
// what rcuvfs did not do (the core reported its own changes already).
void object_changed(Inode& inode, uint32_t mask, Inode* dir, std::string_view name);

// The filesystem stored a new mode for directory `dir` (a change from the store, or
// its own setattr), on a kSbAttrsWithEntries filesystem: the walker decides search
// permission on such a directory from its cached entry while the attributes are
// trusted, and learns of the change here. Call after the mode is stored, every time it
// may have changed a search bit. Takes only a leaf lock: the caller may hold the
// inode's lock and its own.
void mode_changed(Inode& dir);

// Anything may have changed (the filesystem lost events): every cached entry of the
// instance whose root directory is `root` is dropped, and the feed's subscribers are
// told to rebuild what they derived (IN_Q_OVERFLOW).
void everything_changed(Inode& root);

}  // namespace rcuvfs
