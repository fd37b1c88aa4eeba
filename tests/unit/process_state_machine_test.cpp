#include "supervisord/process/process_state_machine.h"

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "supervisord/process/process_description.h"
#include "supervisord/process/process_state.h"
#include "supervisord/process/signal_names.h"
#include "supervisord/process/wait_status.h"

#include "supervised_process_fake.h"

using namespace process;
using process::testing::Strings;
using process::testing::Supervised;
using process::testing::exitCode;
using process::testing::killedBy;

// ---- states, names, signals, wait statuses -------------------------------------------------

TEST_CASE("process states have Supervisor's codes, names and groupings", "[process]") {
  CHECK(static_cast<int>(ProcessState::Stopped) == 0);
  CHECK(static_cast<int>(ProcessState::Starting) == 10);
  CHECK(static_cast<int>(ProcessState::Running) == 20);
  CHECK(static_cast<int>(ProcessState::Backoff) == 30);
  CHECK(static_cast<int>(ProcessState::Stopping) == 40);
  CHECK(static_cast<int>(ProcessState::Exited) == 100);
  CHECK(static_cast<int>(ProcessState::Fatal) == 200);
  CHECK(static_cast<int>(ProcessState::Unknown) == 1000);
  Strings names;
  for (ProcessState state : kAllProcessStates) names.emplace_back(stateName(state));
  CHECK(names == Strings{"STOPPED", "STARTING", "RUNNING", "BACKOFF", "STOPPING", "EXITED", "FATAL", "UNKNOWN"});
  CHECK(processStateFromCode(30) == ProcessState::Backoff);
  CHECK_FALSE(processStateFromCode(31));

  auto members = [](bool (*in)(ProcessState)) {
    Strings out;
    for (ProcessState state : kAllProcessStates)
      if (in(state)) out.emplace_back(stateName(state));
    return out;
  };
  CHECK(members(isStoppedState) == Strings{"STOPPED", "EXITED", "FATAL", "UNKNOWN"});
  CHECK(members(isRunningState) == Strings{"STARTING", "RUNNING", "BACKOFF"});
  CHECK(members(isSignallableState) == Strings{"STARTING", "RUNNING", "STOPPING"});

  CHECK(static_cast<int>(SupervisorState::Fatal) == 2);
  CHECK(static_cast<int>(SupervisorState::Running) == 1);
  CHECK(static_cast<int>(SupervisorState::Restarting) == 0);
  CHECK(static_cast<int>(SupervisorState::Shutdown) == -1);
  CHECK(supervisorStateName(SupervisorState::Restarting) == "RESTARTING");
  CHECK(supervisorStateName(SupervisorState::Shutdown) == "SHUTDOWN");
}

TEST_CASE("signame names signals as Python's signal module does on Linux", "[process]") {
  CHECK(signame(SIGTERM) == "SIGTERM");
  CHECK(signame(SIGKILL) == "SIGKILL");
  CHECK(signame(SIGHUP) == "SIGHUP");
  CHECK(signame(6) == "SIGABRT");
  CHECK(signame(29) == "SIGPOLL");
  CHECK(signame(17) == "SIGCHLD");
  CHECK(signame(34) == "SIGRTMIN");
  CHECK(signame(64) == "SIGRTMAX");
  CHECK(signame(33) == "signal 33");
  CHECK(signame(0) == "signal 0");
  CHECK(signame(99) == "signal 99");
}

TEST_CASE("wait statuses decode to Supervisor's exit status and wording", "[process]") {
  auto exited = decodeWaitStatus(exitCode(3));
  CHECK(exited.exitstatus == 3);
  CHECK(exited.message == "exit status 3");
  auto killed = decodeWaitStatus(killedBy(SIGKILL));
  CHECK(killed.exitstatus == -1);
  CHECK(killed.message == "terminated by SIGKILL");
  auto cored = decodeWaitStatus(killedBy(SIGSEGV) | 0x80);
  CHECK(cored.exitstatus == -1);
  CHECK(cored.message == "terminated by SIGSEGV (core dumped)");
  auto stopped = decodeWaitStatus(0x137f);  // WIFSTOPPED: not an exit at all
  CHECK(stopped.message == "unknown termination cause 0x137f");
}

// ---- starting ---------------------------------------------------------------------------------

