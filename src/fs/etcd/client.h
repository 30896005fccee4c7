// The etcd v3 client the etcd filesystem uses: ranges, transactions and a watch, over
// gRPC to the cluster's members. gRPC and the generated protobuf classes stay inside
// client.cc: nothing else of rcuvfs includes them.
//
// Faults: every call has a deadline per attempt (`call_ms`) and a budget across its
// attempts (`budget_ms`). A member that is down, has no leader, does not answer in
// time or drops the connection mid-call (UNAVAILABLE, DEADLINE_EXCEEDED, UNKNOWN,
// INTERNAL, ABORTED) is a reason to try again, on the next member (round robin over
// the endpoints), until the budget is spent: the call then fails with ETIMEDOUT, and
// later calls fail at once, but for a probe every half second, until one succeeds (a
// breaker: a system call that needs several calls of a cluster without quorum returns
// within about one budget, not one per call). A transaction tried again may have been
// applied by the attempt that seemed to fail; the filesystem's transactions compare
// the revisions they read, so such a second attempt fails its compares and the caller
// reads what is there now (docs/etcd.md, "Faults").
//
// Thread safety: one Client serves every thread; each call is independent.
#pragma once

#include <rcuvfs/result.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rcuvfs::etcdfs {

struct KeyValue {
  std::string key, value;
  int64_t create_rev = 0, mod_rev = 0, version = 0;
};

// One compare of a transaction: the key's field equals `value` (a create revision of 0:
// the key does not exist).
struct Compare {
  enum class Field : uint8_t { kModRev, kCreateRev };
  std::string key;
  Field field = Field::kModRev;
  int64_t value = 0;
  std::string end;  // not empty: every key of [key, end) (none: the compare holds)
  static Compare mod(std::string k, int64_t rev) {
    return {std::move(k), Field::kModRev, rev, {}};
  }
  static Compare absent(std::string k) { return {std::move(k), Field::kCreateRev, 0, {}}; }
  // No key in [k, e).
  static Compare none(std::string k, std::string e) {
    return {std::move(k), Field::kCreateRev, 0, std::move(e)};
  }
};

// One operation of a transaction's branch.
struct Op {
  enum class Kind : uint8_t { kRange, kPut, kDelete };
  Kind kind = Kind::kRange;
  std::string key, end;  // `end` empty: the key alone; else [key, end)
  std::string value;
  int64_t limit = 0;
  int64_t lease = 0;  // a put's lease: the key goes when the lease does (0: none)
  static Op get(std::string k) { return {Kind::kRange, std::move(k), {}, {}, 0}; }
  static Op range(std::string k, std::string e, int64_t limit = 0) {
    return {Kind::kRange, std::move(k), std::move(e), {}, limit};
  }
  static Op put(std::string k, std::string v, int64_t lease = 0) {
    return {Kind::kPut, std::move(k), {}, std::move(v), 0, lease};
  }
  static Op del(std::string k, std::string e = {}) {
    return {Kind::kDelete, std::move(k), std::move(e), {}, 0};
  }
};

struct RangeResult {
  std::vector<KeyValue> kvs;
  int64_t revision = 0;  // the store's revision the range was read at
  bool more = false;     // the limit cut the range short
};

struct TxnResult {
  bool succeeded = false;
  int64_t revision = 0;  // the store's revision after the transaction
  // The ranges of the branch that ran, in its order (its puts and deletes have none).
  std::vector<std::vector<KeyValue>> ranges;
};

struct WatchEvent {
  bool removed = false;  // a delete; else a put
  KeyValue kv;           // a delete carries the key and its mod_rev (the delete's)
  KeyValue prev;         // the key before the change (empty key: it did not exist)
};

// Calls counted since the client was made.
struct ClientStats {
  uint64_t calls = 0;      // ranges and transactions asked for
  uint64_t retries = 0;    // attempts made again after a member failed them
  uint64_t failures = 0;   // calls that failed (their budget spent, or an error)
  uint64_t silences = 0;   // watch streams cut for want of an answer (kWatchSilenceMs)
};

struct ClientOptions {
  std::vector<std::string> endpoints;  // "127.0.0.1:2379" or "http://127.0.0.1:2379"
  int call_ms = 1000;                  // deadline of one attempt
  int budget_ms = 4000;                // of all attempts of one call
};

// The watch's heartbeat (Client::watch). etcd answers a progress request at once with
// its revision: five missed answers in a row mean the stream no longer delivers.
inline constexpr int kWatchBeatMs = 1000;
inline constexpr int kWatchSilenceMs = 5000;

// The key just past every key that starts with `prefix` (etcd's prefix range end).
std::string prefix_end(std::string_view prefix);

class Client {
 public:
  // Connects lazily: a cluster that is down fails the first call, not this.
  static Result<std::unique_ptr<Client>> make(const ClientOptions& o);
  virtual ~Client() = default;

  // [key, end) at the latest revision (linearizable), or the key alone for an empty
  // `end`; at most `limit` keys (0: all).
  virtual Result<RangeResult> range(std::string_view key, std::string_view end,
                                    int64_t limit = 0) = 0;
  // ENOLINK: a put under a lease that is gone.
  virtual Result<TxnResult> txn(const std::vector<Compare>& cmp, const std::vector<Op>& then,
                                const std::vector<Op>& otherwise = {}) = 0;

  // A lease of `ttl_s` seconds (etcd may grant more): its id.
  virtual Result<int64_t> lease_grant(int ttl_s) = 0;
  // Renew lease `id`: the seconds it has left, 0 when it has expired (its keys gone).
  virtual Result<int64_t> lease_keep_alive(int64_t id) = 0;
  // End lease `id` now: etcd deletes the keys put under it.
  virtual Status lease_revoke(int64_t id) = 0;

  // A watch of every key under `prefix` from revision `from` on, run by a thread of its
  // own until the returned handle is destroyed. `events` gets every change in revision
  // order, a whole revision at a time (`rev`); `state` is told when the stream is up
  // and in step (true) and when it broke (false). A broken stream is opened again,
  // from the revision after the last one delivered, on whichever member answers, and
  // `state(true)` follows. When the store has compacted past that revision, `lost` is
  // called with the revision to read everything again at, and the watch goes on from
  // the revision after it. Callbacks run on the watch's thread, one at a time.
  // A stream that stays silent, with its connection open, is broken too: the watch
  // asks for a progress report on it every kWatchBeatMs and cuts it when nothing has
  // come for kWatchSilenceMs (a member that froze, or a partition that left no reset).
  struct WatchCallbacks {
    std::function<void(int64_t rev, std::vector<WatchEvent>& events)> events;
    std::function<void(bool up)> state;
    std::function<int64_t()> lost;  // resynchronise; returns the revision it read at
  };
  class Watch {
   public:
    virtual ~Watch() = default;
  };
  virtual std::unique_ptr<Watch> watch(std::string prefix, int64_t from,
                                       WatchCallbacks cb) = 0;

  virtual ClientStats stats() const = 0;
};

}  // namespace rcuvfs::etcdfs
