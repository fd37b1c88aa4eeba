// EtcdClient against a real etcd 3.4 (/usr/bin/etcd): each test starts its own
// members on free loopback ports in a temporary directory and kills them at the end,
// pass or fail. The client runs on an io_context driven by runUntil (loop_support.h).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/http_client.h"
#include "common/server_url.h"
#include "loop_support.h"
#include "supervisord/cluster/etcd_client.h"
#include "tests/support/temp_directory.h"

extern char** environ;

using namespace std::chrono_literals;
using cluster::EtcdClient;
using cluster::EtcdWatch;
using cluster::WatchEvent;

namespace {

// A loopback socket; closed with the object.
class Socket {
 public:
  // Bound to a free port; listening (connections wait in the backlog, never accepted) or not.
  explicit Socket(bool listening) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0 || (listening && ::listen(fd_, 16) != 0))
      throw std::runtime_error("cannot bind a loopback socket");
    port_ = ntohs(address.sin_port);
  }
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int port() const { return port_; }
  int fd() const { return fd_; }

 private:
  int fd_;
  int port_ = 0;
};

// A loopback HTTP server (on its own thread) that answers every request with `response`
// and closes the connection: an etcd member that cannot serve.
class CannedServer {
 public:
  explicit CannedServer(std::string response) : listener_(true), response_(std::move(response)) {
    thread_ = std::thread([this] { serve(); });
  }
  ~CannedServer() {
    stop_ = true;
    thread_.join();
  }
  int port() const { return listener_.port(); }

 private:
  void serve() {
    while (!stop_) {
      pollfd ready{listener_.fd(), POLLIN, 0};
      if (::poll(&ready, 1, 20) <= 0) continue;
      const int connection = ::accept(listener_.fd(), nullptr, nullptr);
      if (connection < 0) continue;
      char buffer[65536];
      std::string request;
      // Read the request head and its Content-Length body (small JSON bodies).
      while (!stop_) {
        pollfd in{connection, POLLIN, 0};
        if (::poll(&in, 1, 20) <= 0) continue;
        const ssize_t got = ::read(connection, buffer, sizeof buffer);
        if (got <= 0) break;
        request.append(buffer, static_cast<std::size_t>(got));
        const auto headEnd = request.find("\r\n\r\n");
        const auto lengthAt = request.find("Content-Length: ");
        if (headEnd != std::string::npos && lengthAt != std::string::npos &&
            request.size() >= headEnd + 4 + std::stoul(request.substr(lengthAt + 16)))
          break;
      }
      [[maybe_unused]] auto written = ::write(connection, response_.data(), response_.size());
      ::close(connection);
    }
  }

  Socket listener_;
  std::string response_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A port nobody listens on now (the kernel picked it; we let it go).
int freePort() { return Socket(false).port(); }

std::string url(int port) { return "http://127.0.0.1:" + std::to_string(port); }

// One etcd member, killed (SIGKILL) and reaped when the object goes.
class EtcdMember {
 public:
  EtcdMember(const TempDirectory& directory, std::string name, int clientPort, int peerPort, std::string initialCluster)
      : name_(std::move(name)), clientPort_(clientPort), log_(directory.file(name_ + ".log")) {
    const std::vector<std::string> args{"/usr/bin/etcd",
                                        "--name=" + name_,
                                        "--data-dir=" + directory.file(name_ + ".data"),
                                        "--logger=zap",
                                        "--log-outputs=" + log_,
                                        "--listen-client-urls=" + url(clientPort),
                                        "--advertise-client-urls=" + url(clientPort),
                                        "--listen-peer-urls=" + url(peerPort),
                                        "--initial-advertise-peer-urls=" + url(peerPort),
                                        "--initial-cluster=" + initialCluster,
                                        "--initial-cluster-token=" + directory.path().filename().string(),
                                        "--initial-cluster-state=new",
                                        "--heartbeat-interval=50",
                                        "--election-timeout=500"};
    std::vector<char*> argv;
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, directory.file(name_ + ".stderr").c_str(), O_WRONLY | O_CREAT, 0600);
    const int failed = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (failed != 0) throw std::runtime_error("cannot start /usr/bin/etcd");
  }
  ~EtcdMember() { kill(); }
  EtcdMember(const EtcdMember&) = delete;
  EtcdMember& operator=(const EtcdMember&) = delete;

  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
  }

  // Waits for GET /health to say {"health":"true"}; throws with the log after `limit`.
  void waitHealthy(std::chrono::milliseconds limit = 15s) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    common::HttpClientOptions options;
    options.connectTimeout = 200ms;
    options.responseTimeout = 1s;
    while (std::chrono::steady_clock::now() < deadline) {
      common::HttpClient client(common::parseServerUrl(endpoint()).value(), options);
      std::string body;
      auto answer = client.get("/health", [&](std::string_view data) {
        body.append(data);
        return true;
      });
      if (answer && answer->status == 200 && body.find("\"true\"") != std::string::npos) return;
      std::this_thread::sleep_for(50ms);
    }
    throw std::runtime_error("etcd " + name_ + " did not become healthy:\n" + fileContents(log_));
  }

  std::string endpoint() const { return url(clientPort_); }

 private:
  std::string name_;
  int clientPort_;
  std::string log_;
  pid_t pid_ = 0;
};

