// Probes against real sockets and real commands on a real loop: one ProbeCheck of
// each kind (tcp, http, exec) with what its detail says, and ProbeMonitor's verdicts
// over repeated checks with short intervals.

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loop_support.h"
#include "supervisord/policy/probe_check.h"
#include "supervisord/policy/probe_monitor.h"
#include "supervisord/process/spawner.h"
#include "tests/support/temp_directory.h"

using namespace std::chrono_literals;
using config::ProbeConfig;
using policy::ProbeCheck;
using policy::ProbeMonitor;
using policy::ProbeOutcome;
using policy::ProbeVerdict;
using tcp = boost::asio::ip::tcp;

namespace {

// A listening socket on 127.0.0.1 that never accepts: the kernel completes connects.
struct Listener {
  explicit Listener(boost::asio::io_context& io, const char* address = "127.0.0.1")
      : acceptor(io, tcp::endpoint(boost::asio::ip::make_address(address), 0)) {}
  int port() const { return acceptor.local_endpoint().port(); }
  tcp::acceptor acceptor;
};

// A port nothing listens on: bound once, then closed again.
int closedPort(boost::asio::io_context& io) {
  Listener listener(io);
  return listener.port();
}

// A tiny HTTP server on the test's loop: answers every request with `status`, or,
// when `status` is 0, accepts and never answers. Keeps the requests it read.
class TestHttpServer {
 public:
  TestHttpServer(boost::asio::io_context& io, int status) : io_(io), listener_(io), status_(status) { accept(); }
  int port() const { return listener_.port(); }
  std::vector<std::string> requests;

 private:
  struct Connection {
    explicit Connection(boost::asio::io_context& io) : socket(io) {}
    tcp::socket socket;
    std::string input;
    std::string output;
  };

  void accept() {
    auto connection = std::make_shared<Connection>(io_);
    listener_.acceptor.async_accept(connection->socket, [this, connection](boost::system::error_code ec) {
      if (ec) return;
      connections_.push_back(connection);
      boost::asio::async_read_until(connection->socket, boost::asio::dynamic_buffer(connection->input), "\r\n\r\n",
                                    [this, connection](boost::system::error_code ec, std::size_t) {
                                      if (ec) return;
                                      requests.push_back(connection->input);
                                      if (status_ != 0) answer(connection);
                                    });
      accept();
    });
  }

  void answer(const std::shared_ptr<Connection>& connection) {
    connection->output = "HTTP/1.1 " + std::to_string(status_) +
                         " Whatever\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
    boost::asio::async_write(connection->socket, boost::asio::buffer(connection->output),
                             [connection](boost::system::error_code, std::size_t) {
                               boost::system::error_code ignored;
                               connection->socket.shutdown(tcp::socket::shutdown_both, ignored);
                             });
  }

  boost::asio::io_context& io_;
  Listener listener_;
  int status_;
  std::vector<std::shared_ptr<Connection>> connections_;
};

ProbeConfig tcpProbe(std::string host, int port, double timeout = 1) {
  ProbeConfig probe;
  probe.kind = ProbeConfig::Kind::Tcp;
  probe.host = std::move(host);
  probe.port = port;
  probe.timeout = timeout;
  return probe;
}

ProbeConfig httpProbe(int port, std::string path, double timeout = 1) {
  ProbeConfig probe;
  probe.kind = ProbeConfig::Kind::Http;
  probe.host = "127.0.0.1";
  probe.port = port;
  probe.path = std::move(path);
  probe.timeout = timeout;
  return probe;
}

ProbeConfig execProbe(std::string command, double timeout = 1) {
  ProbeConfig probe;
  probe.kind = ProbeConfig::Kind::Exec;
  probe.command = std::move(command);
  probe.timeout = timeout;
  return probe;
}

struct Fixture {
  boost::asio::io_context io;
  ReapingChildWatch childWatch{io};
  process::Spawner spawner;
  policy::ProbeCommandContext context{&spawner, &childWatch, "db", {{"PATH", "/usr/bin:/bin"}}, std::nullopt};