TEST_CASE("an autostart process is spawned on the first tick and RUNNING once up for startsecs", "[process]") {
  Supervised p;
  CHECK(nextDeadline(p.config, p.record, true) == 0.0);  // due at once

  p.runUntil(1000);
  CHECK(p.state() == ProcessState::Starting);
  CHECK(p.record.pid == 100);
  CHECK(p.record.laststart == 1000);
  CHECK(p.log == Strings{"INFO spawned: 'x' with pid 100"});
  CHECK(nextDeadline(p.config, p.record, true) == 1001.0);

  p.runUntil(1000.9);
  CHECK(p.state() == ProcessState::Starting);
  p.runUntil(1001);
  CHECK(p.state() == ProcessState::Running);
  CHECK(p.transitions() == Strings{"STOPPED->STARTING", "STARTING->RUNNING"});
  CHECK(p.log.back() ==
        "INFO success: x entered RUNNING state, process has stayed up for > than 1 seconds (startsecs)");
  CHECK(p.changes.back().pid == 100);
  CHECK_FALSE(nextDeadline(p.config, p.record, true));  // a running process needs no timer
}

TEST_CASE("autostart=false waits for a start request; a started-then-stopped process is not autostarted",
          "[process]") {
  Supervised p;
  p.config.autostart = false;
  CHECK_FALSE(nextDeadline(p.config, p.record, true));
  p.runFor(60);
  CHECK(p.state() == ProcessState::Stopped);

  p.feed(Start{});
  CHECK(p.state() == ProcessState::Starting);
  CHECK(p.log == Strings{"INFO spawned: 'x' with pid 100"});
}

TEST_CASE("startsecs=0 makes a process RUNNING as soon as it is spawned", "[process]") {
  Supervised p;
  p.config.startsecs = 0;
  p.runUntil(1000);
  CHECK(p.state() == ProcessState::Running);
  CHECK(p.log == Strings{"INFO spawned: 'x' with pid 100",
                         "INFO success: x entered RUNNING state, process has stayed up for > than 0 seconds "
                         "(startsecs)"});
}

TEST_CASE("a process that dies before startsecs backs off 1, 2, 3 s, then is FATAL after startretries+1 attempts",
          "[process]") {
  Supervised p;  // startsecs=1, startretries=3
  p.runUntil(1000);
  for (int attempt = 0; attempt < 10 && p.state() == ProcessState::Starting; ++attempt) {
    p.exitAt(p.clock + 0.25, exitCode(1));
    REQUIRE(p.state() == ProcessState::Backoff);
    p.runUntil(*nextDeadline(p.config, p.record, true));  // the retry, or giving up
  }
  CHECK(p.state() == ProcessState::Fatal);
  // Four attempts: each retry waits one second more than the last after the exit.
  CHECK(p.spawnTimes == std::vector<WallTime>{1000, 1001.25, 1003.5, 1006.75});
  CHECK(p.transitions() == Strings{"STOPPED->STARTING", "STARTING->BACKOFF", "BACKOFF->STARTING",
                                   "STARTING->BACKOFF", "BACKOFF->STARTING", "STARTING->BACKOFF",
                                   "BACKOFF->STARTING", "STARTING->BACKOFF", "BACKOFF->FATAL"});
  std::vector<int> tries;
  for (const auto& change : p.changes) tries.push_back(change.tries);
  CHECK(tries == std::vector<int>{0, 1, 1, 2, 2, 3, 3, 4, 0});
  CHECK(p.log == Strings{
                     "INFO spawned: 'x' with pid 100",
                     "WARN exited: x (exit status 1; not expected)",
                     "INFO spawned: 'x' with pid 101",
                     "WARN exited: x (exit status 1; not expected)",
                     "INFO spawned: 'x' with pid 102",
                     "WARN exited: x (exit status 1; not expected)",
                     "INFO spawned: 'x' with pid 103",
                     "WARN exited: x (exit status 1; not expected)",
                     "INFO gave up: x entered FATAL state, too many start retries too quickly",
                 });
  CHECK(p.record.spawnerr == "Exited too quickly (process log may have details)");
  CHECK(p.record.backoff == 0);
  CHECK(p.record.systemStop);
  CHECK_FALSE(nextDeadline(p.config, p.record, true));  // FATAL is terminal until a start request
  CHECK(processDescription(p.record, "x", p.clock) == "Exited too quickly (process log may have details)");
}

