#pragma once
// A fake shell around the process state machine, shared by the machine's unit
// tests: a fake clock, spawns answered at once, and what a user would see.

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <functional>
#include <string>
#include <vector>

#include "supervisord/process/process_state_machine.h"
#include "supervisord/process/process_state.h"
#include "supervisord/process/signal_names.h"

namespace process::testing {

inline int exitCode(int code) { return code << 8; }  // a wait status for exit(code)
inline int killedBy(int signal) { return signal; }   // a wait status for death by signal

inline std::string levelName(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::Critical: return "CRIT";
    case config::LogLevel::Error: return "ERRO";
    case config::LogLevel::Warn: return "WARN";
    case config::LogLevel::Info: return "INFO";
    default: return "DEBG";
  }
}

inline std::string transitionText(const StateChanged& change) {
  return std::string(stateName(change.from)) + "->" + std::string(stateName(change.to));
}

// A fake shell around the machine with a fake clock: it answers Spawn with
// Spawned (pids 100, 101, …) or SpawnFailed, collects what a user would see in
// supervisord's log at the default loglevel (info), the state events, and the
// signals sent, and jumps the clock from deadline to deadline as a timer would.
struct Supervised {
  config::ProcessConfig config;
  ProcessRecord record;
  WallTime clock = 1000;
  bool supervisorRunning = true;
  pid_t nextPid = 100;
  std::optional<std::string> spawnError;  // answer Spawn with SpawnFailed{this}
  std::optional<int> signalErrno;         // answer SendSignal with SignalFailed{this}

  std::vector<std::string> log;       // INFO and above, "LEVEL text"
  std::vector<std::string> debugLog;  // every level
  std::vector<StateChanged> changes;
  std::vector<SendSignal> signals;
  std::vector<WallTime> spawnTimes;
  std::optional<std::string> refusal;  // of the last event fed
  // The restart policy's advice before each event (default: none, Supervisor's behaviour).
  std::function<RestartAdvice(const Supervised&)> adviser;
  std::vector<WallTime> restartTimes;      // RestartCounted decisions
  std::vector<std::string> gaveUpReasons;  // GaveUp decisions
  int groupRestartWanted = 0;

  Supervised() {
    config.name = "x";
    config.groupName = "x";
    config.command = "/bin/x";
  }

  void feed(const Event& event) {
    const RestartAdvice advice = adviser ? adviser(*this) : RestartAdvice{};
    Step step = handle(config, record, event, Moment{clock, supervisorRunning, advice});
    record = step.record;
    refusal = step.refusal;
    CHECK(step.wakeAt == nextDeadline(config, record, supervisorRunning, advice));
    for (const Decision& decision : step.decisions) {
      if (const auto* line = std::get_if<Log>(&decision)) {
        debugLog.push_back(levelName(line->level) + " " + line->text);
        if (line->level >= config::LogLevel::Info) log.push_back(levelName(line->level) + " " + line->text);
      } else if (const auto* change = std::get_if<StateChanged>(&decision)) {
        changes.push_back(*change);
      } else if (const auto* signal = std::get_if<SendSignal>(&decision)) {
        signals.push_back(*signal);
        if (signalErrno)
          feed(SignalFailed{signal->purpose, *signalErrno,
                            *signalErrno == ESRCH ? "[Errno 3] No such process" : "[Errno 1] Operation not permitted"});
      } else if (std::holds_alternative<RestartCounted>(decision)) {
        restartTimes.push_back(clock);
      } else if (const auto* gaveUp = std::get_if<GaveUp>(&decision)) {
        gaveUpReasons.push_back(gaveUp->reason);
      } else if (std::holds_alternative<GroupRestartWanted>(decision)) {
        groupRestartWanted += 1;
      } else if (std::holds_alternative<Spawn>(decision)) {
        spawnTimes.push_back(clock);
        if (spawnError) feed(SpawnFailed{*spawnError});
        else feed(Spawned{nextPid++});
      }
    }
  }

  // The timer loop: tick at every deadline up to `end`, then let the clock reach it.
  void runUntil(WallTime end) {
    for (int guard = 0; guard < 1000; ++guard) {
      auto deadline = nextDeadline(config, record, supervisorRunning, adviser ? adviser(*this) : RestartAdvice{});
      if (!deadline || *deadline > end) {
        clock = std::max(clock, end);
        return;
      }
      clock = std::max(clock, *deadline);
      feed(Tick{});
    }
    FAIL("the machine keeps asking for a tick at once");
  }
  void runFor(WallTime seconds) { runUntil(clock + seconds); }
  void exitAt(WallTime when, int waitStatus) {
    clock = when;
    feed(Exited{waitStatus});
  }
  void at(WallTime when, const Event& event) {
    clock = when;
    feed(event);
  }

  std::vector<std::string> transitions() const {
    std::vector<std::string> out;
    for (const auto& change : changes) out.push_back(transitionText(change));
    return out;
  }
  ProcessState state() const { return record.state; }
  void clearHistory() {
    log.clear();
    debugLog.clear();
    changes.clear();
    signals.clear();
    spawnTimes.clear();
  }
};

using Strings = std::vector<std::string>;

}  // namespace process::testing
