#pragma once
// ProbeCheck: one check of a readiness or liveness probe (exec, TCP connect or HTTP
// GET), bounded by the probe's timeout, without blocking the loop. Its outcome comes
// once, on the loop; destroying the handle cancels the check and nothing comes.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "supervisord/config/config_model.h"
#include "supervisord/config/policy_config.h"
#include "supervisord/policy/child_watch.h"

namespace boost::asio {
class io_context;
}

namespace process {
class Spawner;
}

namespace policy {

// What an exec probe needs to start its command; TCP and HTTP probes ignore it.
// REQUIRES: spawner and childWatch outlive every check made with it.
struct ProbeCommandContext {
  process::Spawner* spawner = nullptr;
  ChildWatch* childWatch = nullptr;
  std::string name;                       // the program's name, for spawn messages
  config::Environment environment;        // the command's whole environment (the program's)
  std::optional<std::string> directory;   // the program's directory=
};

// ok, and what was seen, prefixed by what was checked:
//   "tcp 127.0.0.1:5432: connected", "tcp 127.0.0.1:5432: connection refused",
//   "http http://127.0.0.1:8080/health: status 200", "… status 503",
//   "exec pg_isready: exit status 0", "exec pg_isready: timed out after 1 s".
struct ProbeOutcome {
  bool ok = false;
  std::string detail;
};

// What a probe checks, as its details start: "exec pg_isready", "tcp 127.0.0.1:5432",
// "http http://127.0.0.1:8080/health".
std::string probeLabel(const config::ProbeConfig& probe);

// Exec: the command exits 0 within the timeout (then SIGKILL to its process group).
// Tcp: a connection to host:port is established within the timeout. An address or
// "localhost" (127.0.0.1, then ::1) is used as is; another name is resolved by asio,
// which runs getaddrinfo on a private thread; every address is tried in turn.
// Http: GET path over HTTP/1.1 (Host, Connection: close) gets a status 200-399, with
// connect and response header within the timeout; the body is not read.
// The completion runs exactly once, on the loop (never from inside the constructor),
// and may destroy the handle. REQUIRES: `io` outlives the handle.
class ProbeCheck {
 public:
  using Completion = std::function<void(const ProbeOutcome&)>;

  ProbeCheck(boost::asio::io_context& io, const ProbeCommandContext& context, const config::ProbeConfig& probe,
             Completion done);
  ~ProbeCheck();
  ProbeCheck(ProbeCheck&&) noexcept;
  ProbeCheck& operator=(ProbeCheck&&) noexcept;
  ProbeCheck(const ProbeCheck&) = delete;
  ProbeCheck& operator=(const ProbeCheck&) = delete;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace policy