TEST_CASE("startretries=0 gives up after a single attempt", "[process]") {
  Supervised p;
  p.config.startretries = 0;
  p.runUntil(1000);
  p.exitAt(1000.5, exitCode(0));  // even an expected exit code is "too quickly"
  CHECK(p.state() == ProcessState::Backoff);
  CHECK(p.record.exitstatus == std::nullopt);
  CHECK(nextDeadline(p.config, p.record, true) == 0.0);
  p.runUntil(p.clock);
  CHECK(p.state() == ProcessState::Fatal);
  CHECK(p.spawnTimes.size() == 1);
}

TEST_CASE("a spawn error goes to BACKOFF with its spawnerr and counts as a try", "[process]") {
  Supervised p;
  p.spawnError = "Too many processes in process table to spawn 'x'";
  p.runUntil(1000);
  CHECK(p.state() == ProcessState::Backoff);
  CHECK(p.record.backoff == 1);
  CHECK(p.record.delay == 1001);
  CHECK(p.log == Strings{"INFO spawnerr: Too many processes in process table to spawn 'x'"});
  CHECK(processDescription(p.record, "x", p.clock) == "Too many processes in process table to spawn 'x'");

  p.runFor(30);
  CHECK(p.state() == ProcessState::Fatal);
  CHECK(p.spawnTimes == std::vector<WallTime>{1000, 1001, 1003, 1006});
  CHECK(processDescription(p.record, "x", p.clock) == "Too many processes in process table to spawn 'x'");
}

TEST_CASE("a process that crashes after startsecs is restarted at once, forever, never FATAL", "[process]") {
  Supervised p;  // autorestart=unexpected, startretries=3
  p.runUntil(1000);
  for (int crash = 0; crash < 10; ++crash) {
    p.runFor(1.5);
    REQUIRE(p.state() == ProcessState::Running);
    p.exitAt(p.clock, exitCode(1));
    REQUIRE(p.state() == ProcessState::Exited);
    CHECK(nextDeadline(p.config, p.record, true) == 0.0);
    p.runUntil(p.clock);
    REQUIRE(p.state() == ProcessState::Starting);
    CHECK(p.record.backoff == 0);
  }
  CHECK(p.spawnTimes.size() == 11);
}

// ---- exits of a running process ---------------------------------------------------------------

TEST_CASE("RUNNING -> EXITED: expected means the exit code is in exitcodes; autorestart decides the restart",
          "[process]") {
  struct Case {
    config::AutoRestart autorestart;
    int waitStatus;
    bool expected;
    std::string line;
    bool restarted;
  };
  using config::AutoRestart;
  const std::vector<Case> cases = {
      {AutoRestart::Never, exitCode(0), true, "INFO exited: x (exit status 0; expected)", false},
      {AutoRestart::Never, exitCode(1), false, "WARN exited: x (exit status 1; not expected)", false},
      {AutoRestart::Never, killedBy(SIGKILL), false, "WARN exited: x (terminated by SIGKILL; not expected)", false},
      {AutoRestart::Unexpected, exitCode(0), true, "INFO exited: x (exit status 0; expected)", false},
      {AutoRestart::Unexpected, exitCode(1), false, "WARN exited: x (exit status 1; not expected)", true},
      {AutoRestart::Unexpected, killedBy(SIGKILL), false, "WARN exited: x (terminated by SIGKILL; not expected)",
       true},
      {AutoRestart::Always, exitCode(0), true, "INFO exited: x (exit status 0; expected)", true},
      {AutoRestart::Always, exitCode(1), false, "WARN exited: x (exit status 1; not expected)", true},
      {AutoRestart::Always, killedBy(SIGKILL), false, "WARN exited: x (terminated by SIGKILL; not expected)",
       true},
  };
  for (const Case& c : cases) {
    CAPTURE(static_cast<int>(c.autorestart), c.waitStatus);
    Supervised p;
    p.config.autorestart = c.autorestart;
    p.runUntil(1002);
    REQUIRE(p.state() == ProcessState::Running);
    p.clearHistory();

    p.exitAt(1010, c.waitStatus);
    CHECK(p.state() == ProcessState::Exited);
    CHECK(p.log == Strings{c.line});
    REQUIRE(p.changes.size() == 1);
    CHECK(p.changes[0].expected == c.expected);
    CHECK(p.changes[0].pid == 100);  // the EXITED event names the pid that died
    CHECK(p.record.pid == 0);
    CHECK(p.record.laststop == 1010);
    CHECK(p.record.spawnerr == (c.expected ? "" : "Bad exit code " + std::to_string(*p.record.exitstatus)));

    p.runFor(5);
    CHECK(p.state() == (c.restarted ? ProcessState::Running : ProcessState::Exited));
    if (c.restarted) CHECK(p.spawnTimes == std::vector<WallTime>{1010});  // at once, no backoff
  }
}