  // One check to its end; its outcome, which must come exactly once.
  ProbeOutcome check(const ProbeConfig& probe) {
    std::vector<ProbeOutcome> outcomes;
    ProbeCheck check(io, context, probe, [&](const ProbeOutcome& outcome) { outcomes.push_back(outcome); });
    REQUIRE(outcomes.empty());  // never from inside the constructor
    REQUIRE(runUntil(io, [&] { return !outcomes.empty(); }));
    runFor(io, 30ms);
    REQUIRE(outcomes.size() == 1);
    return outcomes.front();
  }
};

std::string port(int number) { return std::to_string(number); }

}  // namespace

TEST_CASE("probe: tcp connects to a listening port", "[probe]") {
  Fixture fixture;
  Listener listener(fixture.io);
  ProbeOutcome outcome = fixture.check(tcpProbe("127.0.0.1", listener.port()));
  CHECK(outcome.ok);
  CHECK(outcome.detail == "tcp 127.0.0.1:" + port(listener.port()) + ": connected");
}

TEST_CASE("probe: tcp to localhost finds the IPv4 listener", "[probe]") {
  Fixture fixture;
  Listener listener(fixture.io);
  ProbeOutcome outcome = fixture.check(tcpProbe("localhost", listener.port()));
  CHECK(outcome.ok);
  CHECK(outcome.detail == "tcp localhost:" + port(listener.port()) + ": connected");
}

TEST_CASE("probe: tcp to a host name goes through the resolver", "[probe]") {
  Fixture fixture;
  Listener listener(fixture.io, "0.0.0.0");
  char hostname[256] = {};
  REQUIRE(::gethostname(hostname, sizeof hostname - 1) == 0);
  ProbeOutcome outcome = fixture.check(tcpProbe(hostname, listener.port()));
  INFO(outcome.detail);
  CHECK(outcome.ok);
  CHECK(outcome.detail == std::string("tcp ") + hostname + ":" + port(listener.port()) + ": connected");
}

TEST_CASE("probe: tcp to a closed port fails with connection refused", "[probe]") {
  Fixture fixture;
  const int closed = closedPort(fixture.io);
  ProbeOutcome outcome = fixture.check(tcpProbe("127.0.0.1", closed));
  CHECK_FALSE(outcome.ok);
  CHECK(outcome.detail == "tcp 127.0.0.1:" + port(closed) + ": connection refused");
}

TEST_CASE("probe: tcp to a host that does not resolve fails and says so", "[probe]") {
  Fixture fixture;
  ProbeOutcome outcome = fixture.check(tcpProbe("no-such-host.invalid", 80, 3));
  CHECK_FALSE(outcome.ok);
  CHECK(outcome.detail.rfind("tcp no-such-host.invalid:80: ", 0) == 0);
  INFO(outcome.detail);
  CHECK((outcome.detail.find("could not resolve no-such-host.invalid: ") != std::string::npos ||
         outcome.detail.find("timed out") != std::string::npos));
}

TEST_CASE("probe: http GET with status 200 is ok and sends Host and Connection: close", "[probe]") {
  Fixture fixture;
  TestHttpServer server(fixture.io, 200);
  ProbeOutcome outcome = fixture.check(httpProbe(server.port(), "/health"));
  CHECK(outcome.ok);
  CHECK(outcome.detail == "http http://127.0.0.1:" + port(server.port()) + "/health: status 200");
  REQUIRE(server.requests.size() == 1);
  const std::string& request = server.requests.front();
  CHECK(request.rfind("GET /health HTTP/1.1\r\n", 0) == 0);
  CHECK(request.find("\r\nHost: 127.0.0.1:" + port(server.port()) + "\r\n") != std::string::npos);
  CHECK(request.find("\r\nConnection: close\r\n") != std::string::npos);
}

TEST_CASE("probe: http statuses 200 to 399 are ok, others fail", "[probe]") {
  Fixture fixture;
  for (int status : {204, 302, 399}) {
    TestHttpServer server(fixture.io, status);
    ProbeOutcome outcome = fixture.check(httpProbe(server.port(), "/"));
    CHECK(outcome.ok);
    CHECK(outcome.detail == "http http://127.0.0.1:" + port(server.port()) + "/: status " + port(status));
  }
  for (int status : {404, 500, 503}) {
    TestHttpServer server(fixture.io, status);
    ProbeOutcome outcome = fixture.check(httpProbe(server.port(), "/ready"));
    CHECK_FALSE(outcome.ok);
    CHECK(outcome.detail == "http http://127.0.0.1:" + port(server.port()) + "/ready: status " + port(status));
  }
}