// `size` members forming one cluster, healthy when constructed.
class EtcdCluster {
 public:
  explicit EtcdCluster(int size) : directory_("etcd-client-test") {
    std::vector<std::pair<int, int>> ports;
    std::string initialCluster;
    for (int i = 1; i <= size; ++i) {
      ports.emplace_back(freePort(), freePort());
      initialCluster += (i > 1 ? "," : "") + ("m" + std::to_string(i)) + "=" + url(ports.back().second);
    }
    for (int i = 1; i <= size; ++i)
      members_.push_back(std::make_unique<EtcdMember>(directory_, "m" + std::to_string(i), ports[i - 1].first,
                                                      ports[i - 1].second, initialCluster));
    for (const auto& member : members_) member->waitHealthy();
  }

  EtcdMember& member(int i) { return *members_.at(i); }
  std::vector<std::string> endpoints() const {
    std::vector<std::string> out;
    for (const auto& member : members_) out.push_back(member->endpoint());
    return out;
  }

 private:
  TempDirectory directory_;  // removed after the members are gone
  std::vector<std::unique_ptr<EtcdMember>> members_;
};

std::unique_ptr<EtcdClient> makeClient(boost::asio::io_context& io, std::vector<std::string> endpoints,
                                       std::chrono::milliseconds timeout = 1000ms) {
  auto client = EtcdClient::create(io, {std::move(endpoints), timeout});
  if (!client) throw std::runtime_error(client.error());
  return std::move(client).value();
}

// Starts an operation with a callback and runs the loop until it answers; the answer.
// Checks that the answer never comes inside the call itself.
template <typename T, typename Start>
common::Result<T> await(boost::asio::io_context& io, Start start, std::chrono::milliseconds limit = 10s) {
  std::optional<common::Result<T>> result;
  start([&](common::Result<T> answer) { result.emplace(std::move(answer)); });
  REQUIRE_FALSE(result.has_value());
  REQUIRE(runUntil(io, [&] { return result.has_value(); }, limit));
  return std::move(*result);
}

// Collects what a watch reports.
struct WatchLog {
  std::vector<WatchEvent> events;
  std::vector<std::int64_t> revisions;
  std::vector<std::string> broken;

  EtcdClient::WatchEvents onEvents() {
    return [this](std::vector<WatchEvent> batch, std::int64_t revision) {
      events.insert(events.end(), batch.begin(), batch.end());
      revisions.push_back(revision);
    };
  }
  EtcdClient::WatchBroken onBroken() {
    return [this](std::string reason) { broken.push_back(std::move(reason)); };
  }
};

}  // namespace