TEST_CASE("exitcodes lists every expected exit code", "[process]") {
  Supervised p;
  p.config.exitcodes = {1, 2};
  p.runUntil(1002);
  p.exitAt(1003, exitCode(2));
  CHECK(p.log.back() == "INFO exited: x (exit status 2; expected)");
  CHECK(p.record.exitstatus == 2);
  p.runFor(5);
  CHECK(p.state() == ProcessState::Exited);  // autorestart=unexpected
}

TEST_CASE("an exit after startsecs that no tick has promoted yet is RUNNING -> EXITED, not BACKOFF",
          "[process]") {
  Supervised p;
  p.runUntil(1000);
  p.exitAt(1001.5, exitCode(0));  // no Tick at 1001
  CHECK(p.transitions() == Strings{"STOPPED->STARTING", "STARTING->RUNNING", "RUNNING->EXITED"});
  CHECK(p.log.back() == "INFO exited: x (exit status 0; expected)");
}

// ---- stopping ---------------------------------------------------------------------------------

TEST_CASE("stop sends stopsignal, STOPPING -> STOPPED when reaped, logged as a warning for a signal death",
          "[process]") {
  Supervised p;
  p.runUntil(1002);
  p.clearHistory();
  p.at(1005, Stop{});
  CHECK(p.state() == ProcessState::Stopping);
  REQUIRE(p.signals.size() == 1);
  CHECK(p.signals[0].pid == 100);
  CHECK(p.signals[0].signal == SIGTERM);
  CHECK_FALSE(p.signals[0].toGroup);
  CHECK(p.debugLog == Strings{"DEBG killing x (pid 100) with signal SIGTERM"});
  CHECK(p.record.administrativeStop);
  CHECK(nextDeadline(p.config, p.record, true) == 1015.0);  // stopwaitsecs=10

  p.exitAt(1006, killedBy(SIGTERM));
  CHECK(p.state() == ProcessState::Stopped);
  CHECK(p.transitions() == Strings{"RUNNING->STOPPING", "STOPPING->STOPPED"});
  CHECK(p.changes.back().pid == 100);
  CHECK(p.log == Strings{"WARN stopped: x (terminated by SIGTERM)"});
  CHECK(p.record.exitstatus == -1);
  CHECK_FALSE(nextDeadline(p.config, p.record, true));  // no autostart after a stop, no SIGKILL timer
}

TEST_CASE("a stopped process whose exit code is in exitcodes is logged at info", "[process]") {
  Supervised p;
  p.runUntil(1002);
  p.feed(Stop{});
  p.exitAt(1003, exitCode(0));
  CHECK(p.log.back() == "INFO stopped: x (exit status 0)");
}

TEST_CASE("a process that ignores stopsignal gets SIGKILL after stopwaitsecs, and again until reaped",
          "[process]") {
  Supervised p;
  p.config.stopsignal = SIGINT;
  p.config.stopwaitsecs = 5;
  p.runUntil(1002);
  p.clearHistory();
  p.at(1010, Stop{});
  p.runUntil(1014.9);
  CHECK(p.signals.size() == 1);
  p.runUntil(1015);
  REQUIRE(p.signals.size() == 2);
  CHECK(p.signals[1].signal == SIGKILL);
  CHECK_FALSE(p.signals[1].toGroup);
  CHECK(p.state() == ProcessState::Stopping);
  CHECK(p.log == Strings{"WARN killing 'x' (100) with SIGKILL"});
  CHECK(p.debugLog == Strings{"DEBG killing x (pid 100) with signal SIGINT", "WARN killing 'x' (100) with SIGKILL",
                              "DEBG killing x (pid 100) with signal SIGKILL"});
  p.runUntil(1020);  // even SIGKILL did not reap it: STOPPING forever, SIGKILL every stopwaitsecs
  CHECK(p.signals.size() == 3);
  CHECK(p.transitions() == Strings{"RUNNING->STOPPING"});

  p.exitAt(1021, killedBy(SIGKILL));
  CHECK(p.log.back() == "WARN stopped: x (terminated by SIGKILL)");
  CHECK(p.state() == ProcessState::Stopped);
}

