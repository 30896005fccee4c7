// Result<T>: a value or a positive errno. The one error convention of rcuvfs.
//
// Every public operation returns Result<T> (or Status = Result<void>); nothing on the
// hot path throws. Errors are Linux errno values (ENOENT, ELOOP, ...), never negated.
#pragma once

#include <cassert>
#include <utility>

namespace rcuvfs {

struct Err {
  int code;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)), err_(0) {}  // NOLINT: implicit by design
  Result(Err e) : err_(e.code) { assert(e.code > 0); }     // NOLINT
  // A value built in place (to be filled through value() before it is returned).
  explicit Result(std::in_place_t) : err_(0) {}
  bool ok() const { return err_ == 0; }
  explicit operator bool() const { return ok(); }
  int error() const { return err_; }
  T& value() & { assert(ok()); return value_; }
  const T& value() const& { assert(ok()); return value_; }
  T&& value() && { assert(ok()); return std::move(value_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  T value_{};
  int err_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() : err_(0) {}
  Result(Err e) : err_(e.code) { assert(e.code > 0); }  // NOLINT
  bool ok() const { return err_ == 0; }
  explicit operator bool() const { return ok(); }
  int error() const { return err_; }

 private:
  int err_;
};

using Status = Result<void>;

// Status from a kernel-style return: 0 is success, -E is error E.
inline Status status_from(int rc) { return rc < 0 ? Status(Err{-rc}) : Status(); }

}  // namespace rcuvfs

// Early return on error, like SerenityOS' TRY(): `TRY_STATUS(expr);`
#define RCUVFS_TRY(expr)                                   \
  do {                                                     \
    if (auto rcuvfs_try_r_ = (expr); !rcuvfs_try_r_.ok())  \
      return ::rcuvfs::Err{rcuvfs_try_r_.error()};         \
  } while (0)
