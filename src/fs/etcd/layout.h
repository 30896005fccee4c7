// The etcd filesystem's keys and values under its prefix P (docs/etcd.md, "Layout").
//
//   P/meta/ino             the next inode number no instance has taken (decimal);
//                          each instance takes kInoBlock numbers at a time
//   P/i/<ino>              an inode: its attributes (and a symlink's body), CBOR
//   P/d/<dir>/<name>       a directory entry: the inode it names, its type and its
//                          position in the directory (CBOR)
//   P/o/<dir>/<pos>        the entry at that position (its name, inode and type):
//                          readdir's order, stable while entries come and go
//   P/c/<ino>/<index>      a regular file's data, kChunk bytes from index * kChunk on;
//                          trailing zeros trimmed; a chunk absent, or shorter than the
//                          file reaches, reads as zeros
//   P/orphan/<ino>         an inode without names not reclaimed yet (empty), put with
//                          every hold on it, deleted by its reclaim
//   P/orphan/<ino>/<inst>  an instance's hold on such an inode, which it still has
//                          (etcdfs.h), under that instance's lease: it goes with the
//                          instance. The inode is reclaimed once none is left
//   P/sync/<id>            a watch's marker (client.cc)
// Numbers in keys are fixed-width lower-case hex, so that key order is number order.
#pragma once

#include <rcuvfs/result.h>

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rcuvfs::etcdfs {

inline constexpr uint64_t kRootIno = 1;
inline constexpr uint64_t kInoBlock = 1024;
inline constexpr uint64_t kChunk = 64 * 1024;
// Chunks written by one transaction: 512 KiB, within etcd's default request limit
// (1.5 MiB) and its limit of operations per transaction (128).
inline constexpr uint64_t kChunksPerTxn = 8;

// The room for one inode's extended attributes (SimpleXattrs::space of each): a
// record stays far below etcd's request limit.
inline constexpr size_t kXattrSpace = 256 * 1024;

// A directory's size, as tmpfs counts it: 20 bytes per entry, "." and ".." included.
inline constexpr uint64_t kEntrySize = 20;
inline constexpr uint64_t kEmptyDirSize = 2 * kEntrySize;

// An inode's record (P/i/<ino>).
struct Record {
  uint32_t mode = 0, uid = 0, gid = 0, nlink = 0;
  uint64_t size = 0, rdev = 0;
  int64_t atime = 0, mtime = 0, ctime = 0, btime = 0;
  uint64_t next_pos = 2;  // a directory's next entry position (0 and 1: "." and "..")
  std::string body;       // a symlink's target
  // Extended attributes, by name; `xattr_gen` counts their changes, so that an inode
  // replaces its copy only when they changed.
  std::vector<std::pair<std::string, std::string>> xattrs;
  uint64_t xattr_gen = 0;
};

// A directory entry's value (P/d/<dir>/<name>).
struct Entry {
  uint64_t ino = 0;
  unsigned char type = 0;  // DT_*
  uint64_t pos = 0;
};

// A position's value (P/o/<dir>/<pos>): what readdir returns for it.
struct Slot {
  std::string name;
  uint64_t ino = 0;
  unsigned char type = 0;
};

class Layout {
 public:
  explicit Layout(std::string prefix) : p_(std::move(prefix)) {}
  const std::string& prefix() const { return p_; }

  std::string next_ino() const { return p_ + "meta/ino"; }
  std::string inode(uint64_t ino) const { return p_ + "i/" + hex(ino, 16); }
  std::string entry(uint64_t dir, std::string_view name) const {
    return entries(dir) + std::string(name);
  }
  std::string entries(uint64_t dir) const { return p_ + "d/" + hex(dir, 16) + "/"; }
  std::string position(uint64_t dir, uint64_t pos) const {
    return positions(dir) + hex(pos, 16);
  }
  std::string positions(uint64_t dir) const { return p_ + "o/" + hex(dir, 16) + "/"; }
  std::string chunk(uint64_t ino, uint64_t index) const { return chunks(ino) + hex(index, 12); }
  std::string chunks(uint64_t ino) const { return p_ + "c/" + hex(ino, 16) + "/"; }
  // An instance's hold on an inode without names, and all holds on it.
  std::string hold(uint64_t ino, std::string_view instance) const {
    return holds(ino) + std::string(instance);
  }
  std::string holds(uint64_t ino) const { return orphan(ino) + "/"; }
  std::string orphan(uint64_t ino) const { return orphans() + hex(ino, 16); }
  std::string orphans() const { return p_ + "orphan/"; }

  // What a key under the prefix names, for the watch.
  enum class Kind : uint8_t { kOther, kInode, kEntry, kOrphan, kHold };
  struct Parsed {
    Kind kind = Kind::kOther;
    uint64_t ino = 0;       // the inode, or the entry's directory
    std::string_view name;  // the entry's name; a hold's instance
  };
  Parsed parse(std::string_view key) const;
  // The index of a key of chunks(ino), the position of a key of positions(dir).
  uint64_t chunk_index(std::string_view key) const;
  uint64_t position_of(std::string_view key) const;

  static std::string hex(uint64_t v, int width);

 private:
  // The number in the last `width` characters of `key`.
  static uint64_t chunk_index_width(std::string_view key, size_t width);

 public:

 private:
  std::string p_;
};

std::string encode(const Record& r);
Result<Record> decode_record(std::string_view v);
std::string encode(const Entry& e);
Result<Entry> decode_entry(std::string_view v);
std::string encode(const Slot& s);
Result<Slot> decode_slot(std::string_view v);

// DT_* of a mode.
unsigned char dtype_of(mode_t mode);

}  // namespace rcuvfs::etcdfs