TEST_CASE("stopasgroup signals the process group; killasgroup applies to the SIGKILL", "[process]") {
  Supervised p;
  SECTION("stopasgroup and killasgroup") {
    p.config.stopasgroup = true;
    p.config.killasgroup = true;
    p.runUntil(1002);
    p.feed(Stop{});
    p.runFor(10);
    REQUIRE(p.signals.size() == 2);
    CHECK(p.signals[0].toGroup);
    CHECK(p.signals[1].toGroup);
    CHECK(p.debugLog.back() == "DEBG killing x (pid 100) process group with signal SIGKILL");
  }
  SECTION("killasgroup only") {
    p.config.killasgroup = true;
    p.runUntil(1002);
    p.feed(Stop{});
    p.runFor(10);
    REQUIRE(p.signals.size() == 2);
    CHECK_FALSE(p.signals[0].toGroup);
    CHECK(p.signals[1].toGroup);
  }
}

TEST_CASE("a STARTING process can be stopped", "[process]") {
  Supervised p;
  p.runUntil(1000);
  p.at(1000.5, Stop{});
  CHECK(p.state() == ProcessState::Stopping);
  p.exitAt(1000.6, killedBy(SIGTERM));
  CHECK(p.state() == ProcessState::Stopped);  // not BACKOFF: the exit was asked for
  CHECK(p.transitions() == Strings{"STOPPED->STARTING", "STARTING->STOPPING", "STOPPING->STOPPED"});
}

TEST_CASE("stopping a BACKOFF process makes it STOPPED at once and cancels the retry", "[process]") {
  Supervised p;
  p.runUntil(1000);
  p.exitAt(1000.5, exitCode(1));
  REQUIRE(p.state() == ProcessState::Backoff);
  p.clearHistory();
  p.feed(Stop{});
  CHECK(p.state() == ProcessState::Stopped);
  CHECK(p.signals.empty());
  CHECK(p.debugLog == Strings{"DEBG Attempted to kill x, which is in BACKOFF state."});
  REQUIRE(p.changes.size() == 1);
  CHECK(p.changes[0].pid == 0);
  CHECK_FALSE(nextDeadline(p.config, p.record, true));
  p.runFor(60);
  CHECK(p.spawnTimes.empty());
  CHECK(p.record.backoff == 1);  // as in Supervisor, only RUNNING or FATAL reset the count
}

TEST_CASE("'waiting for x to stop' is reported at most every 2 seconds", "[process]") {
  Supervised p;
  p.runUntil(1002);
  p.at(1003, Stop{});
  p.clearHistory();
  for (WallTime t = 1003; t < 1008; t += 0.5) p.at(t, StopReport{});
  CHECK(p.log == Strings{"INFO waiting for x to stop", "INFO waiting for x to stop"});
}

// ---- start requests, signals, refusals --------------------------------------------------------

TEST_CASE("a FATAL, EXITED or STOPPED process can be started again, with its error cleared", "[process]") {
  Supervised p;
  p.config.autorestart = config::AutoRestart::Never;
  SECTION("FATAL") {
    p.spawnError = "bad";
    p.runFor(30);
    REQUIRE(p.state() == ProcessState::Fatal);
    p.spawnError.reset();
  }
  SECTION("EXITED") {
    p.runUntil(1002);
    p.exitAt(1003, exitCode(1));
    REQUIRE(p.state() == ProcessState::Exited);
  }
  SECTION("STOPPED") {
    p.runUntil(1002);
    p.feed(Stop{});
    p.exitAt(1003, killedBy(SIGTERM));
    REQUIRE(p.state() == ProcessState::Stopped);
  }
  p.at(1100, Start{});
  CHECK(p.state() == ProcessState::Starting);
  CHECK(p.record.spawnerr.empty());
  CHECK_FALSE(p.record.exitstatus);
  CHECK(p.record.laststart == 1100);
  CHECK_FALSE(p.refusal);
}

