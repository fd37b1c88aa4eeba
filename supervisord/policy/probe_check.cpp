#include "supervisord/policy/probe_check.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <vector>

#include "supervisord/policy/command_run.h"

namespace policy {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

namespace {

constexpr auto kUserAgent = "supervisor-ha";

// "127.0.0.1:5432", "[::1]:5432".
std::string hostAndPort(const std::string& host, int port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string httpHost(const config::ProbeConfig& probe) {
  if (probe.port == 80) return probe.host.find(':') != std::string::npos ? "[" + probe.host + "]" : probe.host;
  return hostAndPort(probe.host, probe.port);
}

std::string httpPath(const config::ProbeConfig& probe) { return probe.path.empty() ? "/" : probe.path; }

// asio words errors as strerror does ("Connection refused"); our details are lower case.
std::string reason(const ErrorCode& error) {
  std::string text = error.message();
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

}  // namespace

std::string probeLabel(const config::ProbeConfig& probe) {
  switch (probe.kind) {
    case config::ProbeConfig::Kind::Exec:
      return "exec " + probe.command;
    case config::ProbeConfig::Kind::Tcp:
      return "tcp " + hostAndPort(probe.host, probe.port);
    case config::ProbeConfig::Kind::Http:
      return "http http://" + httpHost(probe) + httpPath(probe);
  }
  return probe.spec;
}

struct ProbeCheck::State : std::enable_shared_from_this<State> {
  State(asio::io_context& io, const config::ProbeConfig& probe)
      : probe(probe), label(probeLabel(probe)), resolver(io), socket(io), deadline(io) {}

  config::ProbeConfig probe;
  std::string label;
  Completion done;
  bool finished = false;
  std::optional<CommandRun> command;  // exec
  tcp::resolver resolver;             // tcp, http
  tcp::socket socket;
  asio::steady_timer deadline;
  beast::flat_buffer buffer;  // http
  http::request<http::empty_body> request;
  http::response_parser<http::empty_body> parser;

  // The completion may destroy the handle: nothing touches `this` after calling it.
  void complete(bool ok, const std::string& what) {
    if (finished) return;
    ProbeOutcome outcome{ok, label + ": " + what};
    Completion completion = std::move(done);
    stop();
    if (completion) completion(outcome);
  }

  void stop() {
    finished = true;
    done = nullptr;
    command.reset();
    resolver.cancel();
    ErrorCode ignored;
    socket.close(ignored);
    deadline.cancel();
  }

  void runCommand(asio::io_context& io, const ProbeCommandContext& context) {
    CommandRequest run;
    run.name = context.name;
    run.commandLine = probe.command;
    run.environment = context.environment;
    run.directory = context.directory;
    run.timeout = probe.timeout;
    command.emplace(io, *context.spawner, *context.childWatch, std::move(run),
                    [weak = weak_from_this()](const CommandResult& result) {
                      if (auto self = weak.lock()) self->complete(result.succeeded(), result.description);
                    });
  }

  // TCP and HTTP: one deadline for resolve, connect and (HTTP) the response header.
  void armDeadline() {
    if (probe.timeout <= 0) return;  // no timeout
    deadline.expires_after(std::chrono::microseconds(static_cast<std::int64_t>(probe.timeout * 1e6)));
    deadline.async_wait([weak = weak_from_this()](ErrorCode ec) {
      auto self = weak.lock();
      if (!self || ec) return;
      self->complete(false, "timed out after " + secondsText(self->probe.timeout));
    });
  }

  // An address, or "localhost", needs no resolver: asio resolves names with
  // getaddrinfo on a thread of its own, which most probes can do without.
  void connect() {
    armDeadline();
    ErrorCode notAnAddress;
    const auto address = asio::ip::make_address(probe.host, notAnAddress);
    const auto port = static_cast<unsigned short>(probe.port);
    if (!notAnAddress) return connectTo(std::vector{tcp::endpoint(address, port)});
    if (probe.host == "localhost") {
      return connectTo(std::vector{tcp::endpoint(asio::ip::address_v4::loopback(), port),
                                   tcp::endpoint(asio::ip::address_v6::loopback(), port)});
    }
    resolver.async_resolve(probe.host, std::to_string(probe.port), tcp::resolver::numeric_service,
                           [weak = weak_from_this()](ErrorCode ec, tcp::resolver::results_type addresses) {
                             auto self = weak.lock();
                             if (!self || self->finished) return;
                             if (ec) return self->complete(false, "could not resolve " + self->probe.host + ": " + reason(ec));
                             self->connectTo(std::vector<tcp::endpoint>(addresses.begin(), addresses.end()));
                           });
  }

  // Tries each address in turn; the last one's error is the outcome.
  void connectTo(std::vector<tcp::endpoint> addresses) {
    asio::async_connect(socket, addresses, [weak = weak_from_this()](ErrorCode ec, const tcp::endpoint&) {
      auto self = weak.lock();
      if (!self || self->finished) return;
      if (ec) return self->complete(false, reason(ec));
      if (self->probe.kind == config::ProbeConfig::Kind::Tcp) return self->complete(true, "connected");
      self->sendRequest();
    });
  }

  void sendRequest() {
    request.method(http::verb::get);
    request.target(httpPath(probe));
    request.version(11);
    request.set(http::field::host, httpHost(probe));
    request.set(http::field::user_agent, kUserAgent);
    request.set(http::field::connection, "close");
    http::async_write(socket, request, [weak = weak_from_this()](ErrorCode ec, std::size_t) {
      auto self = weak.lock();
      if (!self || self->finished) return;
      if (ec) return self->complete(false, reason(ec));
      self->readStatus();
    });
  }

  void readStatus() {
    http::async_read_header(socket, buffer, parser, [weak = weak_from_this()](ErrorCode ec, std::size_t) {
      auto self = weak.lock();
      if (!self || self->finished) return;
      if (ec) return self->complete(false, reason(ec));
      const unsigned status = self->parser.get().result_int();
      self->complete(status >= 200 && status < 400, "status " + std::to_string(status));
    });
  }
};

ProbeCheck::ProbeCheck(asio::io_context& io, const ProbeCommandContext& context, const config::ProbeConfig& probe,
                       Completion done)
    : state_(std::make_shared<State>(io, probe)) {
  state_->done = std::move(done);
  if (probe.kind == config::ProbeConfig::Kind::Exec) {
    state_->runCommand(io, context);
  } else {
    state_->connect();
  }
}

ProbeCheck::~ProbeCheck() {
  if (state_) state_->stop();
}

ProbeCheck::ProbeCheck(ProbeCheck&& other) noexcept = default;

ProbeCheck& ProbeCheck::operator=(ProbeCheck&& other) noexcept {
  if (this != &other) {
    if (state_) state_->stop();
    state_ = std::move(other.state_);
  }
  return *this;
}

}  // namespace policy