TEST_CASE("etcd client: put, range, rangePrefix, deleteKey and status on a real etcd", "[etcd]") {
  EtcdCluster etcd(1);
  boost::asio::io_context io;
  auto client = makeClient(io, etcd.endpoints());

  const std::string binary("v\0\xff", 3);
  auto first = await<std::int64_t>(io, [&](auto done) { client->put("/t/a", binary, 0, done); });
  REQUIRE(first);
  auto second = await<std::int64_t>(io, [&](auto done) { client->put("/t/b", "2", 0, done); });
  REQUIRE(second);
  CHECK(*second == *first + 1);
  REQUIRE(await<std::int64_t>(io, [&](auto done) { client->put("/u", "elsewhere", 0, done); }));

  auto one = await<cluster::RangeResult>(io, [&](auto done) { client->range("/t/a", done); });
  REQUIRE(one);
  REQUIRE(one->kvs.size() == 1);
  CHECK(one->kvs[0].key == "/t/a");
  CHECK(one->kvs[0].value == binary);
  CHECK(one->kvs[0].createRevision == *first);
  CHECK(one->kvs[0].version == 1);
  CHECK(one->revision == *second + 1);

  auto prefixed = await<cluster::RangeResult>(io, [&](auto done) { client->rangePrefix("/t/", done); });
  REQUIRE(prefixed);
  REQUIRE(prefixed->kvs.size() == 2);
  CHECK(prefixed->kvs[0].key == "/t/a");
  CHECK(prefixed->kvs[1].key == "/t/b");

  auto missing = await<cluster::RangeResult>(io, [&](auto done) { client->range("/nothing", done); });
  REQUIRE(missing);
  CHECK(missing->kvs.empty());

  auto deleted = await<cluster::DeleteResult>(io, [&](auto done) { client->deleteKey("/t/a", done); });
  REQUIRE(deleted);
  CHECK(deleted->deleted);
  auto again = await<cluster::DeleteResult>(io, [&](auto done) { client->deleteKey("/t/a", done); });
  REQUIRE(again);
  CHECK_FALSE(again->deleted);

  auto status = await<cluster::EtcdStatus>(io, [&](auto done) { client->status(done); });
  REQUIRE(status);
  CHECK(status->leader != 0);
  CHECK(status->leader == status->memberId);
  CHECK(status->version == "3.4.23");
  CHECK(client->currentEndpoint() == etcd.member(0).endpoint());
}

TEST_CASE("etcd client: keepAlive renews a lease; once revoked, keepAlive and put say the lease is lost", "[etcd]") {
  EtcdCluster etcd(1);
  boost::asio::io_context io;
  auto client = makeClient(io, etcd.endpoints());

  auto grant = await<cluster::LeaseGrant>(io, [&](auto done) { client->grantLease(3, done); });
  REQUIRE(grant);
  CHECK(grant->ttl == 3);
  auto renewed = await<std::int64_t>(io, [&](auto done) { client->keepAlive(grant->id, done); });
  REQUIRE(renewed);
  CHECK(*renewed == 3);
  // Many renewals in a row go over the kept-alive connection.
  for (int i = 0; i < 20; ++i) REQUIRE(await<std::int64_t>(io, [&](auto done) { client->keepAlive(grant->id, done); }));

  REQUIRE(await<std::int64_t>(io, [&](auto done) { client->put("/lease/key", "v", grant->id, done); }));
  REQUIRE(await<void>(io, [&](auto done) { client->revokeLease(grant->id, done); }));

  auto lost = await<std::int64_t>(io, [&](auto done) { client->keepAlive(grant->id, done); });
  REQUIRE_FALSE(lost);
  CHECK(cluster::isLeaseNotFound(lost.error()));
  auto put = await<std::int64_t>(io, [&](auto done) { client->put("/lease/key", "v", grant->id, done); });
  REQUIRE_FALSE(put);
  CHECK(cluster::isLeaseNotFound(put.error()));
  auto revokedTwice = await<void>(io, [&](auto done) { client->revokeLease(grant->id, done); });
  REQUIRE_FALSE(revokedTwice);
  CHECK(cluster::isLeaseNotFound(revokedTwice.error()));
  // Its key went with it.
  CHECK(await<cluster::RangeResult>(io, [&](auto done) { client->range("/lease/key", done); })->kvs.empty());
}