TEST_CASE("a start request for a running process is refused as Supervisor refuses it", "[process]") {
  Supervised p;
  p.runUntil(1002);
  const ProcessRecord before = p.record;
  p.feed(Start{});
  CHECK(p.refusal == "process 'x' already running");
  CHECK(p.log.back() == "WARN process 'x' already running");
  CHECK(p.record.laststart == before.laststart);
  CHECK(p.state() == ProcessState::Running);
}

TEST_CASE("stop and signal requests for a process that is not running are refused", "[process]") {
  Supervised p;
  p.config.autostart = false;
  p.feed(Stop{});
  CHECK(p.refusal == "attempted to kill x with sig SIGTERM but it wasn't running");
  CHECK_FALSE(p.record.administrativeStop);  // a refused event leaves the record as it was
  p.feed(Signal{SIGHUP});
  CHECK(p.refusal == "attempted to send x sig SIGHUP but it wasn't running");
  CHECK(p.state() == ProcessState::Stopped);
}

TEST_CASE("signal sends any signal to the process alone and keeps its state", "[process]") {
  Supervised p;
  p.config.stopasgroup = true;
  p.config.killasgroup = true;
  p.runUntil(1002);
  p.clearHistory();
  p.feed(Signal{SIGHUP});
  REQUIRE(p.signals.size() == 1);
  CHECK(p.signals[0].signal == SIGHUP);
  CHECK_FALSE(p.signals[0].toGroup);
  CHECK(p.signals[0].purpose == SignalPurpose::Signal);
  CHECK(p.debugLog == Strings{"DEBG sending x (pid 100) sig SIGHUP"});
  CHECK(p.state() == ProcessState::Running);
  CHECK(p.changes.empty());
}

TEST_CASE("a signalling error other than ESRCH puts the process in UNKNOWN", "[process]") {
  Supervised p;
  p.runUntil(1002);
  SECTION("while stopping") {
    p.signalErrno = EPERM;
    p.feed(Stop{});
    CHECK(p.state() == ProcessState::Unknown);
    CHECK(p.transitions().back() == "STOPPING->UNKNOWN");
    CHECK(p.log.back() == "CRIT unknown problem killing x (100):[Errno 1] Operation not permitted");
    CHECK_FALSE(p.record.killing);
    CHECK_FALSE(nextDeadline(p.config, p.record, true));
  }
  SECTION("while signalling") {
    p.signalErrno = EPERM;
    p.feed(Signal{SIGUSR1});
    CHECK(p.state() == ProcessState::Unknown);
    CHECK(p.log.back() == "CRIT unknown problem sending sig x (100):[Errno 1] Operation not permitted");
  }
  SECTION("ESRCH only means it just exited on its own; the reaping will tell") {
    p.signalErrno = ESRCH;
    p.feed(Stop{});
    CHECK(p.state() == ProcessState::Stopping);
    CHECK(p.debugLog.back() ==
          "DEBG unable to signal x (pid 100), it probably just exited on its own: [Errno 3] No such process");
  }
  SECTION("UNKNOWN refuses a start, and an exit leaves it UNKNOWN") {
    p.signalErrno = EPERM;
    p.feed(Stop{});
    p.feed(Start{});
    CHECK(p.refusal == "Assertion failed for x: UNKNOWN not in STOPPED BACKOFF EXITED FATAL");
    p.exitAt(1003, killedBy(SIGTERM));
    CHECK(p.state() == ProcessState::Unknown);
    CHECK(p.record.pid == 0);
    CHECK(p.log.back() == "WARN exited: x (terminated by SIGTERM; not expected)");
  }
}

// ---- supervisord shutting down ----------------------------------------------------------------

