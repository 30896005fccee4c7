// The pathrules module: maps each hook to the rights it needs and checks them against
// every pathrules layer of the task's domain.
#include "security/pathrules/layer.h"

#include <cerrno>
#include <fcntl.h>

namespace rcuvfs::pathrules {

namespace {

// The rights `layer` grants at `at`: the union of its rules on the object (unless
// `from` skips it: depth 1 starts at the parent) and every ancestor. Stops early
// once everything in `want` is granted. False when the ancestry could not be read.
bool granted_at(const Layer& layer, const SecPath& at, unsigned from, AccessMask want,
                AccessMask* out) {
  AccessMask got = 0;
  const bool ok = at.walk_up([&](const Inode& inode, std::string_view, unsigned depth) {
    if (depth == 0) got = 0;  // a ref-mode retry starts over
    if (depth >= from) got |= layer.granted(inode_id(inode));
    return (want & ~got) != 0;
  });
  *out = got;
  return ok;
}

int unreadable(const SecPath& at) { return at.may_not_block() ? -ECHILD : -EACCES; }

// Every layer must grant `access` (the handled part of it) at `at`.
int check(const SecPath& at, AccessMask access, const Cred& cred, unsigned from = 0) {
  for (const SecurityDomain* d = cred.domain.get(); d; d = d->parent()) {
    const Layer* layer = Layer::of(d);
    if (!layer) continue;
    const AccessMask need = access & layer->handled();
    if (!need) continue;
    AccessMask got;
    if (!granted_at(*layer, at, from, need, &got)) return unreadable(at);
    if (need & ~got) return -EACCES;
  }
  return 0;
}

// Moving an object (a link or a rename) from the directory `src` to `dst`, which
// are different: every layer handling `refer` must grant it on both sides, and the
// object must not gain at `dst` a right it did not have at `src` (Landlock's rule;
// EXDEV, so that a caller may fall back to copying).
int check_refer(const SecPath& src, unsigned src_from, const SecPath& dst,
                const Cred& cred) {
  for (const SecurityDomain* d = cred.domain.get(); d; d = d->parent()) {
    const Layer* layer = Layer::of(d);
    if (!layer || !(layer->handled() & kRefer)) continue;
    AccessMask at_src, at_dst;
    if (!granted_at(*layer, src, src_from, kAllAccess, &at_src) ||
        !granted_at(*layer, dst, 0, kAllAccess, &at_dst))
      return -EACCES;
    if (!(at_src & kRefer) || !(at_dst & kRefer)) return -EXDEV;
    if (at_dst & layer->handled() & ~at_src & ~kRefer) return -EXDEV;
  }
  return 0;
}

bool restricted(const Cred& cred) {
  for (const SecurityDomain* d = cred.domain.get(); d; d = d->parent())
    if (Layer::of(d)) return true;
  return false;
}

AccessMask make_right(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFDIR: return kMakeDir;
    case S_IFCHR: return kMakeChar;
    case S_IFBLK: return kMakeBlock;
    case S_IFIFO: return kMakeFifo;
    case S_IFSOCK: return kMakeSock;
    case S_IFLNK: return kMakeSym;
    default: return kMakeReg;
  }
}

AccessMask remove_right(const Inode& victim) {
  return victim.is_dir() ? kRemoveDir : kRemoveFile;
}

bool same_inode(const SecPath& a, const SecPath& b) { return &a.inode() == &b.inode(); }

class Module final : public SecurityModule {
 public:
  std::string_view name() const override { return "pathrules"; }

  int inode_permission(const SecPath& at, int mask, const Cred& cred,
                       unsigned) override {
    // Reads and writes are decided at open (file_open); search is not restricted.
    if (!(mask & kMayExec) || at.inode().is_dir() || !cred.domain) return 0;
    return check(at, kExecute, cred);
  }
  int inode_getattr(const SecPath& at, const Cred& cred, unsigned) override {
    if (!cred.domain) return 0;
    return check(at, kStat, cred);
  }
  // Extended attributes are metadata: reading them is the stat right. Changing them is
  // not restricted, as chmod and chown are not (nor are they by Landlock).
  int inode_getxattr(const SecPath& at, std::string_view, const Cred& cred,
                     unsigned) override {
    return cred.domain ? check(at, kStat, cred) : 0;
  }
  int inode_listxattr(const SecPath& at, const Cred& cred, unsigned) override {
    return cred.domain ? check(at, kStat, cred) : 0;
  }

