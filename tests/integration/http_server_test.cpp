// The HTTP transport end to end: HttpServer on an io_context in a thread,
// talked to by our HttpClient, by raw sockets, and by Python's xmlrpc.client.

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include "common/http_client.h"
#include "common/http_server.h"
#include "common/server_url.h"
#include "common/xmlrpc_codec.h"
#include "tests/support/temp_directory.h"

using namespace std::chrono_literals;
using common::HttpClient;
using common::HttpClientOptions;
using common::HttpRequest;
using common::HttpResponder;
using common::HttpResponse;
using common::HttpServer;
using common::HttpServerOptions;
using common::HttpStream;
using common::xmlrpc::Value;
namespace asio = boost::asio;
namespace xmlrpc = common::xmlrpc;
namespace fs = std::filesystem;

namespace {

// Calls `tick` on the loop every `period` until it returns false.
void every(asio::io_context& loop, std::chrono::milliseconds period, std::function<bool()> tick) {
  auto timer = std::make_shared<asio::steady_timer>(loop, period);
  timer->async_wait([&loop, timer, period, tick = std::move(tick)](boost::system::error_code error) mutable {
    if (error || !tick()) return;
    every(loop, period, std::move(tick));
  });
}

std::string xmlResponse(const Value& value) { return xmlrpc::encodeResponse(value); }

HttpResponse xml(std::string body) { return HttpResponse::text(200, std::move(body), "text/xml"); }

// The application the tests talk to: a few XML-RPC methods on POST /RPC2 and
// a few GET routes, some answered later, some streamed.
struct TestApp {
  explicit TestApp(asio::io_context& loop) : loop(loop) {}

  void handle(HttpRequest request, HttpResponder responder) {
    if (request.method == "POST" && request.target == "/RPC2") return call(request, std::move(responder));
    if (request.target == "/stream") {
      HttpStream stream = responder.stream(200, {{"Content-Type", "text/plain"}});
      stream.onClose([this] { ++streamsClosed; });
      stream.write("first\n");
      auto count = std::make_shared<int>(0);
      every(loop, 100ms, [stream, count]() mutable {
        if (++*count > 5) {
          stream.finish();
          return false;
        }
        stream.write("line " + std::to_string(*count) + "\n");
        return true;
      });
      return;
    }
    if (request.target == "/forever") {
      HttpStream stream = responder.stream(200, {{"Content-Type", "text/plain"}});
      stream.onClose([this] { ++streamsClosed; });
      every(loop, 20ms, [stream]() mutable {
        if (!stream.open()) return false;
        stream.write("tick\n");
        return true;
      });
      return;
    }
    if (request.target == "/big") return responder.respond(HttpResponse::text(200, std::string(32 << 20, 'b')));
    if (request.target == "/drop") return;  // the responder is dropped unanswered
    if (request.target == "/throw") throw std::runtime_error("boom");
    responder.respond(HttpResponse::error(404));
  }

  void call(const HttpRequest& request, HttpResponder responder) {
    auto call = xmlrpc::parseCall(request.body);
    if (!call) return responder.respond(HttpResponse::text(400, call.error()));
    if (call->method == "echo") return responder.respond(xml(xmlResponse(Value(call->params))));
    if (call->method == "fail") {
      return responder.respond(xml(xmlrpc::encodeFault({10, "BAD_NAME: " + call->params.at(0).asString()})));
    }
    if (call->method == "connection") {
      return responder.respond(xml(xmlResponse(static_cast<std::int64_t>(request.connection))));
    }
    if (call->method == "big") return responder.respond(xml(xmlResponse(std::int64_t{1} << 40)));
    if (call->method == "user") return responder.respond(xml(xmlResponse(request.username)));
    if (call->method == "dirty") return responder.respond(xml(xmlResponse("bell\x07 bad\xff cr\r end")));
    if (call->method == "held") {  // answered by the next "release" call
      held.push_back(std::move(responder));
      ++holding;
      return;
    }
    if (call->method == "release") {
      for (auto& waiting : held) waiting.respond(xml(xmlResponse("held done")));
      held.clear();
      return responder.respond(xml(xmlResponse("released")));
    }
    if (call->method == "slow") {
      // Answered a second later, like startProcess(wait=True).
      auto timer = std::make_shared<asio::steady_timer>(loop, 1s);
      timer->async_wait([timer, responder](boost::system::error_code) mutable {
        responder.respond(xml(xmlResponse("slow done")));
      });
      return;
    }
    responder.respond(xml(xmlrpc::encodeFault({1, "UNKNOWN_METHOD"})));
  }