TEST_CASE("etcd client: a key under a 2 s lease goes once keepalives stop; a watch sees the DELETE", "[etcd]") {
  EtcdCluster etcd(1);
  boost::asio::io_context io;
  auto client = makeClient(io, etcd.endpoints());

  auto grant = await<cluster::LeaseGrant>(io, [&](auto done) { client->grantLease(2, done); });
  REQUIRE(grant);
  auto put = await<std::int64_t>(io, [&](auto done) { client->put("/expiry/leader", "n1", grant->id, done); });
  REQUIRE(put);

  WatchLog log;
  auto watch = client->watchPrefix("/expiry/", *put + 1, log.onEvents(), log.onBroken());
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(runUntil(io, [&] { return !log.events.empty(); }, 10s));
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(waited > 1s);  // not before the lease could expire (TTL 2 s, about 2.3 s measured)

  REQUIRE(log.events.size() == 1);
  CHECK(log.events[0].type == WatchEvent::Type::Delete);
  CHECK(log.events[0].kv.key == "/expiry/leader");
  REQUIRE(log.events[0].previous);
  CHECK(log.events[0].previous->value == "n1");
  CHECK(log.events[0].previous->lease == grant->id);
  CHECK(log.revisions.back() == log.events[0].kv.modRevision);
  CHECK(log.broken.empty());

  auto lost = await<std::int64_t>(io, [&](auto done) { client->keepAlive(grant->id, done); });
  REQUIRE_FALSE(lost);
  CHECK(cluster::isLeaseNotFound(lost.error()));
}

TEST_CASE("etcd client: createIfAbsent is won once, then lost with the holder; compare-and-delete spares another creator's key",
          "[etcd]") {
  EtcdCluster etcd(1);
  boost::asio::io_context io;
  auto client = makeClient(io, etcd.endpoints());
  auto lease = await<cluster::LeaseGrant>(io, [&](auto done) { client->grantLease(10, done); });
  REQUIRE(lease);

  auto won = await<cluster::CreateResult>(io, [&](auto done) { client->createIfAbsent("/c/leader", "n1", lease->id, done); });
  REQUIRE(won);
  CHECK(won->succeeded);
  CHECK_FALSE(won->holder);

  auto lost = await<cluster::CreateResult>(io, [&](auto done) { client->createIfAbsent("/c/leader", "n2", 0, done); });
  REQUIRE(lost);
  CHECK_FALSE(lost->succeeded);
  REQUIRE(lost->holder);
  CHECK(lost->holder->value == "n1");
  CHECK(lost->holder->lease == lease->id);
  CHECK(lost->holder->createRevision == won->revision);
  const std::int64_t ours = lost->holder->createRevision;

  // Someone else's incarnation of the key: delete it and create it anew.
  auto wrong = await<cluster::DeleteResult>(io, [&](auto done) { client->deleteIfCreateRevision("/c/leader", ours + 100, done); });
  REQUIRE(wrong);
  CHECK_FALSE(wrong->deleted);
  CHECK(await<cluster::RangeResult>(io, [&](auto done) { client->range("/c/leader", done); })->kvs.size() == 1);

  REQUIRE(await<cluster::DeleteResult>(io, [&](auto done) { client->deleteKey("/c/leader", done); })->deleted);
  auto other = await<cluster::CreateResult>(io, [&](auto done) { client->createIfAbsent("/c/leader", "n2", 0, done); });
  REQUIRE(other);
  REQUIRE(other->succeeded);
  auto stale = await<cluster::DeleteResult>(io, [&](auto done) { client->deleteIfCreateRevision("/c/leader", ours, done); });
  REQUIRE(stale);
  CHECK_FALSE(stale->deleted);
  auto still = await<cluster::RangeResult>(io, [&](auto done) { client->range("/c/leader", done); });
  REQUIRE(still->kvs.size() == 1);
  CHECK(still->kvs[0].value == "n2");

  auto mine = await<cluster::DeleteResult>(
      io, [&](auto done) { client->deleteIfCreateRevision("/c/leader", still->kvs[0].createRevision, done); });
  REQUIRE(mine);
  CHECK(mine->deleted);
  CHECK(await<cluster::RangeResult>(io, [&](auto done) { client->range("/c/leader", done); })->kvs.empty());
}

