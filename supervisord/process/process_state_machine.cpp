#include "supervisord/process/process_state_machine.h"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <csignal>
#include <iterator>
#include <utility>

#include "common/value_types.h"
#include "supervisord/process/signal_names.h"
#include "supervisord/process/wait_status.h"

// Supervisor's Subprocess spreads this over spawn(), transition(), finish(),
// kill(), signal() and give_up(); here every (state, event) pair is one cell of
// kActions below, and each cell is a small function named for what it does. The
// helpers above the table are Supervisor's methods, with its log lines verbatim.

namespace process {

namespace {

using config::LogLevel;

constexpr WallTime kAtOnce = 0;  // a deadline already passed: tick at once

// The working set of one step: what every action reads and writes.
struct Transition {
  const config::ProcessConfig& config;
  const Event& event;
  Moment moment;
  Step step;

  ProcessRecord& record() { return step.record; }
  const std::string& name() const { return config.name; }
  WallTime now() const { return moment.now; }
  std::string pidText() const { return std::to_string(step.record.pid); }

  // Appends a decision. Built in place: g++ 12 warns (falsely) that a moved
  // variant temporary "may be used uninitialized".
  template <typename Kind>
  void decide(Kind decision) {
    step.decisions.emplace_back(std::in_place_type<Kind>, std::move(decision));
  }
  void log(LogLevel level, std::string text) { decide(Log{level, std::move(text)}); }
  void refuse(std::string why) { step.refusal = std::move(why); }
  const RestartAdvice& advice() const { return moment.advice; }
  const config::PolicyConfig& policy() const { return config.policy; }
  // The wait before the retry that the `backoff` counter now asks for.
  double retryDelay() const {
    return advice().retryDelay >= 0 ? advice().retryDelay : static_cast<double>(step.record.backoff);
  }