TEST_CASE("while supervisord shuts down nothing starts, but stops still escalate", "[process]") {
  Supervised p;
  p.supervisorRunning = false;
  SECTION("no autostart") {
    CHECK_FALSE(nextDeadline(p.config, p.record, false));
    p.runFor(10);
    CHECK(p.state() == ProcessState::Stopped);
  }
  SECTION("no autorestart") {
    p.supervisorRunning = true;
    p.runUntil(1002);
    p.supervisorRunning = false;
    p.exitAt(1003, exitCode(1));
    p.runFor(10);
    CHECK(p.state() == ProcessState::Exited);
  }
  SECTION("no backoff retry; stop_all's GiveUp makes BACKOFF FATAL without a log line") {
    p.supervisorRunning = true;
    p.runUntil(1000);
    p.exitAt(1000.5, exitCode(1));
    p.supervisorRunning = false;
    p.runFor(10);
    CHECK(p.state() == ProcessState::Backoff);
    p.clearHistory();
    p.feed(GiveUp{});
    CHECK(p.state() == ProcessState::Fatal);
    CHECK(p.log.empty());
    CHECK(p.record.systemStop);
  }
  SECTION("SIGKILL after stopwaitsecs") {
    p.supervisorRunning = true;
    p.runUntil(1002);
    p.supervisorRunning = false;
    p.feed(Stop{});
    p.runFor(10);
    CHECK(p.signals.back().signal == SIGKILL);
  }
}

// ---- the whole table --------------------------------------------------------------------------

TEST_CASE("every cell of actions[state][event]: the state it leads to, or a refusal", "[process]") {
  // A record in each state as the machine leaves it: a pid where a child is alive.
  auto recordIn = [](ProcessState state) {
    ProcessRecord r;
    r.state = state;
    r.laststart = 900;  // long ago: startsecs passed, laststart set
    r.laststop = state == ProcessState::Starting || state == ProcessState::Running ? 0 : 950;
    if (state == ProcessState::Starting || state == ProcessState::Running || state == ProcessState::Stopping ||
        state == ProcessState::Unknown)
      r.pid = 42;
    if (state == ProcessState::Stopping) {
      r.killing = true;
      r.delay = 1005;  // SIGKILL not due yet
    }
    if (state == ProcessState::Backoff) {
      r.backoff = 1;
      r.delay = 901;
    }
    if (state == ProcessState::Exited) r.exitstatus = 1;
    return r;
  };
  const std::vector<std::pair<std::string, Event>> events = {
      {"Start", Start{}},
      {"Stop", Stop{}},
      {"Signal", Signal{SIGHUP}},
      {"GiveUp", GiveUp{}},
      {"Spawned", Spawned{43}},
      {"SpawnFailed", SpawnFailed{"boom"}},
      {"Exited", Exited{exitCode(1)}},
      {"SignalFailed", SignalFailed{SignalPurpose::Signal, EPERM, "nope"}},
      {"Tick", Tick{}},
      {"StopReport", StopReport{}},
      {"Restart", Restart{"liveness probe failed"}},
      {"Ready", Ready{"ready"}},
  };
  // What each cell leads to: a state name, "=" for no change, "refused" for a refusal.
  // clang-format off
  const std::map<std::string, Strings> expected = {
      //            Start       Stop        Signal      GiveUp     Spawned    SpawnFailed Exited     SignalFailed Tick        StopReport  Restart    Ready
      {"STOPPED",  {"STARTING", "refused",  "refused",  "refused", "refused", "refused",  "refused", "refused",   "=",        "=",        "=",        "="}},
      {"STARTING", {"refused",  "STOPPING", "=",        "refused", "RUNNING", "BACKOFF",  "EXITED",  "UNKNOWN",   "RUNNING",  "=",        "STOPPING", "="}},
      {"RUNNING",  {"refused",  "STOPPING", "=",        "refused", "refused", "refused",  "EXITED",  "UNKNOWN",   "=",        "=",        "STOPPING", "="}},
      {"BACKOFF",  {"STARTING", "STOPPED",  "refused",  "FATAL",   "refused", "refused",  "refused", "refused",   "STARTING", "=",        "=",        "="}},
      {"STOPPING", {"refused",  "=",        "=",        "refused", "refused", "refused",  "STOPPED", "UNKNOWN",   "=",        "=",        "=",        "="}},
      {"EXITED",   {"STARTING", "refused",  "refused",  "refused", "refused", "refused",  "refused", "refused",   "STARTING", "=",        "=",        "="}},
      {"FATAL",    {"STARTING", "refused",  "refused",  "refused", "refused", "refused",  "refused", "refused",   "=",        "=",        "=",        "="}},
      {"UNKNOWN",  {"refused",  "refused",  "refused",  "refused", "refused", "refused",  "=",       "refused",   "=",        "=",        "=",        "="}},
  };
  // clang-format on
  config::ProcessConfig config;
  config.name = "x";
  config.startsecs = 1;
  for (ProcessState state : kAllProcessStates) {
    const std::string row(stateName(state));
    for (std::size_t column = 0; column < events.size(); ++column) {
      CAPTURE(row, events[column].first);
      const ProcessRecord before = recordIn(state);
      Step step = handle(config, before, events[column].second, Moment{1000, true});
      std::string outcome = step.refusal                         ? "refused"
                            : step.record.state == before.state ? "="
                                                                  : std::string(stateName(step.record.state));
      CHECK(outcome == expected.at(row)[column]);
      if (step.refusal) CHECK(step.record.state == before.state);
    }
  }
}

