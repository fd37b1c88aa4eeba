#pragma once
// Process: one supervised child, the effects shell around the pure state machine
// (process_state_machine.h). It feeds the machine events (requests, spawn results,
// exits, timer ticks), carries out its decisions (fork/exec, kill, log, publish),
// arms at most one timer, and reads the child's output into its log files.
//
// Single-threaded: every call happens on the host's event loop. A Process must be
// STOPPED (or in another stopped state) before it is destroyed; the destructor
// closes its pipes and cancels its timer, and never signals the child.

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "supervisord/config/config_model.h"
#include "supervisord/process/process_state_machine.h"

namespace process {

class ProcessHost;

class Process {
 public:
  // REQUIRES: config's AUTO log files are already resolved to paths.
  Process(ProcessHost& host, config::ProcessConfig config);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  const config::ProcessConfig& config() const { return config_; }
  const ProcessRecord& record() const { return record_; }
  ProcessState state() const { return record_.state; }
  pid_t pid() const { return record_.pid; }
  // Not running, but it will start again by itself (a policy's delayed restart): a stop applies.
  bool restartPending() const { return process::restartPending(config_, record_); }
  // What a stop acts on (stopProcess, a group's or everything's stop): a running state
  // (STARTING, RUNNING, BACKOFF) or a restart pending. Supervisor's NOT_RUNNING otherwise.
  bool stoppable() const { return isRunningState(state()) || restartPending(); }
  // "name" when the group has the process's name, else "group:name" (Supervisor's make_namespec).
  std::string namespec() const;

  // Requests. Each fails with the machine's refusal ("process 'x' already running", …)
  // when the request does not apply in the current state.
  common::Result<void> start();
  common::Result<void> stop();
  common::Result<void> signal(int signal);
  // Supervisor's get_execv_args, as the spawn will do it: the command parses, is not
  // empty, and names a file that can be run (kinds NotExecutable, NoFile). The API
  // checks it before a start, as Supervisor does, rather than spawn what must fail.
  common::Result<void> checkCommand() const;
  // At shutdown: BACKOFF -> FATAL (Supervisor's give_up). Ours: a process waiting
  // for its group (EXITED, STOPPED) too, when the group escalates; `reason` becomes spawnerr.
  void giveUp(const std::string& reason = "");
  // Ours: a probe gave up on it: stop it and start it again (STARTING: a failed start).
  void restart(const std::string& reason);
  // Ours: its readiness probe succeeded.
  void ready(const std::string& detail);
  // Ours: a pre_start_command is running; the spawn waits for it.
  bool spawnPending() const;
  // Time passed or the daemon's mood changed: let the machine re-evaluate.
  void tick();
  // A stopProcess call is still waiting: "waiting for x to stop" (throttled by the machine).
  void stopReport();

  // The reaper found this process's child dead with `waitStatus`.
  void childExited(int waitStatus);

  // sendProcessStdin: queue bytes for the child's stdin. Errors: not running, stdin closed.
  common::Result<void> writeStdin(std::string_view bytes);

  // Log files (empty when the channel logs nowhere).
  std::string stdoutLogPath() const;
  std::string stderrLogPath() const;
  void reopenLogs();
  common::Result<void> clearLogs();

 private:
  struct Runtime;

  void feed(const Event& event);
  void carryOut(const Step& step);
  std::optional<Event> spawnChild();
  common::Result<std::vector<std::string>> commandLine() const;
  void afterPreStart(std::optional<std::string> error);
  void armTimer(std::optional<WallTime> wakeAt);
  void recordOutput(bool isStderr, std::string data, bool captured);
  Moment moment() const;

  ProcessHost& host_;
  config::ProcessConfig config_;
  ProcessRecord record_;
  std::unique_ptr<Runtime> runtime_;  // timer, pipes, log files (asio stays out of this header)
};

}  // namespace process