  // change_state(): entering BACKOFF counts a try and waits that many seconds.
  void changeState(ProcessState to, bool expected = true) {
    ProcessRecord& r = record();
    if (r.state == to) return;
    ProcessState from = r.state;
    r.state = to;
    if (to == ProcessState::Backoff) {
      r.backoff += 1;
      r.delay = now() + retryDelay();
    }
    decide(StateChanged{from, to, expected, r.backoff, r.pid});
  }
};

using Action = void (*)(Transition&);

// ---- Our restart-policy rules ---------------------------------------------------------

// Whether crashes after startsecs count as failures (their restart waits a backoff
// delay, and the counter survives RUNNING until backoff_reset).
bool countsCrashes(const config::ProcessConfig& config) {
  const auto& p = config.policy;
  return p.restartBudget || p.backoff == config::Backoff::Exponential || p.backoffReset > 0;
}

// After how many seconds of uptime the try counter resets: backoff_reset, else (when
// crashes count) backoff_max, Pebble's convention; 0 = at RUNNING, as Supervisor.
double resetAfter(const config::ProcessConfig& config) {
  const auto& p = config.policy;
  if (p.backoffReset > 0) return p.backoffReset;
  return countsCrashes(config) ? p.backoffMax : 0;
}

// startretries = -1: never give up.
bool givesUp(const config::ProcessConfig& config, const ProcessRecord& record) {
  return config.startretries >= 0 && record.backoff > config.startretries;
}

// ---- Supervisor's methods ----------------------------------------------------------

WallTime startsecsDeadline(const config::ProcessConfig& config, const ProcessRecord& record) {
  return record.laststart + config.startsecs;
}

bool isExpectedExit(const config::ProcessConfig& config, std::optional<int> exitstatus) {
  return exitstatus && std::find(config.exitcodes.begin(), config.exitcodes.end(), *exitstatus) !=
                           config.exitcodes.end();
}

// transition()'s EXITED rule: autorestart=true always, unexpected unless the exit
// code is in exitcodes.
bool wantsRestart(const config::ProcessConfig& config, const ProcessRecord& record) {
  switch (config.autorestart) {
    case config::AutoRestart::Always: return true;
    case config::AutoRestart::Unexpected: return !isExpectedExit(config, record.exitstatus);
    case config::AutoRestart::Never: return false;
  }
  return false;
}

// _check_and_adjust_for_system_clock_rollback(): if the wall clock went back,
// pull the pending times back with it so that nothing waits for hours.
void adjustForClockRollback(Transition& t) {
  ProcessRecord& r = t.record();
  const WallTime now = t.now();
  switch (r.state) {
    case ProcessState::Starting:
      if (now < r.laststart) r.laststart = now;
      if (r.delay > 0 && now < r.delay - t.config.startsecs) r.delay = now + t.config.startsecs;
      break;
    case ProcessState::Running:
      if (now > r.laststart && now < r.laststart + t.config.startsecs) r.laststart = now - t.config.startsecs;
      break;
    case ProcessState::Stopping:
      if (now < r.laststopreport) r.laststopreport = now;
      if (r.delay > 0 && now < r.delay - t.config.stopwaitsecs) r.delay = now + t.config.stopwaitsecs;
      break;
    case ProcessState::Backoff:
      if (r.delay > 0 && now < r.delay - r.backoff) r.delay = now + r.backoff;
      break;
    default: break;
  }
}

// spawn(), up to the fork: the shell forks and answers Spawned or SpawnFailed.
void spawn(Transition& t) {
  ProcessRecord& r = t.record();
  r.killing = false;
  r.spawnerr.clear();
  r.exitstatus.reset();
  r.systemStop = false;
  r.administrativeStop = false;
  r.pendingRestart = ProcessRecord::PendingRestart::None;
  r.restartReason.clear();
  r.awaitingGroup = false;
  r.laststart = t.now();
  t.changeState(ProcessState::Starting);
  t.decide(Spawn{});
}

// transition()'s STARTING -> RUNNING. With backoff_reset the try counter survives
// until the process has stayed up that long.
void enterRunning(Transition& t, const std::string& readiness = "") {
  ProcessRecord& r = t.record();
  r.delay = 0;
  if (resetAfter(t.config) <= 0) r.backoff = 0;
  r.runningSince = t.now();
  t.changeState(ProcessState::Running);
  if (readiness.empty())
    t.log(LogLevel::Info, "success: " + t.name() + " entered RUNNING state, process has stayed up for > than " +
                              std::to_string(t.config.startsecs) + " seconds (startsecs)");
  else
    t.log(LogLevel::Info, "success: " + t.name() + " entered RUNNING state, process is ready (" + readiness + ")");
}

// give_up(). With fatal_retry, `delay` is when it starts again.
void enterFatal(Transition& t) {
  ProcessRecord& r = t.record();
  r.delay = t.policy().fatalRetry ? t.now() + *t.policy().fatalRetry : 0;
  r.backoff = 0;
  r.systemStop = true;
  r.awaitingGroup = false;
  t.changeState(ProcessState::Fatal);
}

// An automatic restart (retry, autorestart, probe restart, fatal_retry): counted
// against the budget by the shell.
void spawnAutomatically(Transition& t);

// The restart would spend restart_budget: FATAL now, and the shell escalates.
void spendBudget(Transition& t) {
  const auto& budget = t.policy().restartBudget;
  std::string reason = "restart budget spent";
  if (budget)
    reason += " (more than " + std::to_string(budget->restarts) + " restarts in " + common::secondsText(budget->seconds) +
              " seconds)";
  enterFatal(t);
  t.record().spawnerr = reason;
  t.log(LogLevel::Info, "gave up: " + t.name() + " entered FATAL state, " + reason);
  t.decide(GaveUp{reason});
}

// The process must restart now (its backoff delay is over): itself, or by its group.
void restartNow(Transition& t) {
  if (t.advice().groupRestarts) {
    t.record().awaitingGroup = true;
    t.decide(GroupRestartWanted{});
  } else {
    spawnAutomatically(t);
  }
}

// kill(sig) for a process with a pid in RUNNING, STARTING or STOPPING: the first
// signal goes to the group if stopasgroup, later ones (SIGKILL) if killasgroup.
void kill(Transition& t, int signal) {
  ProcessRecord& r = t.record();
  const bool toGroup = r.state == ProcessState::Stopping ? t.config.killasgroup : t.config.stopasgroup;
  t.log(LogLevel::Debug, "killing " + t.name() + " (pid " + t.pidText() + ") " +
                             (toGroup ? "process group " : "") + "with signal " + signame(signal));
  r.killing = true;
  r.delay = t.now() + t.config.stopwaitsecs;
  t.changeState(ProcessState::Stopping);
  t.decide(SendSignal{r.pid, signal, toGroup, SignalPurpose::Kill});
}

// stop()'s bookkeeping before kill(stopsignal). An operator's stop cancels a
// probe's restart.
void markAdministrativeStop(Transition& t) {
  t.record().administrativeStop = true;
  t.record().laststopreport = 0;
  t.record().pendingRestart = ProcessRecord::PendingRestart::None;
  t.record().awaitingGroup = false;
}

void spawnAutomatically(Transition& t) {
  t.decide(RestartCounted{});
  spawn(t);
}

// finish(), the part every exit shares: when it died, how, and whether it was
// "too quickly" (before startsecs).
struct Death {
  WaitStatus status;
  bool expected;     // exit code in exitcodes
  bool tooQuickly;   // died before startsecs
};

Death beginFinish(Transition& t) {
  ProcessRecord& r = t.record();
  Death death{decodeWaitStatus(std::get<Exited>(t.event).waitStatus), false, false};
  adjustForClockRollback(t);
  r.laststop = t.now();
  if (t.now() > r.laststart) {
    death.tooQuickly = t.now() < startsecsDeadline(t.config, r);
  } else {
    t.log(LogLevel::Warn, "process '" + t.name() + "' (" + t.pidText() +
                              ") laststart time is in the future, don't know how long process was running so "
                              "assuming it did not exit too quickly");
  }
  death.expected = isExpectedExit(t.config, death.status.exitstatus);
  return death;
}

// finish()'s RUNNING -> EXITED (after STARTING -> RUNNING if it was not promoted yet).
// Ours: when crashes count, an unexpected exit is a failure: its restart waits the
// backoff delay, or spends the budget.
void enterExited(Transition& t, const Death& death) {
  ProcessRecord& r = t.record();
  const bool counts = countsCrashes(t.config);
  r.delay = 0;
  if (!counts) r.backoff = 0;
  r.exitstatus = death.status.exitstatus;
  if (r.state == ProcessState::Starting) t.changeState(ProcessState::Running);
  if (death.expected) {
    t.changeState(ProcessState::Exited, true);
    t.log(LogLevel::Info, "exited: " + t.name() + " (" + death.status.message + "; expected)");
  } else {
    r.spawnerr = "Bad exit code " + std::to_string(death.status.exitstatus);
    t.changeState(ProcessState::Exited, false);
    t.log(LogLevel::Warn, "exited: " + t.name() + " (" + death.status.message + "; not expected)");
  }
  if (counts && t.moment.supervisorRunning && wantsRestart(t.config, r)) {
    if (!death.expected) r.backoff += 1;
    r.delay = death.expected ? t.now() : t.now() + t.retryDelay();
    if (t.advice().budgetSpent) spendBudget(t);
  }
}

// ---- The cells of the table ---------------------------------------------------------

void nothing(Transition&) {}
void refuse(Transition& t);  // defined after the table, which it reads

// Start
void start(Transition& t) { spawn(t); }
void alreadyRunning(Transition& t) {
  std::string message = "process '" + t.name() + "' already running";
  t.log(LogLevel::Warn, message);
  t.refuse(message);
}

// Stop
void stop(Transition& t) {
  markAdministrativeStop(t);
  kill(t, t.config.stopsignal);
}
// A stop must not wait for startretries more failures: BACKOFF -> STOPPED at once.
void stopInBackoff(Transition& t) {
  markAdministrativeStop(t);
  t.log(LogLevel::Debug, "Attempted to kill " + t.name() + ", which is in BACKOFF state.");
  t.changeState(ProcessState::Stopped);
}
// Ours: an EXITED process waiting out its backoff delay (or its group's restart),
// and a FATAL one waiting for fatal_retry, would start again by themselves: a stop
// cancels that, like a stop in BACKOFF, and leaves them STOPPED.
void stopNotRunning(Transition& t);
void stopPendingRestart(Transition& t) {
  if (!restartPending(t.config, t.record())) return stopNotRunning(t);
  markAdministrativeStop(t);
  t.record().systemStop = false;
  t.record().delay = 0;
  t.log(LogLevel::Debug, "Attempted to kill " + t.name() + ", which is waiting to restart: restart cancelled.");
  t.changeState(ProcessState::Stopped);
}
void stopNotRunning(Transition& t) {
  std::string message =
      "attempted to kill " + t.name() + " with sig " + signame(t.config.stopsignal) + " but it wasn't running";
  t.log(LogLevel::Debug, message);
  t.refuse(message);
}

// Signal
void deliverSignal(Transition& t) {
  const int signal = std::get<Signal>(t.event).signal;
  t.log(LogLevel::Debug, "sending " + t.name() + " (pid " + t.pidText() + ") sig " + signame(signal));
  t.decide(SendSignal{t.record().pid, signal, false, SignalPurpose::Signal});
}
void signalNotRunning(Transition& t) {
  std::string message = "attempted to send " + t.name() + " sig " + signame(std::get<Signal>(t.event).signal) +
                        " but it wasn't running";
  t.log(LogLevel::Debug, message);
  t.refuse(message);
}

// GiveUp
void giveUp(Transition& t) {
  enterFatal(t);
  const std::string& reason = std::get<GiveUp>(t.event).reason;
  if (!reason.empty()) t.record().spawnerr = reason;
}
// Ours: a process waiting for its group to restart it is given up when the group
// escalates; otherwise GiveUp is refused here as in Supervisor.
void giveUpWaiting(Transition& t) {
  if (t.record().awaitingGroup)
    giveUp(t);
  else
    refuse(t);
}

// Spawned / SpawnFailed
void spawned(Transition& t) {
  ProcessRecord& r = t.record();
  r.pid = std::get<Spawned>(t.event).pid;
  t.log(LogLevel::Info, "spawned: '" + t.name() + "' with pid " + t.pidText());
  r.spawnerr.clear();
  r.delay = t.now() + t.config.startsecs;
  // startsecs = 0: RUNNING at once, as startProcess's own transition() call does.
  if (t.now() >= startsecsDeadline(t.config, r)) enterRunning(t);
}
void spawnFailed(Transition& t) {
  ProcessRecord& r = t.record();
  r.spawnerr = std::get<SpawnFailed>(t.event).message;
  t.log(LogLevel::Info, "spawnerr: " + r.spawnerr);
  t.changeState(ProcessState::Backoff);
  if (!givesUp(t.config, r) && t.advice().budgetSpent) spendBudget(t);
}

// Exited
void startingExited(Transition& t) {
  Death death = beginFinish(t);
  ProcessRecord& r = t.record();
  // With a readiness probe, any death before it is ready is a failed start.
  if (death.tooQuickly || t.policy().readinessProbe) {
    r.exitstatus.reset();
    r.spawnerr = "Exited too quickly (process log may have details)";
    t.changeState(ProcessState::Backoff);
    t.log(LogLevel::Warn, "exited: " + t.name() + " (" + death.status.message + "; not expected)");
    r.pid = 0;
    if (!givesUp(t.config, r) && t.advice().budgetSpent) spendBudget(t);
    return;
  } else {
    enterExited(t, death);  // up for startsecs, but no Tick promoted it yet
  }
  r.pid = 0;
}
void runningExited(Transition& t) {
  Death death = beginFinish(t);
  enterExited(t, death);
  t.record().pid = 0;
}
// The exit a stop asked for: STOPPING -> STOPPED, logged as a warning unless the
// exit code is in exitcodes (a signal never is: "stopped: x (terminated by SIGTERM)").
// Ours: a Restart's stop starts it again (or, for a readiness failure, counts a
// failed start: BACKOFF).
void stoppingExited(Transition& t) {
  Death death = beginFinish(t);
  ProcessRecord& r = t.record();
  r.killing = false;
  r.delay = 0;
  r.exitstatus = death.status.exitstatus;
  const auto pending = r.pendingRestart;
  r.pendingRestart = ProcessRecord::PendingRestart::None;
  if (pending == ProcessRecord::PendingRestart::FailedStart) {
    r.spawnerr = r.restartReason;
    t.changeState(ProcessState::Backoff);
    t.log(LogLevel::Warn, "stopped: " + t.name() + " (" + death.status.message + ")");
    r.pid = 0;
    if (!givesUp(t.config, r) && t.advice().budgetSpent) spendBudget(t);
    return;
  }
  t.changeState(ProcessState::Stopped);  // the event carries the pid that stopped
  t.log(death.expected ? LogLevel::Info : LogLevel::Warn, "stopped: " + t.name() + " (" + death.status.message + ")");
  r.pid = 0;
  if (pending == ProcessRecord::PendingRestart::Restart && t.moment.supervisorRunning) {
    r.backoff += 1;  // a liveness failure is a failure: backoff_reset clears it
    if (t.advice().budgetSpent)
      spendBudget(t);
    else
      restartNow(t);
  }
}
// Supervisor raises an AssertionError here; we record the exit and stay in
// UNKNOWN, which (as in Supervisor) only a restart of the daemon leaves.
void unknownExited(Transition& t) {
  Death death = beginFinish(t);
  ProcessRecord& r = t.record();
  r.killing = false;
  r.delay = 0;
  r.exitstatus = death.status.exitstatus;
  t.log(LogLevel::Warn, "exited: " + t.name() + " (" + death.status.message +
                            (death.expected ? "; expected)" : "; not expected)"));
  r.pid = 0;
}

// SignalFailed: ESRCH means it exited on its own and SIGCHLD will tell; anything
// else leaves us not knowing what the process is doing.
void signalFailed(Transition& t) {
  const auto& failure = std::get<SignalFailed>(t.event);
  ProcessRecord& r = t.record();
  const bool killing = failure.purpose == SignalPurpose::Kill;
  if (failure.errnum == ESRCH) {
    t.log(LogLevel::Debug, "unable to signal " + t.name() + " (pid " + t.pidText() + "), it probably just " +
                               (killing ? "" : "now ") + "exited on its own: " + failure.detail);
    return;
  }
  t.log(LogLevel::Critical, (killing ? "unknown problem killing " : "unknown problem sending sig ") + t.name() +
                                " (" + t.pidText() + "):" + failure.detail);
  t.changeState(ProcessState::Unknown);
  if (killing) {
    r.killing = false;
    r.delay = 0;
  }
}

// Tick: transition(). Starting anything needs supervisord's mood to be RUNNING.
void autostart(Transition& t) {
  if (t.moment.supervisorRunning && t.record().laststart == 0 && t.config.autostart && !t.advice().startGated)
    spawn(t);
}
// With a readiness probe, only Ready promotes.
void promote(Transition& t) {
  adjustForClockRollback(t);
  if (!t.policy().readinessProbe && t.now() >= startsecsDeadline(t.config, t.record())) enterRunning(t);
}
void retryOrGiveUp(Transition& t) {
  adjustForClockRollback(t);
  ProcessRecord& r = t.record();
  if (givesUp(t.config, r)) {
    enterFatal(t);
    t.log(LogLevel::Info, "gave up: " + t.name() + " entered FATAL state, too many start retries too quickly");
    t.decide(GaveUp{r.spawnerr});
  } else if (t.moment.supervisorRunning && !r.awaitingGroup && t.now() >= r.delay) {
    restartNow(t);
  }
}
// Ours: backoff_reset seconds of uptime clear the try counter.
void stableUptime(Transition& t) {
  ProcessRecord& r = t.record();
  const double after = resetAfter(t.config);
  if (after > 0 && r.backoff > 0 && t.now() >= r.runningSince + after) {
    r.backoff = 0;
    t.log(LogLevel::Debug, t.name() + " has stayed up for " + common::secondsText(after) + " seconds (backoff_reset): tries reset");
  }
}
// Ours: fatal_retry starts a FATAL process again, with a fresh try counter.
void retryFromFatal(Transition& t) {
  ProcessRecord& r = t.record();
  if (!t.policy().fatalRetry || !r.systemStop || !t.moment.supervisorRunning || t.now() < r.delay) return;
  t.log(LogLevel::Info, "retrying " + t.name() + " from FATAL state (fatal_retry)");
  r.backoff = 0;
  spawnAutomatically(t);
}
// A process that outlives stopwaitsecs gets SIGKILL, again every stopwaitsecs if
// even that does not reap it (it then stays STOPPING).
void escalate(Transition& t) {
  adjustForClockRollback(t);
  if (t.now() < t.record().delay) return;
  t.log(LogLevel::Warn, "killing '" + t.name() + "' (" + t.pidText() + ") with SIGKILL");
  kill(t, SIGKILL);
}
void autorestart(Transition& t) {
  ProcessRecord& r = t.record();
  if (!t.moment.supervisorRunning || !wantsRestart(t.config, r) || r.awaitingGroup) return;
  if (countsCrashes(t.config) && t.now() < r.delay) return;  // its backoff delay
  restartNow(t);
}

// Restart (ours): a probe gave up on it. STARTING: a failed start; RUNNING: restart.
void restartStarting(Transition& t) {
  ProcessRecord& r = t.record();
  r.restartReason = std::get<Restart>(t.event).reason;
  t.log(LogLevel::Warn, "not ready: " + t.name() + " (" + r.restartReason + "), stopping it");
  kill(t, t.config.stopsignal);
  r.pendingRestart = ProcessRecord::PendingRestart::FailedStart;
}
void restartRunning(Transition& t) {
  ProcessRecord& r = t.record();
  r.restartReason = std::get<Restart>(t.event).reason;
  t.log(LogLevel::Warn, "restarting: " + t.name() + " (" + r.restartReason + ")");
  kill(t, t.config.stopsignal);
  r.pendingRestart = ProcessRecord::PendingRestart::Restart;
}
// Ready (ours): the readiness probe promotes a STARTING process.
void ready(Transition& t) {
  if (t.policy().readinessProbe && t.record().pid != 0) enterRunning(t, std::get<Ready>(t.event).detail);
}

// StopReport: stop_report(), at most every 2 seconds.
void reportStopping(Transition& t) {
  adjustForClockRollback(t);
  ProcessRecord& r = t.record();
  if (t.now() > r.laststopreport + 2) {
    t.log(LogLevel::Info, "waiting for " + t.name() + " to stop");
    r.laststopreport = t.now();
  }
}

// ---- The table -----------------------------------------------------------------------

constexpr std::size_t kEventCount = std::variant_size_v<Event>;
constexpr std::size_t kStateCount = std::size(kAllProcessStates);

// Rows: kAllProcessStates. Columns: the alternatives of Event, in order.
// clang-format off
constexpr Action kActions[kStateCount][kEventCount] = {
    //              Start            Stop                 Signal             GiveUp          Spawned   SpawnFailed   Exited           SignalFailed   Tick             StopReport       Restart           Ready
    /* STOPPED  */ {start,           stopPendingRestart,  signalNotRunning,  giveUpWaiting,  refuse,   refuse,       refuse,          refuse,        autostart,       nothing,         nothing,          nothing},
    /* STARTING */ {alreadyRunning,  stop,                deliverSignal,     refuse,         spawned,  spawnFailed,  startingExited,  signalFailed,  promote,         nothing,         restartStarting,  ready},
    /* RUNNING  */ {alreadyRunning,  stop,                deliverSignal,     refuse,         refuse,   refuse,       runningExited,   signalFailed,  stableUptime,    nothing,         restartRunning,   nothing},
    /* BACKOFF  */ {start,           stopInBackoff,       signalNotRunning,  giveUp,         refuse,   refuse,       refuse,          refuse,        retryOrGiveUp,   nothing,         nothing,          nothing},
    /* STOPPING */ {alreadyRunning,  stop,                deliverSignal,     refuse,         refuse,   refuse,       stoppingExited,  signalFailed,  escalate,        reportStopping,  nothing,          nothing},
    /* EXITED   */ {start,           stopPendingRestart,  signalNotRunning,  giveUpWaiting,  refuse,   refuse,       refuse,          refuse,        autorestart,     nothing,         nothing,          nothing},
    /* FATAL    */ {start,           stopPendingRestart,  signalNotRunning,  refuse,         refuse,   refuse,       refuse,          refuse,        retryFromFatal,  nothing,         nothing,          nothing},
    /* UNKNOWN  */ {refuse,          stopNotRunning,      signalNotRunning,  refuse,         refuse,   refuse,       unknownExited,   refuse,        nothing,         nothing,         nothing,          nothing},
};
// clang-format on

std::size_t rowOf(ProcessState state) {
  for (std::size_t row = 0; row < kStateCount; ++row)
    if (kAllProcessStates[row] == state) return row;
  return kStateCount - 1;  // not reachable: every enumerator is a row
}

bool isRefusal(Action action) {
  // giveUpWaiting accepts GiveUp only in a rare case of ours: Supervisor's wording lists BACKOFF alone.
  return action == refuse || action == alreadyRunning || action == stopNotRunning || action == signalNotRunning ||
         action == giveUpWaiting;
}

// An event no state of the table expects here is a bug in the shell; worded as
// Supervisor's _assertInState() words it, listing the states that do accept it.
void refuse(Transition& t) {
  const std::size_t column = t.event.index();
  std::string accepted;
  for (std::size_t row = 0; row < kStateCount; ++row) {
    if (isRefusal(kActions[row][column])) continue;
    if (!accepted.empty()) accepted += ' ';
    accepted += stateName(kAllProcessStates[row]);
  }
  t.refuse("Assertion failed for " + t.name() + ": " + std::string(stateName(t.record().state)) + " not in " +
           accepted);
}

}  // namespace

Step handle(const config::ProcessConfig& config, const ProcessRecord& record, const Event& event,
            const Moment& moment) {
  Transition t{config, event, moment, Step{record, {}, std::nullopt, std::nullopt}};
  kActions[rowOf(record.state)][event.index()](t);
  if (t.step.refusal) t.step.record = record;
  t.step.wakeAt = nextDeadline(config, t.step.record, moment.supervisorRunning, moment.advice);
  return std::move(t.step);
}

bool restartPending(const config::ProcessConfig& config, const ProcessRecord& record) {
  switch (record.state) {
    case ProcessState::Exited:
      return wantsRestart(config, record) && (countsCrashes(config) || record.awaitingGroup);
    case ProcessState::Fatal:
      return config.policy.fatalRetry.has_value() && record.systemStop;
    case ProcessState::Backoff:
    case ProcessState::Stopped:
      return record.awaitingGroup;
    default:
      return false;
  }
}

std::optional<WallTime> nextDeadline(const config::ProcessConfig& config, const ProcessRecord& record,
                                     bool supervisorRunning, const RestartAdvice& advice) {
  switch (record.state) {
    case ProcessState::Stopped:
      if (supervisorRunning && record.laststart == 0 && config.autostart && !advice.startGated) return kAtOnce;
      return std::nullopt;
    case ProcessState::Starting:
      if (record.pid == 0) return std::nullopt;  // waiting for Spawned, not for time
      if (config.policy.readinessProbe) return std::nullopt;  // waiting for Ready
      return startsecsDeadline(config, record);
    case ProcessState::Backoff:
      if (givesUp(config, record)) return kAtOnce;
      if (supervisorRunning && !record.awaitingGroup) return record.delay;
      return std::nullopt;
    case ProcessState::Stopping:
      return record.delay;
    case ProcessState::Exited:
      if (!supervisorRunning || !wantsRestart(config, record) || record.awaitingGroup) return std::nullopt;
      return countsCrashes(config) ? record.delay : kAtOnce;
    case ProcessState::Running:
      if (resetAfter(config) > 0 && record.backoff > 0) return record.runningSince + resetAfter(config);
      return std::nullopt;
    case ProcessState::Fatal:
      if (config.policy.fatalRetry && record.systemStop && supervisorRunning) return record.delay;
      return std::nullopt;
    case ProcessState::Unknown:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace process