TEST_CASE("an event the table does not expect is refused in Supervisor's assertion wording", "[process]") {
  config::ProcessConfig config;
  config.name = "x";
  Step step = handle(config, ProcessRecord{}, Spawned{7}, Moment{1000, true});
  CHECK(step.refusal == "Assertion failed for x: STOPPED not in STARTING");
  CHECK(step.record.pid == 0);
  step = handle(config, ProcessRecord{}, GiveUp{}, Moment{1000, true});
  CHECK(step.refusal == "Assertion failed for x: STOPPED not in BACKOFF");
}

// ---- clock set back ---------------------------------------------------------------------------

TEST_CASE("a wall clock set back does not leave a backoff retry hours away", "[process]") {
  Supervised p;
  p.runUntil(1000);
  p.exitAt(1000.5, exitCode(1));
  REQUIRE(p.record.delay == 1001.5);
  p.at(500, Tick{});  // the clock jumped back 500 s
  CHECK(p.record.delay == 501);
  p.runUntil(501);
  CHECK(p.state() == ProcessState::Starting);
}

// ---- description (getProcessInfo) -------------------------------------------------------------

TEST_CASE("process descriptions read as Supervisor's getProcessInfo", "[process]") {
  ProcessRecord r;
  CHECK(processDescription(r, "x", 1000) == "Not started");

  r.state = ProcessState::Running;
  r.pid = 123;
  r.laststart = 1000.9;
  CHECK(processDescription(r, "x", 1062.1) == "pid 123, uptime 0:01:02");  // whole seconds: 1062 - 1000
  CHECK(processDescription(r, "x", 1000 + 86400 + 3 * 3600 + 4 * 60 + 5) == "pid 123, uptime 1 day, 3:04:05");
  CHECK(processDescription(r, "x", 1000 + 2 * 86400 + 36000) == "pid 123, uptime 2 days, 10:00:00");
  CHECK(processDescription(r, "x", 900) == "pid 123, uptime 0:00:00");  // clock set back

  r.state = ProcessState::Backoff;
  r.spawnerr = "Exited too quickly (process log may have details)";
  CHECK(processDescription(r, "x", 1000) == "Exited too quickly (process log may have details)");
  r.state = ProcessState::Fatal;
  r.spawnerr.clear();
  CHECK(processDescription(r, "x", 1000) == "unknown error (try \"tail x\")");

  r.state = ProcessState::Starting;
  CHECK(processDescription(r, "x", 1000) == "");
  r.state = ProcessState::Stopping;
  CHECK(processDescription(r, "x", 1000) == "");
  r.state = ProcessState::Unknown;
  CHECK(processDescription(r, "x", 1000) == "");

  // Stopped and exited processes show when they stopped, in the daemon's time zone.
  const char* savedTz = std::getenv("TZ");
  std::string saved = savedTz ? savedTz : "";
  setenv("TZ", "UTC", 1);
  tzset();
  r.state = ProcessState::Exited;
  r.laststop = 1717599840;  // 2024-06-05 15:04:00 UTC
  CHECK(processDescription(r, "x", 1717600000) == "Jun 05 03:04 PM");
  r.state = ProcessState::Stopped;
  r.laststop = 1717545600 + 30;  // 2024-06-05 00:00:30 UTC
  CHECK(processDescription(r, "x", 1717600000) == "Jun 05 12:00 AM");
  r.laststop = 1717588800;  // 12:00 UTC
  CHECK(processDescription(r, "x", 1717600000) == "Jun 05 12:00 PM");
  if (savedTz) setenv("TZ", saved.c_str(), 1);
  else unsetenv("TZ");
  tzset();
}
