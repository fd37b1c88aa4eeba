// The HTTP server's defences, at short limits: the password comparison, the
// connection limit, and the one deadline per request. (The daemon's defaults
// are tested against the real daemon in test_control_plane_security.py.)

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/http_server.h"
#include "tests/support/temp_directory.h"

using namespace std::chrono_literals;
using common::HttpRequest;
using common::HttpResponder;
using common::HttpResponse;
using common::HttpServer;
using common::HttpServerOptions;
namespace asio = boost::asio;

namespace {

// "Basic " + base64(user:password)
std::string basic(const std::string& credentials) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < credentials.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(credentials[i]) << 16) |
                       (static_cast<unsigned char>(credentials[i + 1]) << 8) |
                       static_cast<unsigned char>(credentials[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  if (const std::size_t rest = credentials.size() - i) {
    unsigned n = static_cast<unsigned char>(credentials[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(credentials[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return "Basic " + out;
}

// A server answering 200 "ok", on a loop thread of its own; requests for /hold
// wait unanswered until release().
class Server {
 public:
  explicit Server(HttpServerOptions options) {
    path_ = directory_.file("s.sock");
    options.log = [this](const std::string& message) {
      std::lock_guard lock(mutex_);
      logged_.push_back(message);
    };
    auto listening = HttpServer::listenUnix(loop_, {path_, 0700, {}, {}}, std::move(options),
                                            [this](HttpRequest request, HttpResponder responder) {
                                              if (request.target != "/hold") {
                                                return responder.respond(HttpResponse::text(200, "ok"));
                                              }
                                              std::lock_guard lock(mutex_);
                                              holding_.push_back(std::move(responder));
                                              changed_.notify_all();
                                            });
    if (!listening) FAIL(listening.error());
    server_ = std::move(listening.value());
    thread_ = std::thread([this] { loop_.run(); });
  }
  ~Server() {
    std::promise<void> done;
    asio::post(loop_, [&] {
      holding_.clear();
      server_.reset();
      done.set_value();
    });
    done.get_future().wait();
    work_.reset();
    loop_.stop();
    thread_.join();
  }

  int connect() const {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path_.c_str());
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    return fd;
  }
  std::vector<std::string> logged() {
    std::lock_guard lock(mutex_);
    return logged_;
  }
  // Waits until `count` /hold requests are in the handler's hands.
  void waitForHeld(std::size_t count) {
    std::unique_lock lock(mutex_);
    REQUIRE(changed_.wait_for(lock, 10s, [&] { return holding_.size() >= count; }));
  }
  // Answers the oldest held request.
  void releaseOne() {
    asio::post(loop_, [this] {
      std::lock_guard lock(mutex_);
      if (holding_.empty()) return;
      holding_.front().respond(HttpResponse::text(200, "released"));
      holding_.erase(holding_.begin());
    });
  }

 private:
  TempDirectory directory_{"http-hardening"};
  std::string path_;
  asio::io_context loop_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(loop_);
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> logged_;
  std::vector<HttpResponder> holding_;
};

// What arrives until the peer closes; nullopt if it is still open after `timeout`.
std::optional<std::string> readUntilClosed(int fd, std::chrono::milliseconds timeout) {
  std::string data;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd ready{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&ready, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    char buffer[4096];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return data;
    data.append(buffer, static_cast<std::size_t>(n));
  }
}

// Sends `request` on a new connection and returns the status line of the answer.
// The server may answer (a 503) and close before the request arrives: the send may
// then fail with EPIPE or ECONNRESET, and the answer is still there to read.
std::string statusOf(const Server& server, const std::string& request) {
  const int fd = server.connect();
  const ssize_t sent = ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  if (sent < 0) REQUIRE((errno == EPIPE || errno == ECONNRESET));
  const auto answer = readUntilClosed(fd, 10s);
  ::close(fd);
  REQUIRE(answer);
  return answer->substr(0, answer->find("\r\n"));
}

std::string get(const Server& server) { return statusOf(server, "GET / HTTP/1.0\r\n\r\n"); }

// Whether the server closed `fd` (read gives end of file) within `timeout`.
bool closedByServer(int fd, std::chrono::milliseconds timeout) { return readUntilClosed(fd, timeout).has_value(); }

// Whether `fd` is still open on the server's side: nothing to read and no end of
// file. Checked after the server has done something later than what would have
// closed it, so no wait is needed.
bool stillOpen(int fd) {
  pollfd ready{fd, POLLIN, 0};
  return ::poll(&ready, 1, 0) == 0;
}

}  // namespace

// The comparison runs over the whole length whatever the first difference
// (constantTimeEquals in http_server.cpp): its answers are tested here, its
// timing cannot be, reliably, on a shared machine.
TEST_CASE("security: the password check answers right for equal, unequal and other-length passwords",
          "[http][security]") {
  using common::basicAuthorizationMatches;
  CHECK(basicAuthorizationMatches(basic("admin:s3cret"), "admin", "s3cret"));
  CHECK_FALSE(basicAuthorizationMatches(basic("admin:s3creT"), "admin", "s3cret"));  // last byte differs
  CHECK_FALSE(basicAuthorizationMatches(basic("admin:X3cret"), "admin", "s3cret"));  // first byte differs
  CHECK_FALSE(basicAuthorizationMatches(basic("admin:s3cre"), "admin", "s3cret"));   // a prefix
  CHECK_FALSE(basicAuthorizationMatches(basic("admin:s3cret!"), "admin", "s3cret"));  // one byte longer
  CHECK_FALSE(basicAuthorizationMatches(basic("admin:"), "admin", "s3cret"));
  CHECK_FALSE(basicAuthorizationMatches(basic("admin:s3cret"), "admin", ""));
  CHECK(basicAuthorizationMatches(basic("admin:"), "admin", ""));
  CHECK_FALSE(basicAuthorizationMatches(basic("Admin:s3cret"), "admin", "s3cret"));  // user names are exact
  CHECK_FALSE(basicAuthorizationMatches(basic("admi:s3cret"), "admin", "s3cret"));
  CHECK_FALSE(basicAuthorizationMatches(basic("adminx:s3cret"), "admin", "s3cret"));
  CHECK_FALSE(basicAuthorizationMatches(basic(std::string("admin:s3cret\0", 13)), "admin", "s3cret"));
  // The password may contain ':' (only the first one separates the user).
  CHECK(basicAuthorizationMatches(basic("admin:a:b"), "admin", "a:b"));

  // {SHA}: the stored value is the SHA-1 of the password, in lowercase hex
  // (python3 -c 'import hashlib; print(hashlib.sha1(b"s3cret").hexdigest())').
  const std::string stored = "{SHA}e3f3a5f4d9c0b6ae5a5d8b4c3bf0f0f0b5f7e6a1";  // the SHA-1 of something else
  const std::string sha1OfSecret = "{SHA}fef341f85d87439e7d91a2d465b9871ef66b5e98";
  CHECK_FALSE(basicAuthorizationMatches(basic("admin:s3cret"), "admin", stored));
  CHECK(basicAuthorizationMatches(basic("admin:s3cret"), "admin", sha1OfSecret));
  CHECK_FALSE(basicAuthorizationMatches(basic("admin:s3creT"), "admin", sha1OfSecret));
  // The hex itself is not a password that works.
  CHECK_FALSE(basicAuthorizationMatches(basic("admin:fef341f85d87439e7d91a2d465b9871ef66b5e98"), "admin", sha1OfSecret));
  CHECK_FALSE(basicAuthorizationMatches(basic("admin:" + sha1OfSecret), "admin", sha1OfSecret));
  // Upper-case hex in the config does not match (Supervisor compares hexdigest() strings too).
  CHECK_FALSE(basicAuthorizationMatches(basic("admin:s3cret"), "admin", "{SHA}FEF341F85D87439E7D91A2D465B9871EF66B5E98"));
}

TEST_CASE("security: at the limit, a new client is served in place of the connection that waited longest",
          "[http][security]") {
  HttpServerOptions options;
  options.connectionLimit = 3;
  Server server(options);
  // Three clients that connect and send nothing, or half a request: a stalled crowd.
  std::vector<int> stalled;
  for (int i = 0; i < 3; ++i) stalled.push_back(server.connect());
  const std::string half = "POST / HTTP/1.1\r\nHost: x\r\n";
  REQUIRE(::send(stalled[2], half.data(), half.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(half.size()));
  // Accepted in the order they connected: each new client closes the oldest.
  CHECK(get(server) == "HTTP/1.0 200 OK");
  CHECK(closedByServer(stalled[0], 10s));
  CHECK(stillOpen(stalled[1]));
  CHECK(stillOpen(stalled[2]));
  REQUIRE(server.logged().size() == 1);
  CHECK(server.logged()[0].find("connection limit reached (3 open): closing the connections that waited longest "
                                "for a request") != std::string::npos);
  // The served client left: a newcomer fills the slot, and the next client over the
  // limit closes the oldest of those left, not the newcomer.
  stalled.push_back(server.connect());
  CHECK(get(server) == "HTTP/1.0 200 OK");
  CHECK(closedByServer(stalled[1], 10s));
  CHECK(stillOpen(stalled[2]));
  CHECK(stillOpen(stalled[3]));
  for (int fd : stalled) ::close(fd);
  CHECK(server.logged().size() == 2);  // once per episode, not once per client
}

TEST_CASE("security: when every connection is busy with a request, one more gets 503 at once, and a freed slot "
          "serves again",
          "[http][security]") {
  HttpServerOptions options;
  options.connectionLimit = 3;
  Server server(options);
  std::vector<int> busy;
  const std::string hold = "GET /hold HTTP/1.0\r\n\r\n";
  for (int i = 0; i < 3; ++i) {
    busy.push_back(server.connect());
    REQUIRE(::send(busy.back(), hold.data(), hold.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(hold.size()));
  }
  server.waitForHeld(3);  // all three are in the handler: none is waiting for its client
  CHECK(get(server) == "HTTP/1.1 503 Service Unavailable");
  CHECK(get(server) == "HTTP/1.1 503 Service Unavailable");
  for (int fd : busy) CHECK(stillOpen(fd));
  server.releaseOne();
  const auto answer = readUntilClosed(busy[0], 10s);  // HTTP/1.0: answered, then closed
  REQUIRE(answer);
  CHECK(answer->rfind("HTTP/1.0 200 OK", 0) == 0);
  CHECK(get(server) == "HTTP/1.0 200 OK");
  for (int fd : busy) ::close(fd);
  const auto logged = server.logged();
  REQUIRE(logged.size() == 1);  // once per episode, not once per refused client
  CHECK(logged[0].find("refusing connections: 3 are open, the limit, all busy with requests") != std::string::npos);
}

TEST_CASE("security: a request trickling in a byte at a time is cut off at its deadline", "[http][security]") {
  HttpServerOptions options;
  options.requestTimeout = 600ms;
  options.idleTimeout = 0ms;  // never: only the request deadline can end it
  Server server(options);
  const int fd = server.connect();
  const auto started = std::chrono::steady_clock::now();
  const std::string request = "GET / HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  bool closed = false;
  for (char byte : request) {
    if (::send(fd, &byte, 1, MSG_NOSIGNAL) != 1) {
      closed = true;
      break;
    }
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, 50) == 1) {  // readable: the server closed
      closed = true;
      break;
    }
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ::close(fd);
  CHECK(closed);
  CHECK(elapsed >= 500ms);
  CHECK(elapsed < 1500ms);
}

TEST_CASE("security: a client that connects and sends nothing is cut off at the request deadline",
          "[http][security]") {
  HttpServerOptions options;
  options.requestTimeout = 400ms;
  options.idleTimeout = 0ms;  // never
  Server server(options);
  const int fd = server.connect();
  const auto started = std::chrono::steady_clock::now();
  const auto answer = readUntilClosed(fd, 3s);
  ::close(fd);
  CHECK(answer == std::string());
  CHECK(std::chrono::steady_clock::now() - started >= 350ms);
}

TEST_CASE("security: after a first request, a keep-alive connection waits the idle timeout", "[http][security]") {
  HttpServerOptions options;
  options.requestTimeout = 300ms;
  options.idleTimeout = 1500ms;
  Server server(options);
  const int fd = server.connect();
  const std::string request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  REQUIRE(::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
  const auto started = std::chrono::steady_clock::now();
  const auto answer = readUntilClosed(fd, 4s);
  ::close(fd);
  REQUIRE(answer);
  CHECK(answer->rfind("HTTP/1.1 200 OK", 0) == 0);
  CHECK(std::chrono::steady_clock::now() - started >= 1200ms);
}
