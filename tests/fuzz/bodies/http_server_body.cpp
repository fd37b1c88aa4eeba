#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "common/http_server.h"
#include "common/unique_fd.h"
#include "tests/fuzz/bodies/contract.h"
#include "tests/fuzz/bodies/scratch_directory.h"
#include "tests/fuzz/fuzz_bodies.h"

namespace fuzz {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// How the handler answers depends on the target, so that inputs reach every way a
// connection ends a request: at once, later on the loop, streamed, or never (500).
void answer(asio::io_context& loop, common::HttpRequest request, common::HttpResponder responder) {
  const std::string& target = request.target;
  if (target.rfind("/stream", 0) == 0) {
    auto stream = responder.stream(200, {{"Content-Type", "text/plain"}});
    stream.write(request.body);
    stream.write("tail\n");
    stream.finish();
  } else if (target.rfind("/later", 0) == 0) {
    asio::post(loop, [responder, size = request.body.size()]() mutable {
      responder.respond(common::HttpResponse::text(200, std::to_string(size) + " bytes\n"));
    });
  } else if (target.rfind("/drop", 0) == 0) {
    // Every copy of the responder dropped unanswered: the client gets 500.
  } else if (target.rfind("/close", 0) == 0) {
    common::HttpResponse response = common::HttpResponse::text(200, "bye\n");
    response.headers.push_back({"Connection", "close"});
    responder.respond(std::move(response));
  } else {
    responder.respond(common::HttpResponse::text(200, request.method + " " + target + "\n"));
  }
}

// One loop, two servers on unix sockets (without and with Basic auth), for the
// process's life. Limits are small so that inputs reach them.
struct Servers {
  asio::io_context loop;
  std::unique_ptr<common::HttpServer> open;
  std::unique_ptr<common::HttpServer> guarded;
  std::string openPath;
  std::string guardedPath;
};

Servers& servers() {
  static Servers* made = [] {
    auto* s = new Servers;
    common::HttpServerOptions options;
    options.bodyLimit = 4096;
    options.requestTimeout = std::chrono::milliseconds(500);
    options.idleTimeout = std::chrono::milliseconds(500);
    auto handler = [s](common::HttpRequest request, common::HttpResponder responder) {
      answer(s->loop, std::move(request), std::move(responder));
    };
    s->openPath = scratchDirectory("http_server") + "/open.sock";
    auto open = common::HttpServer::listenUnix(s->loop, {s->openPath, 0700, {}, {}}, options, handler);
    if (!open) throw std::runtime_error(open.error());
    s->open = std::move(*open);
    options.username = "user";
    options.password = "{SHA}5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8";  // "password"
    s->guardedPath = scratchDirectory("http_server") + "/guarded.sock";
    auto guarded = common::HttpServer::listenUnix(s->loop, {s->guardedPath, 0700, {}, {}}, options, handler);
    if (!guarded) throw std::runtime_error(guarded.error());
    s->guarded = std::move(*guarded);
    return s;
  }();
  return *made;
}

common::UniqueFd connectTo(const std::string& path) {
  common::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  if (!fd.valid() || ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0)
    throw std::runtime_error("cannot connect to " + path + ": " + std::strerror(errno));
  return fd;
}

// Sends `input` as one client, then half-closes; runs the loop until the server
// has closed the connection. Returns what the server sent.
std::string exchange(Servers& s, const std::string& path, std::string_view input) {
  common::UniqueFd client = connectTo(path);
  std::size_t sent = 0;
  bool halfClosed = false;
  std::string received;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (true) {
    bool progressed = s.loop.poll() > 0;
    if (sent < input.size()) {
      const ssize_t n = ::send(client.get(), input.data() + sent, input.size() - sent, MSG_NOSIGNAL);
      if (n > 0) sent += static_cast<std::size_t>(n), progressed = true;
      if (n < 0 && errno != EAGAIN) sent = input.size();  // the server closed early: the rest is moot
    }
    if (sent == input.size() && !halfClosed) {
      ::shutdown(client.get(), SHUT_WR);
      halfClosed = true;
    }
    char buffer[8192];
    const ssize_t n = ::recv(client.get(), buffer, sizeof buffer, 0);
    if (n > 0) {
      received.append(buffer, static_cast<std::size_t>(n));
      progressed = true;
    } else if (n == 0 || (n < 0 && errno != EAGAIN)) {
      return received;  // the server closed the connection
    }
    require(Clock::now() < deadline, "the server closes a connection once its client has finished sending");
    if (!progressed) s.loop.run_one_for(std::chrono::milliseconds(5));
  }
}

void requireHttpAnswers(const std::string& received) {
  require(received.empty() || received.rfind("HTTP/1.", 0) == 0, "the server answers with an HTTP status line");
}

}  // namespace

// The input is what a client sends on one connection (one request, several
// pipelined ones, or garbage), to the server without auth and to the one with it.
void httpServer(std::string_view input) {
  Servers& s = servers();
  requireHttpAnswers(exchange(s, s.openPath, input));
  requireHttpAnswers(exchange(s, s.guardedPath, input));
}

}  // namespace fuzz
