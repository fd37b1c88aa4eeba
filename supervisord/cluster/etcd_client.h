#pragma once
// EtcdClient: etcd 3.4's v3 JSON gateway (HTTP/1.1 POST, etcd_json.h) on the daemon's
// own io_context: no thread, nothing blocks. Each request tries the endpoint that
// answered last, then the others in turn; an endpoint that cannot be reached, does not
// answer within requestTimeout (a member cut off from its cluster's quorum hangs) or
// answers 5xx is passed over. The request fails when every endpoint failed once; an
// etcd error (4xx) fails it at once. Callbacks run on the loop, never inside the call,
// and never after the client is destroyed.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "supervisord/cluster/etcd_json.h"

namespace boost::asio {
class io_context;
}

namespace cluster {

struct EtcdOptions {
  std::vector<std::string> endpoints;  // "http://host:port" or "host:port"
  std::chrono::milliseconds requestTimeout{1000};
};

// A streaming watch; destroying it closes its connection (no callback after).
class EtcdWatch {
 public:
  virtual ~EtcdWatch() = default;
};

class EtcdClient {
 public:
  template <typename T>
  using Callback = std::function<void(common::Result<T>)>;

  // REQUIRES: `io` outlives the client; options.endpoints valid (checkEndpoints).
  EtcdClient(boost::asio::io_context& io, EtcdOptions options);
  ~EtcdClient();
  EtcdClient(const EtcdClient&) = delete;
  EtcdClient& operator=(const EtcdClient&) = delete;

  // An error naming the first endpoint that is not http://host:port.
  static common::Result<void> checkEndpoints(const std::vector<std::string>& endpoints);
  // A keepAlive or put failed because the lease is gone (not because etcd is unreachable).
  static bool isLeaseLost(const std::string& error);

  void grantLease(long long ttlSeconds, Callback<Lease> done);
  void keepAlive(long long lease, Callback<long long> done);  // the remaining TTL
  void revokeLease(long long lease, Callback<bool> done);
  void put(const std::string& key, const std::string& value, long long lease, Callback<long long> done);
  void rangePrefix(const std::string& prefix, Callback<RangeResult> done);
  void createIfAbsent(const std::string& key, const std::string& value, long long lease, Callback<TxnResult> done);
  // Deletes the key only if it is still the one created at `createRevision`; true if it did.
  void deleteIfCreateRevision(const std::string& key, long long createRevision, Callback<bool> done);
  void deleteKey(const std::string& key, Callback<bool> done);

  // Events under `prefix` from `startRevision` on, in order. `broken` runs once when the
  // stream ends or cannot be opened on any endpoint; the caller reads and watches again.
  std::unique_ptr<EtcdWatch> watchPrefix(const std::string& prefix, long long startRevision,
                                         std::function<void(const std::vector<WatchEvent>&, long long revision)> events,
                                         std::function<void(const std::string& reason)> broken);

  // The endpoint that answered last ("" before any answer).
  std::string lastEndpoint() const;

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace cluster