  asio::io_context& loop;
  std::atomic<int> streamsClosed{0};
  std::vector<HttpResponder> held;  // on the loop only
  std::atomic<int> holding{0};      // "held" calls received so far
};

// A server running on its own loop thread, the way the daemon runs it.
class RunningServer {
 public:
  enum class Kind { unixSocket, tcp };

  RunningServer(Kind kind, std::string socketPath = {}, HttpServerOptions options = {}, mode_t mode = 0700)
      : app_(std::make_shared<TestApp>(loop_)) {
    options.log = [this](const std::string& message) {
      std::lock_guard lock(mutex_);
      logged_.push_back(message);
    };
    auto handler = [app = app_](HttpRequest request, HttpResponder responder) {
      app->handle(std::move(request), std::move(responder));
    };
    auto listening = kind == Kind::unixSocket
                         ? HttpServer::listenUnix(loop_, {socketPath, mode, {}, {}}, std::move(options), handler)
                         : HttpServer::listenTcp(loop_, {"127.0.0.1", 0}, std::move(options), handler);
    if (!listening) FAIL(listening.error());
    server_ = std::move(listening.value());
    url_ = kind == Kind::unixSocket ? "unix://" + socketPath : "http://127.0.0.1:" + std::to_string(server_->port());
    thread_ = std::thread([this] { loop_.run(); });
  }

  ~RunningServer() {
    onLoop([this] { server_.reset(); });
    work_.reset();
    loop_.stop();
    thread_.join();
  }

  // Runs `work` on the loop thread and waits for it.
  void onLoop(std::function<void()> work) {
    std::promise<void> done;
    asio::post(loop_, [&] {
      work();
      done.set_value();
    });
    done.get_future().wait();
  }

  HttpClient client(HttpClientOptions options = {}) const {
    return HttpClient(common::parseServerUrl(url_).value(), std::move(options));
  }
  const std::string& url() const { return url_; }
  unsigned short port() const { return server_->port(); }
  TestApp& app() { return *app_; }
  std::vector<std::string> logged() {
    std::lock_guard lock(mutex_);
    return logged_;
  }

 private:
  asio::io_context loop_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(loop_);
  std::shared_ptr<TestApp> app_;
  std::unique_ptr<HttpServer> server_;
  std::string url_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> logged_;
};

// The value an XML-RPC call over `client` returned (REQUIRES: no fault).
Value call(HttpClient& client, const std::string& method, const Value::Array& params = {}) {
  auto answer = client.post("/RPC2", xmlrpc::encodeCall(method, params));
  REQUIRE(answer.ok());
  REQUIRE(answer->status == 200);
  auto response = xmlrpc::parseResponse(answer->body);
  REQUIRE(response.ok());
  REQUIRE_FALSE(response->isFault());
  return response->value;
}

// --- raw sockets, for what our client will not do --------------------------

int connectUnix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  return fd;
}

void sendAll(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    REQUIRE(n > 0);
    sent += static_cast<std::size_t>(n);
  }
}

// Reads until the peer closes or `timeout` passes; `closed` tells which.
std::string readUntilClosed(int fd, std::chrono::milliseconds timeout, bool* closed) {
  std::string data;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  *closed = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return data;
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) return data;
    char buffer[4096];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) {
      *closed = true;
      return data;
    }
    data.append(buffer, static_cast<std::size_t>(n));
  }
}

// --- Python's xmlrpc.client -------------------------------------------------

