// The etcd client over gRPC: etcd's KV and Watch services (etcdserverpb), with the
// deadlines and the attempts client.h describes.
#include "fs/etcd/client.h"

#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

namespace rcuvfs::etcdfs {

namespace pb = etcdserverpb;
using Clock = std::chrono::steady_clock;

std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    if (static_cast<unsigned char>(end.back()) != 0xff) {
      end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // every key
}

namespace {

// What a failed attempt means: try again on another member, or give up with an errno.
// Besides a member that is down or has no leader (UNAVAILABLE) or did not answer in
// time, gRPC reports a connection torn down mid-call as UNKNOWN, INTERNAL or ABORTED.
// Trying any of these again is safe: every transaction of the filesystem compares what
// it read, and its reads and deletes may be repeated.
bool retryable(const grpc::Status& s) {
  switch (s.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::ABORTED:
      return true;
    default:
      return false;
  }
}
int errno_of(const grpc::Status& s) {
  if (retryable(s)) return ETIMEDOUT;  // no member answered within the budget
  if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED)  // "database space exceeded"
    return ENOSPC;
  if (s.error_code() == grpc::StatusCode::NOT_FOUND)  // "requested lease not found"
    return ENOLINK;
  // Anything else is a fault of this client or of the cluster's setup: said once, as
  // EIO alone would not show it.
  static std::atomic<bool> said{false};
  if (!said.exchange(true))
    std::fprintf(stderr, "rcuvfs etcd: the cluster answered gRPC status %d: %s\n",
                 static_cast<int>(s.error_code()), s.error_message().c_str());
  return EIO;
}

KeyValue from_pb(const mvccpb::KeyValue& kv) {
  return {kv.key(), kv.value(), kv.create_revision(), kv.mod_revision(), kv.version()};
}

// The channel's target: gRPC's own list of addresses, one subchannel each, so that
// round robin spreads calls over the members and skips the ones that are down.
Result<std::string> target_of(const std::vector<std::string>& endpoints) {
  std::string out = "ipv4:";
  for (size_t i = 0; i < endpoints.size(); ++i) {
    std::string_view e = endpoints[i];
    if (e.starts_with("http://")) e.remove_prefix(7);
    if (e.empty() || e.find('/') != std::string_view::npos ||
        e.find(':') == std::string_view::npos)
      return Err{EINVAL};
    out += (i ? "," : "") + std::string(e);
  }
  if (endpoints.empty()) return Err{EINVAL};
  return out;
}

class GrpcClient;

class GrpcWatch : public Client::Watch {
 public:
  GrpcWatch(GrpcClient* client, std::string prefix, int64_t from, Client::WatchCallbacks cb);
  ~GrpcWatch() override;

 private:
  using Stream = grpc::ClientReaderWriter<pb::WatchRequest, pb::WatchResponse>;
  void run(int64_t from);
  // One stream, from `next` on; returns when it ends (updating `next`).
  void stream_once(int64_t& next);
  // The heartbeat (Client::watch): asks the open stream for progress, cuts it when it
  // has been silent for too long.
  void beat();
  static int64_t now_ns() { return Clock::now().time_since_epoch().count(); }

  GrpcClient* const client_;
  const std::string prefix_;
  const std::string marker_;  // this watch's own key: its put marks "in step"
  Client::WatchCallbacks cb_;
  // mu_ and write_mu_ are never held together: the heartbeat cuts a stream under mu_
  // and writes to it under write_mu_, so a write that blocks never keeps it from
  // cutting the stream (which ends the write).
  std::mutex mu_;
  bool stop_ = false;                         // guarded by mu_
  grpc::ClientContext* ctx_ = nullptr;        // the open stream's, guarded by mu_
  std::condition_variable cv_;
  std::mutex write_mu_;
  Stream* stream_ = nullptr;  // the open stream once its watch is asked for; write_mu_
  std::atomic<int64_t> heard_{0};  // when the open stream last answered (now_ns)
  std::thread thread_;
  std::thread beat_;
};

class GrpcClient : public Client {
 public:
  GrpcClient(std::shared_ptr<grpc::Channel> ch, const ClientOptions& o)
      : channel_(std::move(ch)),
        kv_(pb::KV::NewStub(channel_)),
        watch_(pb::Watch::NewStub(channel_)),
        lease_(pb::Lease::NewStub(channel_)),
        o_(o) {}