  int path_mknod(const SecPath& dir, std::string_view, mode_t mode, dev_t,
                 const Cred& cred) override {
    return cred.domain ? check(dir, make_right(mode), cred) : 0;
  }
  int path_mkdir(const SecPath& dir, std::string_view, mode_t, const Cred& cred) override {
    return cred.domain ? check(dir, kMakeDir, cred) : 0;
  }
  int path_symlink(const SecPath& dir, std::string_view, std::string_view,
                   const Cred& cred) override {
    return cred.domain ? check(dir, kMakeSym, cred) : 0;
  }
  int path_link(const SecPath& old, const SecPath& new_dir, std::string_view,
                const Cred& cred) override {
    if (!cred.domain) return 0;
    if (int err = check(new_dir, make_right(old.inode().mode.load()), cred)) return err;
    // Is the new name in the directory that holds the old one? Then nothing moves.
    bool same_dir = false;
    old.walk_up([&](const Inode& inode, std::string_view, unsigned depth) {
      if (depth == 1) same_dir = &inode == &new_dir.inode();
      return depth < 1;
    });
    return same_dir ? 0 : check_refer(old, 1, new_dir, cred);
  }
  int path_unlink(const SecPath& dir, const Inode& victim, std::string_view,
                  const Cred& cred) override {
    return cred.domain ? check(dir, remove_right(victim), cred) : 0;
  }
  int path_rmdir(const SecPath& dir, const Inode&, std::string_view,
                 const Cred& cred) override {
    return cred.domain ? check(dir, kRemoveDir, cred) : 0;
  }
  int path_rename(const SecPath& old_dir, const Inode& source, std::string_view,
                  const SecPath& new_dir, const Inode* target, std::string_view,
                  unsigned flags, const Cred& cred) override {
    if (!cred.domain) return 0;
    const bool exchange = flags & RENAME_EXCHANGE;
    const mode_t smode = source.mode.load();
    AccessMask at_old = remove_right(source);
    AccessMask at_new = make_right(smode);
    if (target) {
      at_new |= remove_right(*target);
      if (exchange) at_old |= make_right(target->mode.load());
    }
    if (int err = check(old_dir, at_old, cred)) return err;
    if (int err = check(new_dir, at_new, cred)) return err;
    if (same_inode(old_dir, new_dir)) return 0;
    if (int err = check_refer(old_dir, 0, new_dir, cred)) return err;
    return exchange ? check_refer(new_dir, 0, old_dir, cred) : 0;
  }
  int path_truncate(const SecPath& at, off_t, const Cred& cred) override {
    return cred.domain ? check(at, kTruncate, cred) : 0;
  }
  int file_open(const SecPath& at, int flags, bool created, const Cred& cred) override {
    if (!cred.domain) return 0;
    const bool dir = at.inode().is_dir();
    AccessMask need = 0;
    const int acc = flags & O_ACCMODE;
    if (acc == O_RDONLY || acc == O_RDWR) need |= dir ? kReadDir : kReadFile;
    if (acc == O_WRONLY || acc == O_RDWR) need |= kWriteFile;
    if ((flags & O_TRUNC) && !created && !dir) need |= kTruncate;
    return check(at, need, cred);
  }
  // A sandboxed task may not change the mount tree (Landlock: EPERM).
  int sb_mount(const SecPath*, const SecPath&, std::string_view, const Cred& cred) override {
    return restricted(cred) ? -EPERM : 0;
  }
  int sb_umount(const SecPath&, const Cred& cred) override {
    return restricted(cred) ? -EPERM : 0;
  }
};

}  // namespace

std::shared_ptr<SecurityModule> module() {
  static const std::shared_ptr<SecurityModule> m = std::make_shared<Module>();
  return m;
}

}  // namespace rcuvfs::pathrules