struct PythonRun {
  int status;
  std::string output;
};

PythonRun runPython(const TempDirectory& dir, const std::string& script) {
  const std::string path = dir.write("client.py", script);
  FILE* pipe = ::popen((std::string(DEBIAN_PYTHON3) + " " + path + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// libs.md §1: xmlrpc.client over a unix socket.
const char* kPythonUnixTransport = R"(
import http.client, socket, sys, xmlrpc.client
class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path): super().__init__('localhost'); self.path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); self.sock.connect(self.path)
class UnixTransport(xmlrpc.client.Transport):
    def __init__(self, path): super().__init__(); self.path = path
    def make_connection(self, host):
        if self._connection and host == self._connection[0]: return self._connection[1]
        self._connection = host, UnixHTTPConnection(self.path); return self._connection[1]
)";

bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 3s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

std::string sha1HexOf(const std::string& text) {
  // Python computes the expected {SHA} value, as an operator would.
  TempDirectory dir("http-test");
  auto run = runPython(dir, "import hashlib; print(hashlib.sha1(b'" + text + "').hexdigest(), end='')");
  REQUIRE(run.status == 0);
  return run.output;
}

}  // namespace

TEST_CASE("http: an XML-RPC call over a unix socket gets its answer", "[http]") {
  TempDirectory dir("http-test");
  RunningServer server(RunningServer::Kind::unixSocket, dir.file("supervisor.sock"));
  HttpClient client = server.client();
  const Value::Array params{"cat", 42, true, Value::Struct{{"k", "v"}}};
  CHECK(call(client, "echo", params) == Value(params));
}

TEST_CASE("http: a fault comes back as a fault", "[http]") {
  TempDirectory dir("http-test");
  RunningServer server(RunningServer::Kind::unixSocket, dir.file("s.sock"));
  HttpClient client = server.client();
  auto answer = client.post("/RPC2", xmlrpc::encodeCall("fail", {"foo"}));
  REQUIRE(answer.ok());
  auto response = xmlrpc::parseResponse(answer->body);
  REQUIRE(response.ok());
  REQUIRE(response->isFault());
  CHECK(response->fault->code == 10);
  CHECK(response->fault->string == "BAD_NAME: foo");
}

TEST_CASE("http: the client keeps one connection alive across calls", "[http]") {
  TempDirectory dir("http-test");
  RunningServer server(RunningServer::Kind::unixSocket, dir.file("s.sock"));
  HttpClient client = server.client();
  const Value first = call(client, "connection");
  CHECK(call(client, "connection") == first);
  CHECK(call(client, "connection") == first);
  HttpClient other = server.client();
  CHECK(call(other, "connection") != first);
}