TEST_CASE("probe: http to a server that never answers times out", "[probe]") {
  Fixture fixture;
  TestHttpServer server(fixture.io, 0);
  const auto started = std::chrono::steady_clock::now();
  ProbeOutcome outcome = fixture.check(httpProbe(server.port(), "/health", 0.2));
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK_FALSE(outcome.ok);
  CHECK(outcome.detail == "http http://127.0.0.1:" + port(server.port()) + "/health: timed out after 0.2 s");
  CHECK(server.requests.size() == 1);  // it got the request; the answer is what was missing
  CHECK(took >= 200ms);
  CHECK(took < 1s);
}

TEST_CASE("probe: http to a closed port fails with connection refused", "[probe]") {
  Fixture fixture;
  const int closed = closedPort(fixture.io);
  ProbeOutcome outcome = fixture.check(httpProbe(closed, "/health"));
  CHECK_FALSE(outcome.ok);
  CHECK(outcome.detail == "http http://127.0.0.1:" + port(closed) + "/health: connection refused");
}

TEST_CASE("probe: exec is ok when the command exits 0, and fails otherwise", "[probe]") {
  Fixture fixture;
  ProbeOutcome ok = fixture.check(execProbe("true"));
  CHECK(ok.ok);
  CHECK(ok.detail == "exec true: exit status 0");
  ProbeOutcome failed = fixture.check(execProbe("sh -c 'exit 2'"));
  CHECK_FALSE(failed.ok);
  CHECK(failed.detail == "exec sh -c 'exit 2': exit status 2");
  ProbeOutcome missing = fixture.check(execProbe("pg_isready_not_installed"));
  CHECK_FALSE(missing.ok);
  CHECK(missing.detail == "exec pg_isready_not_installed: spawn error: can't find command 'pg_isready_not_installed'");
}

TEST_CASE("probe: exec runs in the program's environment", "[probe]") {
  Fixture fixture;
  fixture.context.environment.emplace_back("PGPORT", "5433");
  CHECK(fixture.check(execProbe("sh -c 'test \"$PGPORT\" = 5433'")).ok);
}

TEST_CASE("probe: exec past its timeout is killed and fails", "[probe]") {
  Fixture fixture;
  const auto started = std::chrono::steady_clock::now();
  ProbeOutcome outcome = fixture.check(execProbe("sleep 10", 0.2));
  CHECK_FALSE(outcome.ok);
  CHECK(outcome.detail == "exec sleep 10: timed out after 0.2 s");
  CHECK(std::chrono::steady_clock::now() - started < 1s);
}

TEST_CASE("probe: destroying a check before it completes means no outcome", "[probe]") {
  Fixture fixture;
  TestHttpServer server(fixture.io, 0);
  int outcomes = 0;
  {
    ProbeCheck http(fixture.io, fixture.context, httpProbe(server.port(), "/", 0.1),
                    [&](const ProbeOutcome&) { ++outcomes; });
    ProbeCheck exec(fixture.io, fixture.context, execProbe("sleep 10", 0.1), [&](const ProbeOutcome&) { ++outcomes; });
    runFor(fixture.io, 30ms);
  }
  runFor(fixture.io, 200ms);
  CHECK(outcomes == 0);
}

TEST_CASE("probe: labels name what a probe checks", "[probe]") {
  CHECK(policy::probeLabel(execProbe("pg_isready -q")) == "exec pg_isready -q");
  CHECK(policy::probeLabel(tcpProbe("::1", 5432)) == "tcp [::1]:5432");
  ProbeConfig http = httpProbe(80, "");
  CHECK(policy::probeLabel(http) == "http http://127.0.0.1/");
}

namespace {

struct Verdicts {
  std::vector<ProbeVerdict> made;
  std::vector<std::string> details;
  policy::ProbeMonitor::VerdictCallback callback() {
    return [this](ProbeVerdict verdict, const ProbeOutcome& last) {
      made.push_back(verdict);
      details.push_back(last.detail);
    };
  }
};

}  // namespace