TEST_CASE("etcd client: createIfAbsent with an Unchanged guard is refused when a key under its prefix was written "
          "after the revision, naming the newest",
          "[etcd]") {
  EtcdCluster etcd(1);
  boost::asio::io_context io;
  auto client = makeClient(io, etcd.endpoints());
  auto put = [&](const std::string& key, const std::string& value) {
    auto revision = await<std::int64_t>(io, [&](auto done) { client->put(key, value, 0, done); });
    REQUIRE(revision);
    return *revision;
  };
  const std::int64_t seen = put("/g/members/n1", "5");
  put("/g/other", "x");  // outside the prefix: does not count
  const std::int64_t after = put("/g/members/n2", "9");

  auto refused = await<cluster::CreateResult>(io, [&](auto done) {
    client->createIfAbsent("/g/leader", "n1", 0, done, cluster::Unchanged{"/g/members/", seen});
  });
  REQUIRE(refused);
  CHECK_FALSE(refused->succeeded);
  CHECK_FALSE(refused->holder);
  CHECK(refused->newest == after);
  CHECK(await<cluster::RangeResult>(io, [&](auto done) { client->range("/g/leader", done); })->kvs.empty());

  auto won = await<cluster::CreateResult>(io, [&](auto done) {
    client->createIfAbsent("/g/leader", "n2", 0, done, cluster::Unchanged{"/g/members/", after});
  });
  REQUIRE(won);
  CHECK(won->succeeded);

  // The key exists: lost to its holder whatever the guard says.
  auto lost = await<cluster::CreateResult>(io, [&](auto done) {
    client->createIfAbsent("/g/leader", "n1", 0, done, cluster::Unchanged{"/g/members/", seen});
  });
  REQUIRE(lost);
  CHECK_FALSE(lost->succeeded);
  REQUIRE(lost->holder);
  CHECK(lost->holder->value == "n2");

  // An empty prefix never refuses.
  auto empty = await<cluster::CreateResult>(io, [&](auto done) {
    client->createIfAbsent("/h/leader", "n1", 0, done, cluster::Unchanged{"/h/members/", 1});
  });
  REQUIRE(empty);
  CHECK(empty->succeeded);
}

TEST_CASE("etcd client: a watch replays from its start revision, then sees puts and deletes with previous values",
          "[etcd]") {
  EtcdCluster etcd(1);
  boost::asio::io_context io;
  auto client = makeClient(io, etcd.endpoints());
  auto first = await<std::int64_t>(io, [&](auto done) { client->put("/w/a", "1", 0, done); });
  REQUIRE(first);

  WatchLog log;
  auto watch = client->watchPrefix("/w/", *first, log.onEvents(), log.onBroken());
  REQUIRE(runUntil(io, [&] { return log.events.size() == 1; }));
  REQUIRE(await<std::int64_t>(io, [&](auto done) { client->put("/elsewhere", "x", 0, done); }));
  REQUIRE(await<std::int64_t>(io, [&](auto done) { client->put("/w/a", "2", 0, done); }));
  auto deleted = await<cluster::DeleteResult>(io, [&](auto done) { client->deleteKey("/w/a", done); });
  REQUIRE(deleted);
  REQUIRE(runUntil(io, [&] { return log.events.size() == 3; }));
  runFor(io, 200ms);

  REQUIRE(log.events.size() == 3);
  CHECK(log.events[0].type == WatchEvent::Type::Put);
  CHECK(log.events[0].kv.value == "1");
  CHECK(log.events[0].kv.modRevision == *first);
  CHECK(log.events[1].type == WatchEvent::Type::Put);
  CHECK(log.events[1].kv.value == "2");
  REQUIRE(log.events[1].previous);
  CHECK(log.events[1].previous->value == "1");
  CHECK(log.events[2].type == WatchEvent::Type::Delete);
  CHECK(log.events[2].kv.key == "/w/a");
  REQUIRE(log.events[2].previous);
  CHECK(log.events[2].previous->value == "2");
  CHECK(log.revisions.back() == deleted->revision);
  CHECK(log.broken.empty());

  // Destroyed, it reports nothing more.
  watch.reset();
  REQUIRE(await<std::int64_t>(io, [&](auto done) { client->put("/w/b", "3", 0, done); }));
  runFor(io, 200ms);
  CHECK(log.events.size() == 3);
  CHECK(log.broken.empty());
}