  Result<RangeResult> range(std::string_view key, std::string_view end,
                            int64_t limit) override {
    pb::RangeRequest req;
    req.set_key(std::string(key));
    if (!end.empty()) req.set_range_end(std::string(end));
    req.set_limit(limit);
    pb::RangeResponse resp;
    RCUVFS_TRY(call([&](grpc::ClientContext* ctx) { return kv_->Range(ctx, req, &resp); }));
    RangeResult out;
    out.revision = resp.header().revision();
    out.more = resp.more();
    out.kvs.reserve(resp.kvs_size());
    for (const auto& kv : resp.kvs()) out.kvs.push_back(from_pb(kv));
    return out;
  }

  Result<TxnResult> txn(const std::vector<Compare>& cmp, const std::vector<Op>& then,
                        const std::vector<Op>& otherwise) override {
    pb::TxnRequest req;
    for (const auto& c : cmp) {
      auto* p = req.add_compare();
      p->set_key(c.key);
      if (!c.end.empty()) p->set_range_end(c.end);
      p->set_result(pb::Compare::EQUAL);
      if (c.field == Compare::Field::kModRev) {
        p->set_target(pb::Compare::MOD);
        p->set_mod_revision(c.value);
      } else {
        p->set_target(pb::Compare::CREATE);
        p->set_create_revision(c.value);
      }
    }
    add_ops(then, req.mutable_success());
    add_ops(otherwise, req.mutable_failure());
    pb::TxnResponse resp;
    RCUVFS_TRY(call([&](grpc::ClientContext* ctx) { return kv_->Txn(ctx, req, &resp); }));
    TxnResult out;
    out.succeeded = resp.succeeded();
    out.revision = resp.header().revision();
    for (const auto& r : resp.responses()) {
      if (!r.has_response_range()) continue;
      auto& kvs = out.ranges.emplace_back();
      for (const auto& kv : r.response_range().kvs()) kvs.push_back(from_pb(kv));
    }
    return out;
  }

  Result<int64_t> lease_grant(int ttl_s) override {
    pb::LeaseGrantRequest req;
    req.set_ttl(ttl_s);
    pb::LeaseGrantResponse resp;
    RCUVFS_TRY(call([&](grpc::ClientContext* ctx) { return lease_->LeaseGrant(ctx, req, &resp); }));
    if (!resp.error().empty() || resp.id() == 0) return Err{EIO};
    return int64_t{resp.id()};
  }

  Status lease_revoke(int64_t id) override {
    pb::LeaseRevokeRequest req;
    req.set_id(id);
    pb::LeaseRevokeResponse resp;
    return call([&](grpc::ClientContext* ctx) { return lease_->LeaseRevoke(ctx, req, &resp); });
  }

  // etcd renews a lease over a stream only: one stream per renewal, which asks once.
  Result<int64_t> lease_keep_alive(int64_t id) override {
    pb::LeaseKeepAliveRequest req;
    req.set_id(id);
    pb::LeaseKeepAliveResponse resp;
    RCUVFS_TRY(call([&](grpc::ClientContext* ctx) {
      auto stream = lease_->LeaseKeepAlive(ctx);
      if (!stream->Write(req) || !stream->Read(&resp)) {
        grpc::Status s = stream->Finish();  // the stream has ended: at once
        return s.ok() ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "no keep-alive answer") : s;
      }
      stream->WritesDone();
      return stream->Finish();
    }));
    return int64_t{resp.ttl() > 0 ? resp.ttl() : 0};
  }

  void count_silence() { silences_.fetch_add(1, std::memory_order_relaxed); }

  std::unique_ptr<Watch> watch(std::string prefix, int64_t from, WatchCallbacks cb) override {
    return std::make_unique<GrpcWatch>(this, std::move(prefix), from, std::move(cb));
  }

  ClientStats stats() const override {
    return {calls_.load(std::memory_order_relaxed), retries_.load(std::memory_order_relaxed),
            failures_.load(std::memory_order_relaxed), silences_.load(std::memory_order_relaxed)};
  }

