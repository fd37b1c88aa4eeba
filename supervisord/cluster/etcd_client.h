#pragma once
// EtcdClient: etcd v3 through its JSON gateway (HTTP/1.1), asynchronous on the daemon's
// io_context; no threads, nothing blocks. Every call answers exactly once, later, on the
// loop (never inside the call), unless the client is destroyed first: then never.
//
// Each request attempt has requestTimeout. An endpoint that refuses the connection,
// times out or answers that it cannot serve (HTTP 5xx, gRPC Unavailable: isUnavailable)
// is left for the next one; a call fails only after every endpoint failed once ("etcd
// unreachable: <endpoint>: <why>; ..."). Attempts start at the endpoint that answered
// last. An answer from etcd (success or a refusal such as "lease not found") ends the
// call. A failure after a timeout does not prove that etcd did not apply the request:
// read before relying on it (see createIfAbsent).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "supervisord/cluster/etcd_json.h"

namespace boost::asio {
class io_context;
}

namespace cluster {

struct EtcdClientOptions {
  // "http://127.0.0.1:2379" or "127.0.0.1:2379" (port 2379 when absent); names are resolved.
  std::vector<std::string> endpoints;
  std::chrono::milliseconds requestTimeout{1000};  // per attempt and endpoint
};

// A streaming watch of one key prefix, on its own connection. Destroying it closes the
// connection; no callback runs after the destructor began (also when it runs inside one).
class EtcdWatch {
 public:
  class Stream;
  explicit EtcdWatch(std::shared_ptr<Stream> stream);
  ~EtcdWatch();
  EtcdWatch(const EtcdWatch&) = delete;
  EtcdWatch& operator=(const EtcdWatch&) = delete;

 private:
  std::shared_ptr<Stream> stream_;
};

class EtcdClient {
 public:
  template <typename T>
  using Callback = std::function<void(common::Result<T>)>;
  // events: in revision order, never empty; revision: the last event's (its
  // kv.modRevision): a new watch from revision + 1 misses nothing and repeats nothing.
  using WatchEvents = std::function<void(std::vector<WatchEvent> events, std::int64_t revision)>;
  using WatchBroken = std::function<void(std::string reason)>;

  // Fails on an empty list or a malformed endpoint, naming it: "invalid etcd endpoint
  // 'https://x:1': only http:// is supported". REQUIRES: `io` outlives the client and
  // its watches (they hold sockets and timers on it).
  static common::Result<std::unique_ptr<EtcdClient>> create(boost::asio::io_context& io, EtcdClientOptions options);
  // Safe with requests and watches in flight: their callbacks will never run.
  ~EtcdClient();
  EtcdClient(const EtcdClient&) = delete;
  EtcdClient& operator=(const EtcdClient&) = delete;

  // Leases. A lease etcd no longer knows (expired, revoked) is an error for which
  // isLeaseNotFound(error) holds, from keepAlive, revokeLease, put and createIfAbsent.
  void grantLease(std::int64_t ttlSeconds, Callback<LeaseGrant> done);
  void keepAlive(std::int64_t leaseId, Callback<std::int64_t> done);  // the renewed TTL, seconds
  void revokeLease(std::int64_t leaseId, Callback<void> done);

  // Keys (any bytes). lease 0: the key does not expire. put answers the new revision.
  void put(std::string key, std::string value, std::int64_t lease, Callback<std::int64_t> done);
  void range(std::string key, Callback<RangeResult> done);  // kvs: empty or the key
  void rangePrefix(std::string prefix, Callback<RangeResult> done);
  // Creates `key` only if absent (one transaction) and, with `unchanged`, only while no key
  // under its prefix was written after its revision. Lost: `holder` is the key as it is;
  // no holder: the guard failed (`newest`). After a timed-out attempt was retried
  // elsewhere, the holder may be our own key: holder->lease == lease and holder->value ==
  // value tell.
  void createIfAbsent(std::string key, std::string value, std::int64_t lease, Callback<CreateResult> done,
                      std::optional<Unchanged> unchanged = std::nullopt);
  // Deletes `key` only while it is the incarnation created at `createRevision` (the one
  // we created); deleted = false when it is gone or someone else's.
  void deleteIfCreateRevision(std::string key, std::int64_t createRevision, Callback<DeleteResult> done);
  void deleteKey(std::string key, Callback<DeleteResult> done);
  // The answering member's view: raft leader, revision.
  void status(Callback<EtcdStatus> done);

  // Watches every key under `prefix` from `startRevision` (0: from now), with previous
  // values. Connecting fails over like a request; once etcd accepted the watch it stays
  // on that endpoint. It does not reconnect: onBroken runs once when the stream ends,
  // fails or etcd cancels it (e.g. compacted revision), and no callback follows; the
  // caller creates a new watch from its last revision + 1. A member cut off from its
  // cluster may keep a stream silent: a caller still needs its lease keepalives.
  std::unique_ptr<EtcdWatch> watchPrefix(std::string prefix, std::int64_t startRevision, WatchEvents onEvents,
                                         WatchBroken onBroken);

  // The endpoint that answered last (the first one before any answer), e.g. for ha.* reports.
  std::string currentEndpoint() const;

  struct Shared;

 private:
  explicit EtcdClient(std::shared_ptr<Shared> shared);
  std::shared_ptr<Shared> shared_;
};

}  // namespace cluster
