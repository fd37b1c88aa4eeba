#pragma once
// ProcessHost: what a Process needs from the daemon around it (the Supervisor):
// the event loop, the clock, the log, the spawner, the child environment, and
// someone to tell about state changes and pids. An interface so that Process does
// not depend on the Supervisor (layers point down, ARCHITECTURE.md).

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "supervisord/config/config_model.h"
#include "supervisord/process/process_state_machine.h"

namespace boost::asio {
class io_context;
}

namespace process {

class Process;
class Spawner;

class ProcessHost {
 public:
  virtual ~ProcessHost() = default;

  virtual boost::asio::io_context& io() = 0;
  virtual Spawner& spawner() = 0;
  // Wall-clock seconds (time.time()).
  virtual WallTime now() const = 0;
  // Whether the daemon's mood is RUNNING (not shutting down or restarting).
  virtual bool supervisorRunning() const = 0;
  virtual void log(config::LogLevel level, const std::string& text) = 0;
  virtual bool logEnabled(config::LogLevel level) const = 0;

  // The environment every child starts from (the daemon's, at start).
  virtual const config::Environment& baseEnvironment() const = 0;
  // SUPERVISOR_SERVER_URL when the program sets none.
  virtual std::optional<std::string> serverUrl() const = 0;
  virtual const std::string& identifier() const = 0;
  virtual const std::string& childLogDirectory() const = 0;
  virtual bool stripAnsi() const = 0;

  // A child now runs with this pid: the reaper maps pids to processes.
  virtual void childSpawned(Process& process, pid_t pid) = 0;
  // Output the child wrote, as read (events, listener protocol, main log at debug).
  // `captured`: inside a capture-mode block, so not written to the child's log file.
  virtual void childOutput(Process& process, bool isStderr, std::string_view data) = 0;
  // A completed capture-mode block (PROCESS_COMMUNICATION_*).
  virtual void childCommunication(Process& process, bool isStderr, std::string_view data) = 0;
  // Called after every state change (the event bus, shutdown progress).
  virtual void stateChanged(Process& process, const StateChanged& change) = 0;

  // ---- The restart policy (policy/ decides; the host asks it) ----
  // Asked before every event the machine handles.
  virtual RestartAdvice restartAdvice(const Process& process) const = 0;
  // The machine's policy decisions, as they come (RestartCounted, GaveUp, GroupRestartWanted).
  virtual void restartCounted(Process& process) = 0;
  virtual void gaveUp(Process& process, const std::string& reason) = 0;
  virtual void groupRestartWanted(Process& process) = 0;
  // Before each spawn (pre_start_command): false = spawn at once; true = the host calls
  // `proceed` later, once, on the loop, with nullopt (spawn now) or why the start failed
  // (the spawnerr). cancelBeforeSpawn(): a stop came first; `proceed` must not be called.
  virtual bool beforeSpawn(Process& process, std::function<void(std::optional<std::string>)> proceed) = 0;
  virtual void cancelBeforeSpawn(Process& process) = 0;
};

}  // namespace process