  // Run `attempt` until it succeeds, fails for good, or the budget is spent. A call
  // that spent its whole budget opens the breaker: from then on calls fail at once,
  // but for one probe every kProbeEvery (a single short attempt), until one succeeds.
  // So a system call that makes several calls of a cluster without quorum still
  // returns within about one budget.
  template <typename F>
  Status call(F&& attempt) {
    calls_.fetch_add(1, std::memory_order_relaxed);
    const int64_t now = ticks();
    if (open_.load(std::memory_order_acquire)) {
      int64_t due = next_probe_.load(std::memory_order_relaxed);
      if (now < due || !next_probe_.compare_exchange_strong(due, now + kProbeEvery)) {
        failures_.fetch_add(1, std::memory_order_relaxed);
        return Err{ETIMEDOUT};
      }
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(kProbeMs));
      grpc::Status s = attempt(&ctx);
      if (s.ok()) {
        open_.store(false, std::memory_order_release);
        return {};
      }
      failures_.fetch_add(1, std::memory_order_relaxed);
      return Err{errno_of(s)};
    }
    const auto give_up = Clock::now() + std::chrono::milliseconds(o_.budget_ms);
    auto pause = std::chrono::milliseconds(10);
    for (;;) {
      grpc::ClientContext ctx;
      // gRPC takes its deadlines on the system clock.
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(give_up - Clock::now());
      ctx.set_deadline(std::chrono::system_clock::now() +
                       std::min(left, std::chrono::milliseconds(o_.call_ms)));
      grpc::Status s = attempt(&ctx);
      if (s.ok()) return {};
      if (!retryable(s) || Clock::now() + pause >= give_up) {
        failures_.fetch_add(1, std::memory_order_relaxed);
        if (retryable(s)) {
          next_probe_.store(ticks() + kProbeEvery, std::memory_order_relaxed);
          open_.store(true, std::memory_order_release);
        }
        return Err{errno_of(s)};
      }
      retries_.fetch_add(1, std::memory_order_relaxed);
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(200));
    }
  }

  pb::Watch::Stub& watch_stub() { return *watch_; }

 private:
  static void add_ops(const std::vector<Op>& ops,
                      google::protobuf::RepeatedPtrField<pb::RequestOp>* out) {
    for (const auto& op : ops) {
      auto* r = out->Add();
      switch (op.kind) {
        case Op::Kind::kRange: {
          auto* g = r->mutable_request_range();
          g->set_key(op.key);
          if (!op.end.empty()) g->set_range_end(op.end);
          g->set_limit(op.limit);
          break;
        }
        case Op::Kind::kPut: {
          auto* p = r->mutable_request_put();
          p->set_key(op.key);
          p->set_value(op.value);
          p->set_lease(op.lease);
          break;
        }
        case Op::Kind::kDelete: {
          auto* d = r->mutable_request_delete_range();
          d->set_key(op.key);
          if (!op.end.empty()) d->set_range_end(op.end);
          break;
        }
      }
    }
  }

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::KV::Stub> kv_;
  std::unique_ptr<pb::Watch::Stub> watch_;
  std::unique_ptr<pb::Lease::Stub> lease_;
  static constexpr int64_t kProbeEvery = 500;  // ms
  static constexpr int kProbeMs = 300;
  static int64_t ticks() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
        .count();
  }

  const ClientOptions o_;
  std::atomic<uint64_t> calls_{0}, retries_{0}, failures_{0}, silences_{0};
  std::atomic<bool> open_{false};        // the breaker (see call)
  std::atomic<int64_t> next_probe_{0};   // ticks() of the next probe while open
};

std::string random_id() {
  std::random_device rd;
  std::uniform_int_distribution<uint64_t> d;
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(d(rd)));
  return buf;
}

GrpcWatch::GrpcWatch(GrpcClient* client, std::string prefix, int64_t from,
                     Client::WatchCallbacks cb)
    : client_(client),
      prefix_(std::move(prefix)),
      marker_(prefix_ + "sync/" + random_id()),
      cb_(std::move(cb)) {
  thread_ = std::thread([this, from] { run(from); });
  beat_ = std::thread([this] { beat(); });
}

GrpcWatch::~GrpcWatch() {
  {
    std::lock_guard g(mu_);
    stop_ = true;
    if (ctx_) ctx_->TryCancel();
  }
  cv_.notify_all();
  thread_.join();
  beat_.join();
  // The marker is this watch's alone: gone with it (a crash leaves one small key).
  (void)client_->txn({}, {Op::del(marker_)}, {});
}

void GrpcWatch::run(int64_t next) {
  auto pause = std::chrono::milliseconds(20);
  for (;;) {
    {
      std::lock_guard g(mu_);
      if (stop_) return;
    }
    const int64_t before = next;
    stream_once(next);
    // A stream that delivered something was worth opening: start the pauses over.
    if (next != before) pause = std::chrono::milliseconds(20);
    std::unique_lock lk(mu_);
    if (cv_.wait_for(lk, pause, [this] { return stop_; })) return;
    pause = std::min(pause * 2, std::chrono::milliseconds(500));
  }
}