TEST_CASE("http: the server answers several requests sent on one connection", "[http]") {
  TempDirectory dir("http-test");
  const std::string path = dir.file("s.sock");
  RunningServer server(RunningServer::Kind::unixSocket, path);
  const int fd = connectUnix(path);
  const std::string body = xmlrpc::encodeCall("connection", {});
  const std::string request = "POST /RPC2 HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body;
  sendAll(fd, request + request);  // pipelined
  sendAll(fd, "GET /nothing HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  bool closed = false;
  const std::string answers = readUntilClosed(fd, 3s, &closed);
  ::close(fd);
  CHECK(closed);
  std::size_t oks = 0;
  for (auto at = answers.find("HTTP/1.1 200 OK"); at != std::string::npos; at = answers.find("HTTP/1.1 200 OK", at + 1)) {
    ++oks;
  }
  CHECK(oks == 2);
  CHECK(answers.find("HTTP/1.1 404 Not Found") != std::string::npos);
}

TEST_CASE("http: the client reconnects when the server closed its idle connection", "[http]") {
  TempDirectory dir("http-test");
  HttpServerOptions options;
  options.idleTimeout = 200ms;
  RunningServer server(RunningServer::Kind::unixSocket, dir.file("s.sock"), options);
  HttpClient client = server.client();
  const Value first = call(client, "connection");
  std::this_thread::sleep_for(500ms);
  CHECK(call(client, "connection") != first);
}

TEST_CASE("http: without credentials the answer is 401 with a Basic challenge", "[http]") {
  TempDirectory dir("http-test");
  HttpServerOptions options;
  options.username = "user";
  options.password = "secret";
  RunningServer server(RunningServer::Kind::tcp, {}, options);

  HttpClient anonymous = server.client();
  auto denied = anonymous.post("/RPC2", xmlrpc::encodeCall("echo", {}));
  REQUIRE(denied.ok());
  CHECK(denied->status == 401);
  CHECK(denied->header("WWW-Authenticate") == "Basic realm=\"default\"");

  HttpClient wrong = server.client({"user", "wrong"});
  CHECK(wrong.post("/RPC2", xmlrpc::encodeCall("echo", {}))->status == 401);
  HttpClient wrongUser = server.client({"other", "secret"});
  CHECK(wrongUser.post("/RPC2", xmlrpc::encodeCall("echo", {}))->status == 401);

  HttpClient allowed = server.client({"user", "secret"});
  CHECK(call(allowed, "user") == Value("user"));
  CHECK(allowed.get("/nothing", [](std::string_view) { return true; })->status == 404);
  CHECK(anonymous.get("/stream", [](std::string_view) { return true; })->status == 401);
}

TEST_CASE("http: a {SHA} password accepts the password whose SHA-1 it holds", "[http]") {
  TempDirectory dir("http-test");
  HttpServerOptions options;
  options.username = "admin";
  options.password = "{SHA}" + sha1HexOf("thepassword");
  RunningServer server(RunningServer::Kind::tcp, {}, options);
  HttpClient right = server.client({"admin", "thepassword"});
  CHECK(call(right, "user") == Value("admin"));
  HttpClient literal = server.client({"admin", options.password});
  CHECK(literal.post("/RPC2", xmlrpc::encodeCall("user", {}))->status == 401);
}

TEST_CASE("http: basic authorization header checks", "[http]") {
  // "user:secret" and "user:" in base64.
  CHECK(common::basicAuthorizationMatches("Basic dXNlcjpzZWNyZXQ=", "user", "secret"));
  CHECK(common::basicAuthorizationMatches("basic  dXNlcjpzZWNyZXQ= ", "user", "secret"));
  CHECK_FALSE(common::basicAuthorizationMatches("Basic dXNlcjpzZWNyZXQ=", "user", "secret2"));
  CHECK_FALSE(common::basicAuthorizationMatches("Bearer dXNlcjpzZWNyZXQ=", "user", "secret"));
  CHECK_FALSE(common::basicAuthorizationMatches("Basic !!!", "user", "secret"));
  CHECK_FALSE(common::basicAuthorizationMatches("Basic dXNlcjo=", "user", "secret"));
  CHECK(common::basicAuthorizationMatches("Basic dXNlcjo=", "user", ""));
  CHECK_FALSE(common::basicAuthorizationMatches("", "user", "secret"));
}

TEST_CASE("http: a body over the limit gets 413 and the server goes on", "[http]") {
  TempDirectory dir("http-test");
  HttpServerOptions options;
  options.bodyLimit = 1 << 20;
  RunningServer server(RunningServer::Kind::unixSocket, dir.file("s.sock"), options);
  HttpClient client = server.client();
  auto tooLarge = client.post("/RPC2", std::string(3 << 20, 'x'));
  REQUIRE(tooLarge.ok());
  CHECK(tooLarge->status == 413);
  CHECK(call(client, "echo", {"still here"}) == Value(Value::Array{"still here"}));
}

TEST_CASE("http: a deferred answer does not hold up other clients", "[http]") {
  TempDirectory dir("http-test");
  RunningServer server(RunningServer::Kind::unixSocket, dir.file("s.sock"));
  auto slow = std::async(std::launch::async, [&] {
    HttpClient client = server.client();
    return call(client, "held");
  });
  // The first call is in the server's hands, unanswered until "release".
  REQUIRE(waitFor([&] { return server.app().holding == 1; }, 10s));
  HttpClient quick = server.client();
  CHECK(call(quick, "echo", {1}) == Value(Value::Array{1}));
  CHECK(slow.wait_for(0ms) == std::future_status::timeout);
  CHECK(call(quick, "release") == Value("released"));
  CHECK(slow.get() == Value("held done"));
}

TEST_CASE("http: many clients at once all get their answers", "[http]") {
  TempDirectory dir("http-test");
  RunningServer server(RunningServer::Kind::unixSocket, dir.file("s.sock"));
  std::vector<std::future<int>> clients;
  for (int i = 0; i < 16; ++i) {
    clients.push_back(std::async(std::launch::async, [&server, i] {
      HttpClient client = server.client();
      int answered = 0;
      for (int j = 0; j < 25; ++j) {
        auto answer = client.post("/RPC2", xmlrpc::encodeCall("echo", {i, j}));
        if (!answer.ok()) continue;
        auto response = xmlrpc::parseResponse(answer->body);
        if (response.ok() && response->value == Value(Value::Array{i, j})) ++answered;
      }
      return answered;
    }));
  }
  for (auto& client : clients) CHECK(client.get() == 25);
}

TEST_CASE("http: a streamed response arrives piece by piece", "[http]") {
  TempDirectory dir("http-test");
  RunningServer server(RunningServer::Kind::unixSocket, dir.file("s.sock"));
  HttpClient client = server.client();
  std::vector<std::string> pieces;
  std::vector<std::chrono::steady_clock::time_point> arrivals;
  auto answer = client.get("/stream", [&](std::string_view data) {
    pieces.emplace_back(data);
    arrivals.push_back(std::chrono::steady_clock::now());
    return true;
  });
  REQUIRE(answer.ok());
  CHECK(answer->status == 200);
  CHECK(answer->header("Transfer-Encoding") == "chunked");
  std::string body;
  for (const auto& piece : pieces) body += piece;
  CHECK(body == "first\nline 1\nline 2\nline 3\nline 4\nline 5\n");
  REQUIRE(pieces.size() >= 3);
  CHECK(arrivals.back() - arrivals.front() >= 300ms);  // not buffered until the end
  CHECK(waitFor([&] { return server.app().streamsClosed == 1; }));
}

TEST_CASE("http: an HTTP/1.0 client gets a stream that ends with the connection", "[http]") {
  TempDirectory dir("http-test");
  const std::string path = dir.file("s.sock");
  RunningServer server(RunningServer::Kind::unixSocket, path);
  const int fd = connectUnix(path);
  sendAll(fd, "GET /stream HTTP/1.0\r\n\r\n");
  bool closed = false;
  const std::string answer = readUntilClosed(fd, 3s, &closed);
  ::close(fd);
  CHECK(closed);
  CHECK(answer.rfind("HTTP/1.0 200 OK\r\n", 0) == 0);
  CHECK(answer.find("Transfer-Encoding") == std::string::npos);
  CHECK(answer.find("\r\n\r\nfirst\nline 1\n") != std::string::npos);
}

TEST_CASE("http: a client leaving mid-stream closes the stream and nothing breaks", "[http]") {
  TempDirectory dir("http-test");
  RunningServer server(RunningServer::Kind::unixSocket, dir.file("s.sock"));
  {
    HttpClient client = server.client();
    int pieces = 0;
    auto answer = client.get("/forever", [&](std::string_view) { return ++pieces < 3; });
    REQUIRE(answer.ok());
    CHECK(pieces == 3);
  }
  CHECK(waitFor([&] { return server.app().streamsClosed == 1; }));
  HttpClient next = server.client();
  CHECK(call(next, "echo", {"ok"}) == Value(Value::Array{"ok"}));
}

TEST_CASE("http: a client leaving mid-response does not break the server", "[http]") {
  TempDirectory dir("http-test");
  const std::string path = dir.file("s.sock");
  RunningServer server(RunningServer::Kind::unixSocket, path);
  const int fd = connectUnix(path);
  sendAll(fd, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
  char buffer[1024];
  CHECK(::read(fd, buffer, sizeof buffer) > 0);
  ::close(fd);  // 32 MB still to come
  std::this_thread::sleep_for(100ms);
  HttpClient client = server.client();
  CHECK(call(client, "echo", {"ok"}) == Value(Value::Array{"ok"}));
}

TEST_CASE("http: a slow client is cut off after the request timeout", "[http]") {
  TempDirectory dir("http-test");
  const std::string path = dir.file("s.sock");
  HttpServerOptions options;
  options.requestTimeout = 300ms;
  RunningServer server(RunningServer::Kind::unixSocket, path, options);
  const int fd = connectUnix(path);
  sendAll(fd, "POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part of the body");
  bool closed = false;
  readUntilClosed(fd, 3s, &closed);
  ::close(fd);
  CHECK(closed);
}

TEST_CASE("http: an idle keep-alive connection is closed after the idle timeout", "[http]") {
  TempDirectory dir("http-test");
  const std::string path = dir.file("s.sock");
  HttpServerOptions options;
  options.idleTimeout = 300ms;
  RunningServer server(RunningServer::Kind::unixSocket, path, options);
  const int fd = connectUnix(path);
  bool closed = false;
  const auto started = std::chrono::steady_clock::now();
  readUntilClosed(fd, 3s, &closed);
  ::close(fd);
  CHECK(closed);
  CHECK(std::chrono::steady_clock::now() - started >= 250ms);
}

TEST_CASE("http: garbage instead of a request gets 400", "[http]") {
  TempDirectory dir("http-test");
  const std::string path = dir.file("s.sock");
  RunningServer server(RunningServer::Kind::unixSocket, path);
  const int fd = connectUnix(path);
  sendAll(fd, "THIS IS NOT HTTP\r\n\r\n");
  bool closed = false;
  const std::string answer = readUntilClosed(fd, 3s, &closed);
  ::close(fd);
  CHECK(answer.rfind("HTTP/1.1 400 Bad Request", 0) == 0);
}

TEST_CASE("http: a request left unanswered or a failing handler gets 500", "[http]") {
  TempDirectory dir("http-test");
  RunningServer server(RunningServer::Kind::unixSocket, dir.file("s.sock"));
  HttpClient client = server.client();
  auto none = [](std::string_view) { return true; };
  CHECK(client.get("/drop", none)->status == 500);
  CHECK(client.get("/throw", none)->status == 500);
  const auto logged = server.logged();
  REQUIRE(logged.size() == 1);
  CHECK(logged[0].find("request handler failed: boom") != std::string::npos);
}

TEST_CASE("http: the unix socket file has the configured mode and is removed on close", "[http]") {
  TempDirectory dir("http-test");
  const std::string path = dir.file("supervisor.sock");
  {
    RunningServer server(RunningServer::Kind::unixSocket, path, {}, 0660);
    struct stat status {};
    REQUIRE(::stat(path.c_str(), &status) == 0);
    CHECK(S_ISSOCK(status.st_mode));
    CHECK((status.st_mode & 07777) == 0660);
  }
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("http: the unix socket file gets the configured owner", "[http]") {
  if (::geteuid() != 0) {
    WARN("skipped: only root can give a file away");
    return;
  }
  TempDirectory dir("http-test");
  const std::string path = dir.file("supervisor.sock");
  asio::io_context loop;
  auto server = HttpServer::listenUnix(loop, {path, 0770, 65534, 65534}, {}, [](HttpRequest, HttpResponder) {});
  REQUIRE(server.ok());
  struct stat status {};
  REQUIRE(::stat(path.c_str(), &status) == 0);
  CHECK(status.st_uid == 65534);
  CHECK(status.st_gid == 65534);
  CHECK((status.st_mode & 07777) == 0770);
}

TEST_CASE("http: a stale socket file is replaced, a live one is refused", "[http]") {
  TempDirectory dir("http-test");
  const std::string path = dir.file("s.sock");
  {
    // A socket file nobody listens on, as left by a killed server.
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    ::close(fd);
  }
  RunningServer server(RunningServer::Kind::unixSocket, path);
  HttpClient client = server.client();
  CHECK(call(client, "echo", {}) == Value(Value::Array{}));

  asio::io_context loop;
  auto second = HttpServer::listenUnix(loop, {path, 0700, {}, {}}, {}, [](HttpRequest, HttpResponder) {});
  REQUIRE_FALSE(second.ok());
  CHECK(second.error() == "another program is already listening on unix socket " + path);
  CHECK(call(client, "echo", {}) == Value(Value::Array{}));
}

TEST_CASE("http: a regular file where the socket should be is left alone", "[http]") {
  TempDirectory dir("http-test");
  const std::string path = dir.file("s.sock");
  std::ofstream(path) << "precious";
  asio::io_context loop;
  auto server = HttpServer::listenUnix(loop, {path, 0700, {}, {}}, {}, [](HttpRequest, HttpResponder) {});
  REQUIRE_FALSE(server.ok());
  CHECK(server.error() == "cannot create unix socket " + path + ": the file exists and is not a socket");
  CHECK(fs::file_size(path) == 8);
}

TEST_CASE("http: a TCP port in use is an error naming it", "[http]") {
  RunningServer server(RunningServer::Kind::tcp);
  asio::io_context loop;
  auto second = HttpServer::listenTcp(loop, {"127.0.0.1", server.port()}, {}, [](HttpRequest, HttpResponder) {});
  REQUIRE_FALSE(second.ok());
  CHECK(second.error() == "cannot listen on 127.0.0.1:" + std::to_string(server.port()) + ": Address already in use");
}

TEST_CASE("http: every socket the server and client open is close-on-exec", "[http]") {
  TempDirectory dir("http-test");
  RunningServer server(RunningServer::Kind::unixSocket, dir.file("s.sock"));
  RunningServer tcp(RunningServer::Kind::tcp);
  HttpClient client = server.client();
  HttpClient tcpClient = tcp.client();
  call(client, "echo");
  call(tcpClient, "echo");
  int sockets = 0;
  for (const auto& entry : fs::directory_iterator("/proc/self/fd")) {
    std::error_code error;
    const auto target = fs::read_symlink(entry.path(), error);
    if (error || target.string().rfind("socket:", 0) != 0) continue;
    const int fd = std::stoi(entry.path().filename().string());
    ++sockets;
    CHECK((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
  }
  CHECK(sockets >= 6);  // two listeners, two accepted, two client sockets
}

TEST_CASE("http: connection failures name the server and the reason", "[http]") {
  TempDirectory dir("http-test");
  const std::string missing = dir.file("nope.sock");
  HttpClient client(common::parseServerUrl("unix://" + missing).value());
  auto answer = client.post("/RPC2", "x");
  REQUIRE_FALSE(answer.ok());
  CHECK(answer.error() == "could not connect to unix://" + missing + ": No such file or directory");
  CHECK(client.lastErrno() == ENOENT);

  unsigned short closedPort;
  {
    RunningServer server(RunningServer::Kind::tcp);
    closedPort = server.port();
  }
  HttpClient refused(common::parseServerUrl("http://127.0.0.1:" + std::to_string(closedPort)).value());
  auto noServer = refused.post("/RPC2", "x");
  REQUIRE_FALSE(noServer.ok());
  CHECK(noServer.error() == "could not connect to http://127.0.0.1:" + std::to_string(closedPort) + ": Connection refused");
  CHECK(refused.lastErrno() == ECONNREFUSED);
}

TEST_CASE("http: a response timeout gives up on a slow answer", "[http]") {
  TempDirectory dir("http-test");
  RunningServer server(RunningServer::Kind::unixSocket, dir.file("s.sock"));
  HttpClientOptions options;
  options.responseTimeout = 200ms;
  HttpClient client = server.client(options);
  auto answer = client.post("/RPC2", xmlrpc::encodeCall("slow", {}));
  REQUIRE_FALSE(answer.ok());
  CHECK(answer.error() == "no answer from " + server.url() + " within 200 ms");
  CHECK(client.lastErrno() == ETIMEDOUT);
}

TEST_CASE("http: Python's xmlrpc.client works over a unix socket, with keep-alive", "[http][python]") {
  TempDirectory dir("http-test");
  const std::string path = dir.file("supervisor.sock");
  RunningServer server(RunningServer::Kind::unixSocket, path);
  auto run = runPython(dir, std::string(kPythonUnixTransport) + R"(
p = xmlrpc.client.ServerProxy('http://localhost/RPC2', transport=UnixTransport(')" + path +
                                    R"('), allow_none=True)
echoed = p.echo('cat', 1 << 30, None, True, 1.5, xmlrpc.client.Binary(b'\x00\xff'), {'k': [1, 2]})
echoed[5] = echoed[5].data
print(echoed)
print(p.connection() == p.connection())
print(p.big())
print(repr(p.dirty()))
try:
    p.fail('foo')
except xmlrpc.client.Fault as fault:
    print(fault.faultCode, fault.faultString)
)");
  INFO(run.output);
  CHECK(run.status == 0);
  CHECK(run.output ==
        "['cat', 1073741824, None, True, 1.5, b'\\x00\\xff', {'k': [1, 2]}]\n"
        "True\n"
        "1099511627776\n"
        "'bell\xEF\xBF\xBD bad\xEF\xBF\xBD cr\\r end'\n"  // U+FFFD, and the CR kept
        "10 BAD_NAME: foo\n");
}

TEST_CASE("http: Python's xmlrpc.client works over TCP with Basic auth", "[http][python]") {
  TempDirectory dir("http-test");
  HttpServerOptions options;
  options.username = "user";
  options.password = "secret";
  RunningServer server(RunningServer::Kind::tcp, {}, options);
  const std::string port = std::to_string(server.port());
  auto run = runPython(dir, R"(
import xmlrpc.client
p = xmlrpc.client.ServerProxy('http://user:secret@127.0.0.1:)" + port + R"(/RPC2')
print(p.user(), p.connection() == p.connection())
try:
    xmlrpc.client.ServerProxy('http://user:wrong@127.0.0.1:)" + port + R"(/RPC2').user()
except xmlrpc.client.ProtocolError as error:
    print(error.errcode, error.errmsg)
)");
  INFO(run.output);
  CHECK(run.status == 0);
  CHECK(run.output == "user True\n401 Unauthorized\n");
}

TEST_CASE("http: Supervisor's own supervisorctl transports read our answers and streams", "[http][python]") {
  TempDirectory dir("http-test");
  const std::string path = dir.file("supervisor.sock");
  RunningServer server(RunningServer::Kind::unixSocket, path);
  // SupervisorTransport is what `supervisorctl status` uses; http_client is
  // what `supervisorctl tail -f` uses.
  auto run = runPython(dir, R"(
import xmlrpc.client
from supervisor import http_client, xmlrpc as supervisor_xmlrpc
from supervisor.medusa import asyncore_25 as asyncore
transport = supervisor_xmlrpc.SupervisorTransport(None, None, 'unix://)" + path + R"(')
proxy = xmlrpc.client.ServerProxy('http://127.0.0.1', transport=transport)
print(proxy.echo('hello'), proxy.connection() == proxy.connection())
class Listener(http_client.Listener):
    def feed(self, url, data): print('fed', repr(data))
handler = http_client.HTTPHandler(Listener(), '', None)
handler.get('unix://)" + path + R"(', '/stream')
asyncore.loop(timeout=0.05, count=100)
)");
  INFO(run.output);
  CHECK(run.status == 0);
  CHECK(run.output.rfind("['hello'] True\nfed b'first\\n'\nfed b'line 1\\n'\n", 0) == 0);
  // (Its chunked parser never reports "done", against Python's server too.)
  CHECK(run.output.find("fed b'line 5\\n'\n") != std::string::npos);
}