TEST_CASE("etcd client: a watch whose etcd dies reports broken once; one destroyed in its own callback stays quiet",
          "[etcd]") {
  EtcdCluster etcd(1);
  boost::asio::io_context io;
  auto client = makeClient(io, etcd.endpoints());

  WatchLog log;
  auto watch = client->watchPrefix("/b/", 0, log.onEvents(), log.onBroken());
  std::unique_ptr<EtcdWatch> selfDestroying;
  int selfDestroyingCalls = 0;
  selfDestroying = client->watchPrefix(
      "/b/", 0,
      [&](std::vector<WatchEvent>, std::int64_t) {
        ++selfDestroyingCalls;
        selfDestroying.reset();
      },
      [&](std::string) { ++selfDestroyingCalls; });
  // Until a put shows up on the first watch, both might not be in place yet: put until then.
  REQUIRE(runUntil(io, [&] {
    if (log.events.empty() || selfDestroyingCalls == 0) client->put("/b/key", "v", 0, [](auto) {});
    runFor(io, 100ms);
    return !log.events.empty() && selfDestroyingCalls > 0;
  }));
  CHECK(selfDestroyingCalls == 1);
  CHECK_FALSE(selfDestroying);

  etcd.member(0).kill();
  REQUIRE(runUntil(io, [&] { return !log.broken.empty(); }));
  runFor(io, 200ms);
  CHECK(log.broken.size() == 1);
  INFO(log.broken.front());
  CHECK((log.broken.front() == "etcd ended the watch stream" ||
         log.broken.front().rfind("the watch stream failed", 0) == 0));
  CHECK(selfDestroyingCalls == 1);

  // A new watch now finds nobody: it says so.
  WatchLog retry;
  auto again = client->watchPrefix("/b/", 0, retry.onEvents(), retry.onBroken());
  REQUIRE(runUntil(io, [&] { return !retry.broken.empty(); }));
  CHECK(retry.broken.front().rfind("could not start the watch: etcd unreachable: " + etcd.member(0).endpoint(), 0) == 0);
}

TEST_CASE("etcd client: with the first endpoint closed, calls go to the next, which is then preferred", "[etcd]") {
  EtcdCluster etcd(1);
  boost::asio::io_context io;
  const std::string closed = url(freePort());
  auto client = makeClient(io, {closed, etcd.member(0).endpoint()});
  CHECK(client->currentEndpoint() == closed);

  auto put = await<std::int64_t>(io, [&](auto done) { client->put("/f/a", "1", 0, done); });
  REQUIRE(put);
  CHECK(client->currentEndpoint() == etcd.member(0).endpoint());
  auto range = await<cluster::RangeResult>(io, [&](auto done) { client->range("/f/a", done); });
  REQUIRE(range);
  CHECK(range->kvs.size() == 1);

  WatchLog log;
  auto watch = client->watchPrefix("/f/", *put, log.onEvents(), log.onBroken());
  REQUIRE(runUntil(io, [&] { return !log.events.empty(); }));
  CHECK(log.broken.empty());

  // An endpoint that accepts connections but never answers costs one timeout.
  Socket blackHole(true);
  auto slow = makeClient(io, {url(blackHole.port()), etcd.member(0).endpoint()}, 300ms);
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(await<std::int64_t>(io, [&](auto done) { slow->put("/f/b", "2", 0, done); }));
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(took >= 250ms);
  CHECK(took < 2s);
}