TEST_CASE("probe monitor: a passing probe is Ready once, and keeps checking", "[probe]") {
  Fixture fixture;
  Listener listener(fixture.io);
  ProbeConfig probe = tcpProbe("127.0.0.1", listener.port());
  probe.interval = 0.05;
  Verdicts verdicts;
  ProbeMonitor monitor(fixture.io, fixture.context, probe, verdicts.callback());
  REQUIRE(runUntil(fixture.io, [&] { return monitor.status().checks >= 4; }, 2s));
  CHECK(verdicts.made == std::vector{ProbeVerdict::Ready});
  policy::ProbeStatus status = monitor.status();
  CHECK(status.ready);
  CHECK(status.lastOk == true);
  CHECK(status.consecutiveFailures == 0);
  CHECK(status.consecutiveSuccesses == status.checks);
  CHECK(status.lastDetail == "tcp 127.0.0.1:" + port(listener.port()) + ": connected");
  CHECK(status.lastCheckTime > ::time(nullptr) - 5);
}

TEST_CASE("probe monitor: a failing probe is Failed at every failureThreshold-th failure", "[probe]") {
  Fixture fixture;
  ProbeConfig probe = tcpProbe("127.0.0.1", closedPort(fixture.io));
  probe.interval = 0.05;
  probe.failureThreshold = 2;
  Verdicts verdicts;
  ProbeMonitor monitor(fixture.io, fixture.context, probe, verdicts.callback());
  REQUIRE(runUntil(fixture.io, [&] { return verdicts.made.size() == 2; }, 2s));
  CHECK(verdicts.made == std::vector{ProbeVerdict::Failed, ProbeVerdict::Failed});
  CHECK(verdicts.details.back() == "tcp 127.0.0.1:" + port(probe.port) + ": connection refused");
  policy::ProbeStatus status = monitor.status();
  CHECK(status.checks == 4);
  CHECK(status.consecutiveFailures == 4);
  CHECK_FALSE(status.ready);
  CHECK(status.lastOk == false);
}

TEST_CASE("probe monitor: the first check waits for initialDelay", "[probe]") {
  Fixture fixture;
  Listener listener(fixture.io);
  ProbeConfig probe = tcpProbe("127.0.0.1", listener.port());
  probe.initialDelay = 0.3;
  probe.interval = 0.05;
  Verdicts verdicts;
  const auto started = std::chrono::steady_clock::now();
  ProbeMonitor monitor(fixture.io, fixture.context, probe, verdicts.callback());
  CHECK_FALSE(monitor.status().lastOk.has_value());
  runFor(fixture.io, 100ms);
  CHECK(monitor.status().checks == 0);
  REQUIRE(runUntil(fixture.io, [&] { return !verdicts.made.empty(); }, 2s));
  CHECK(std::chrono::steady_clock::now() - started >= 300ms);
}

TEST_CASE("probe monitor: an exec readiness probe turns Ready when the program is", "[probe]") {
  Fixture fixture;
  TempDirectory directory("probe-test");
  const std::string marker = directory.file("ready");
  ProbeConfig probe = execProbe("test -e " + marker);
  probe.interval = 0.05;
  probe.failureThreshold = 100;
  Verdicts verdicts;
  ProbeMonitor monitor(fixture.io, fixture.context, probe, verdicts.callback());
  REQUIRE(runUntil(fixture.io, [&] { return monitor.status().checks >= 2; }, 2s));
  CHECK(verdicts.made.empty());
  CHECK(monitor.status().lastDetail == "exec test -e " + marker + ": exit status 1");
  directory.write("ready", "");
  REQUIRE(runUntil(fixture.io, [&] { return !verdicts.made.empty(); }, 2s));
  CHECK(verdicts.made == std::vector{ProbeVerdict::Ready});
  CHECK(verdicts.details.front() == "exec test -e " + marker + ": exit status 0");
}

TEST_CASE("probe monitor: the verdict callback may destroy the monitor, which then stays silent", "[probe]") {
  Fixture fixture;
  ProbeConfig probe = tcpProbe("127.0.0.1", closedPort(fixture.io));
  probe.interval = 0.02;
  probe.failureThreshold = 1;
  int verdicts = 0;
  std::optional<ProbeMonitor> monitor;
  monitor.emplace(fixture.io, fixture.context, probe, [&](ProbeVerdict, const ProbeOutcome&) {
    ++verdicts;
    monitor.reset();
  });
  REQUIRE(runUntil(fixture.io, [&] { return verdicts > 0; }, 2s));
  runFor(fixture.io, 150ms);
  CHECK(verdicts == 1);
  CHECK_FALSE(monitor.has_value());
}