void GrpcWatch::stream_once(int64_t& next) {
  grpc::ClientContext ctx;
  // A member that has lost its leader ends the stream (instead of keeping it open and
  // silent), so that the watch goes to a member that has one.
  ctx.AddMetadata("hasleader", "true");
  {
    std::lock_guard g(mu_);
    if (stop_) return;
    ctx_ = &ctx;
  }
  heard_.store(now_ns(), std::memory_order_relaxed);
  auto stream = client_->watch_stub().Watch(&ctx);
  pb::WatchRequest req;
  auto* c = req.mutable_create_request();
  c->set_key(prefix_);
  c->set_range_end(prefix_end(prefix_));
  c->set_start_revision(next);
  c->set_prev_kv(true);
  bool up = false;
  int64_t marker_rev = 0;  // the revision of this stream's marker put, once made
  if (stream->Write(req)) {
    {
      std::lock_guard w(write_mu_);
      stream_ = stream.get();
    }
    pb::WatchResponse resp;
    std::vector<WatchEvent> batch;
    while (stream->Read(&resp)) {
      heard_.store(now_ns(), std::memory_order_relaxed);
      if (resp.compact_revision() != 0) {
        // The store no longer has the revisions from `next`: read everything again.
        next = cb_.lost() + 1;
        break;
      }
      if (resp.canceled()) break;
      if (resp.created()) {
        // In step once this stream delivers a put made after it was opened: every
        // change before that put came first.
        auto r = client_->txn({}, {Op::put(marker_, std::to_string(next))}, {});
        if (!r.ok()) break;
        marker_rev = r->revision;
        continue;
      }
      int64_t rev = 0;
      for (const auto& ev : resp.events()) {
        const int64_t r = ev.kv().mod_revision();
        if (r != rev && !batch.empty()) {
          cb_.events(rev, batch);
          batch.clear();
        }
        rev = r;
        if (ev.kv().key() == marker_) continue;
        WatchEvent e;
        e.removed = ev.type() == mvccpb::Event::DELETE;
        e.kv = from_pb(ev.kv());
        if (ev.has_prev_kv()) e.prev = from_pb(ev.prev_kv());
        batch.push_back(std::move(e));
      }
      if (!batch.empty()) {
        cb_.events(rev, batch);
        batch.clear();
      }
      if (rev) next = rev + 1;
      if (!up && marker_rev && rev >= marker_rev) {
        up = true;
        cb_.state(true);
      }
    }
  }
  {
    std::lock_guard g(mu_);
    ctx_ = nullptr;
  }
  ctx.TryCancel();
  {
    std::lock_guard w(write_mu_);
    stream_ = nullptr;
  }
  (void)stream->Finish();
  if (up) cb_.state(false);
}

void GrpcWatch::beat() {
  pb::WatchRequest progress;
  progress.mutable_progress_request();
  constexpr int64_t kSilenceNs = int64_t{kWatchSilenceMs} * 1000000;
  std::unique_lock lk(mu_);
  while (!cv_.wait_for(lk, std::chrono::milliseconds(kWatchBeatMs), [this] { return stop_; })) {
    if (!ctx_) continue;
    if (now_ns() - heard_.load(std::memory_order_relaxed) > kSilenceNs) {
      // Read then fails on the watch's thread, which opens a stream again.
      client_->count_silence();
      ctx_->TryCancel();
      heard_.store(now_ns(), std::memory_order_relaxed);
      continue;
    }
    lk.unlock();
    {
      std::lock_guard w(write_mu_);
      if (stream_) (void)stream_->Write(progress);
    }
    lk.lock();
  }
}

}  // namespace

Result<std::unique_ptr<Client>> Client::make(const ClientOptions& o) {
  auto target = target_of(o.endpoints);
  if (!target.ok()) return Err{target.error()};
  if (o.call_ms <= 0 || o.budget_ms <= 0) return Err{EINVAL};
  grpc::ChannelArguments args;
  args.SetLoadBalancingPolicyName("round_robin");
  // A member that comes back is used again within a second, not after gRPC's default
  // backoff (up to two minutes).
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // etcd's largest request is 1.5 MiB by default; its responses (a directory's page of
  // entries, a file's chunks) stay below 4 MiB, gRPC's default; allow more anyway.
  args.SetMaxReceiveMessageSize(64 << 20);
  auto ch = grpc::CreateCustomChannel(*target, grpc::InsecureChannelCredentials(), args);
  return std::unique_ptr<Client>(new GrpcClient(std::move(ch), o));
}

}  // namespace rcuvfs::etcdfs