TEST_CASE("etcd client: a member answering 503 or a stream's Unavailable error is left for the next", "[etcd]") {
  EtcdCluster etcd(1);
  boost::asio::io_context io;
  const std::string noLeader = R"({"error":"etcdserver: no leader","message":"etcdserver: no leader","code":14})";
  CannedServer unavailable("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: " +
                           std::to_string(noLeader.size()) + "\r\nConnection: close\r\n\r\n" + noLeader);
  const std::string streamError =
      R"({"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable"}})"
      "\n";
  CannedServer streaming("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                         std::to_string(streamError.size()) + "\r\nConnection: close\r\n\r\n" + streamError);

  auto client = makeClient(io, {url(unavailable.port()), url(streaming.port()), etcd.member(0).endpoint()});
  auto grant = await<cluster::LeaseGrant>(io, [&](auto done) { client->grantLease(5, done); });
  REQUIRE(grant);
  auto renewed = await<std::int64_t>(io, [&](auto done) { client->keepAlive(grant->id, done); });
  REQUIRE(renewed);
  CHECK(client->currentEndpoint() == etcd.member(0).endpoint());

  auto alone = makeClient(io, {url(unavailable.port()), url(streaming.port())});
  auto failed = await<std::int64_t>(io, [&](auto done) { alone->keepAlive(grant->id, done); });
  REQUIRE_FALSE(failed);
  CHECK(failed.error() == "etcd unreachable: " + url(unavailable.port()) + ": HTTP 503 " + noLeader + "; " +
                              url(streaming.port()) + ": HTTP 200 " + streamError.substr(0, streamError.size() - 1));
}

TEST_CASE("etcd client: with every endpoint dead, calls fail within about the timeout, naming each endpoint", "[etcd]") {
  boost::asio::io_context io;
  const std::string refusing = url(freePort());
  Socket blackHole(true);
  const std::string silent = url(blackHole.port());
  auto client = makeClient(io, {refusing, silent}, 300ms);

  const auto start = std::chrono::steady_clock::now();
  auto put = await<std::int64_t>(io, [&](auto done) { client->put("/x", "1", 0, done); });
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(put);
  CHECK(put.error() == "etcd unreachable: " + refusing + ": Connection refused; " + silent + ": no answer within 300 ms");
  CHECK_FALSE(cluster::isLeaseNotFound(put.error()));
  CHECK(took >= 250ms);
  CHECK(took < 1500ms);

  auto keepAlive = await<std::int64_t>(io, [&](auto done) { client->keepAlive(1, done); });
  REQUIRE_FALSE(keepAlive);
  CHECK(keepAlive.error().rfind("etcd unreachable: ", 0) == 0);
  CHECK_FALSE(cluster::isLeaseNotFound(keepAlive.error()));
}

TEST_CASE("etcd client: endpoints are checked up front; a bad one is named", "[etcd]") {
  boost::asio::io_context io;
  CHECK(EtcdClient::create(io, {{}, 1000ms}).error() == "no etcd endpoint given");
  CHECK(EtcdClient::create(io, {{"http://127.0.0.1:2379", "https://10.0.0.1:2379"}, 1000ms}).error() ==
        "invalid etcd endpoint 'https://10.0.0.1:2379': only http:// is supported");
  CHECK(EtcdClient::create(io, {{"127.0.0.1:99999"}, 1000ms}).error() == "invalid etcd endpoint '127.0.0.1:99999': port out of range");
  CHECK(EtcdClient::create(io, {{"http://:2379"}, 1000ms}).error() == "invalid etcd endpoint 'http://:2379': no host");
  CHECK(EtcdClient::create(io, {{"::1:2379"}, 1000ms}).error() ==
        "invalid etcd endpoint '::1:2379': an IPv6 address needs brackets: http://[::1]:2379");
  CHECK(EtcdClient::create(io, {{"http://a:1/v3"}, 1000ms}).error() ==
        "invalid etcd endpoint 'http://a:1/v3': expected host:port without a path");
  auto fine = EtcdClient::create(io, {{"127.0.0.1:2379", "http://[::1]:2380/", "etcd1"}, 1000ms});
  REQUIRE(fine);
  CHECK((*fine)->currentEndpoint() == "http://127.0.0.1:2379");
}

TEST_CASE("etcd client: destroying the client or a watch with work in flight runs no callback", "[etcd]") {
  EtcdCluster etcd(1);
  boost::asio::io_context io;
  Socket blackHole(true);
  int callbacks = 0;
  auto count = [&](auto) { ++callbacks; };

  SECTION("before the loop ran") {
    auto client = makeClient(io, etcd.endpoints());
    client->put("/d/a", "1", 0, count);
    client->grantLease(5, count);
    auto watch = client->watchPrefix("/d/", 0, [&](auto, auto) { ++callbacks; }, [&](auto) { ++callbacks; });
    client.reset();
    runFor(io, 300ms);
    watch.reset();
  }
  SECTION("with requests waiting on a silent endpoint, and a live watch") {
    auto client = makeClient(io, {url(blackHole.port()), etcd.member(0).endpoint()}, 2000ms);
    auto live = makeClient(io, etcd.endpoints());
    int answered = 0;
    auto watch = live->watchPrefix("/quiet/", 0, [&](auto, auto) { ++callbacks; }, [&](auto) { ++callbacks; });
    live->put("/d/a", "1", 0, [&](auto) { ++answered; });
    client->put("/d/b", "1", 0, count);
    client->keepAlive(1, count);
    runFor(io, 200ms);  // connected to the black hole, waiting for an answer
    REQUIRE(answered == 1);
    client.reset();
    live.reset();  // its watch's handle outlives it: no callback either
    live = makeClient(io, etcd.endpoints());
    live->put("/d/c", "1", 0, [&](auto) { ++answered; });
    runFor(io, 2500ms);
    CHECK(answered == 2);
    watch.reset();
  }
  SECTION("destroyed from inside a callback") {
    auto client = makeClient(io, etcd.endpoints());
    int destroyingCalls = 0;
    auto destroy = [&](auto) {
      ++destroyingCalls;
      client.reset();
    };
    client->put("/d/a", "1", 0, destroy);
    client->put("/d/b", "1", 0, destroy);
    client->range("/d/a", destroy);
    REQUIRE(runUntil(io, [&] { return client == nullptr; }));
    runFor(io, 300ms);
    CHECK(destroyingCalls == 1);
  }
  CHECK(callbacks == 0);
}

TEST_CASE("etcd client: three members; when the member in use dies, calls move to the others", "[etcd]") {
  EtcdCluster etcd(3);
  boost::asio::io_context io;
  auto client = makeClient(io, etcd.endpoints(), 500ms);
  auto grant = await<cluster::LeaseGrant>(io, [&](auto done) { client->grantLease(5, done); });
  REQUIRE(grant);
  REQUIRE(await<std::int64_t>(io, [&](auto done) { client->put("/m/a", "1", grant->id, done); }));
  CHECK(client->currentEndpoint() == etcd.member(0).endpoint());

  WatchLog log;
  auto watch = client->watchPrefix("/m/", 0, log.onEvents(), log.onBroken());
  runFor(io, 200ms);
  etcd.member(0).kill();
  REQUIRE(runUntil(io, [&] { return !log.broken.empty(); }));

  // The survivors may be electing a leader for a moment: a caller retries.
  std::optional<common::Result<std::int64_t>> renewed;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    renewed = await<std::int64_t>(io, [&](auto done) { client->keepAlive(grant->id, done); });
    if (*renewed) break;
  }
  REQUIRE(renewed);
  INFO((renewed->ok() ? std::string() : renewed->error()));
  REQUIRE(renewed->ok());
  CHECK(client->currentEndpoint() != etcd.member(0).endpoint());
  auto range = await<cluster::RangeResult>(io, [&](auto done) { client->range("/m/a", done); });
  REQUIRE(range);
  CHECK(range->kvs.size() == 1);

  // A new watch from the last revision seen starts on a survivor.
  WatchLog after;
  auto rewatch = client->watchPrefix("/m/", range->revision + 1, after.onEvents(), after.onBroken());
  REQUIRE(await<std::int64_t>(io, [&](auto done) { client->put("/m/b", "2", 0, done); }));
  REQUIRE(runUntil(io, [&] { return !after.events.empty(); }));
  CHECK(after.events[0].kv.key == "/m/b");
}
