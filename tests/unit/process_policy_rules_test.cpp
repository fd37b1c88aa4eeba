// The state machine under our restart-policy keys, with a fake clock: what a user
// sees in the log and the states, when backoff, budgets, probes, group strategies
// and start tiers are configured. Without them it is Supervisor's machine
// (process_state_machine_test.cpp).

#include <catch2/catch.hpp>

#include "supervised_process_fake.h"
#include "supervisord/policy/backoff.h"
#include "supervisord/policy/restart_budget_window.h"

using namespace process;
using process::testing::exitCode;
using process::testing::Strings;
using process::testing::Supervised;

namespace {

// The advice the daemon gives: the policy's delay for the next try, and whether the
// restarts counted so far spend the budget.
RestartAdvice policyAdvice(const Supervised& s) {
  RestartAdvice advice;
  advice.retryDelay = policy::retryDelay(s.config.policy, s.record.backoff + 1, 0);
  policy::RestartBudgetWindow window(s.config.policy.restartBudget);
  for (WallTime t : s.restartTimes) window.record(t);
  advice.budgetSpent = window.wouldExceed(s.clock);
  return advice;
}

Supervised withPolicy(int startsecs = 1) {
  Supervised p;
  p.config.startsecs = startsecs;
  p.adviser = policyAdvice;
  return p;
}

std::vector<WallTime> gaps(const std::vector<WallTime>& times) {
  std::vector<WallTime> out;
  for (std::size_t i = 1; i < times.size(); ++i) out.push_back(times[i] - times[i - 1]);
  return out;
}

}  // namespace

TEST_CASE("startretries=-1 never gives up on a process that cannot start", "[policy]") {
  Supervised p = withPolicy();
  p.config.startretries = -1;
  p.spawnError = "can't find command '/bin/x'";
  p.runFor(500);
  CHECK(p.state() == ProcessState::Backoff);
  CHECK(p.spawnTimes.size() > 25);  // 1 + 2 + … + 30 s of linear backoff > 450 s
  CHECK(p.gaveUpReasons.empty());
}

TEST_CASE("exponential backoff doubles the wait between failed starts up to backoff_max", "[policy]") {
  Supervised p = withPolicy();
  p.config.startretries = 6;
  p.config.policy.backoff = config::Backoff::Exponential;
  p.config.policy.backoffInitial = 2;
  p.config.policy.backoffMax = 10;
  p.spawnError = "boom";
  p.runFor(200);
  CHECK(gaps(p.spawnTimes) == std::vector<WallTime>{2, 4, 8, 10, 10, 10});
  CHECK(p.state() == ProcessState::Fatal);
  CHECK(p.log.back() == "INFO gave up: x entered FATAL state, too many start retries too quickly");
  CHECK(p.gaveUpReasons == Strings{"boom"});
}

TEST_CASE("with restart_budget a crash after startsecs waits its backoff and counts; the budget spent is FATAL",
          "[policy]") {
  Supervised p = withPolicy();
  p.config.policy.restartBudget = config::RestartBudget{3, 60};
  p.config.policy.backoff = config::Backoff::Exponential;
  p.config.policy.backoffReset = 30;
  p.runUntil(1002);  // RUNNING
  std::vector<WallTime> delays;
  for (int crash = 0; crash < 4; ++crash) {
    p.exitAt(p.clock + 5, exitCode(1));  // up 5 s: past startsecs, a crash Supervisor would never count
    const WallTime crashedAt = p.clock;
    p.runFor(8);
    if (p.restartTimes.size() > delays.size()) delays.push_back(p.restartTimes.back() - crashedAt);
  }
  CHECK(delays == std::vector<WallTime>{1, 2, 4});  // exponential from 1 s; the 4th crash spends 3 in 60 s
  CHECK(p.state() == ProcessState::Fatal);
  CHECK(p.record.spawnerr == "restart budget spent (more than 3 restarts in 60 seconds)");
  CHECK(p.log.back() == "INFO gave up: x entered FATAL state, restart budget spent (more than 3 restarts in 60 seconds)");
  CHECK(p.gaveUpReasons == Strings{"restart budget spent (more than 3 restarts in 60 seconds)"});
  CHECK_FALSE(nextDeadline(p.config, p.record, true));  // no retry without fatal_retry
}

TEST_CASE("Supervisor's default restarts a crash after startsecs at once, and a budget never applies without the key",
          "[policy]") {
  Supervised p = withPolicy();
  p.runUntil(1002);
  for (int crash = 0; crash < 10; ++crash) {
    p.exitAt(p.clock + 5, exitCode(1));
    p.runFor(2);
  }
  CHECK(p.restartTimes.size() == 10);
  for (WallTime gap : gaps(p.restartTimes)) CHECK(gap == 7);  // 5 s up, restarted at once, 2 s to RUNNING… 
  CHECK(p.state() == ProcessState::Running);
}

TEST_CASE("the try counter survives RUNNING until the process stays up backoff_reset seconds", "[policy]") {
  Supervised p = withPolicy();
  p.config.policy.backoff = config::Backoff::Exponential;
  p.config.policy.backoffReset = 60;
  p.runUntil(1002);
  p.exitAt(1010, exitCode(1));
  p.runFor(5);
  CHECK(p.record.backoff == 1);
  p.exitAt(1020, exitCode(1));
  p.runFor(5);
  CHECK(p.record.backoff == 2);
  CHECK(p.state() == ProcessState::Running);
  const WallTime runningSince = p.record.runningSince;
  CHECK(nextDeadline(p.config, p.record, true) == runningSince + 60);
  p.runUntil(runningSince + 60);
  CHECK(p.record.backoff == 0);
  CHECK(p.debugLog.back() == "DEBG x has stayed up for 60 seconds (backoff_reset): tries reset");
  CHECK_FALSE(nextDeadline(p.config, p.record, true));
}

TEST_CASE("without backoff_reset the counter of a crashing process resets after backoff_max seconds up",
          "[policy]") {
  Supervised p = withPolicy();
  p.config.policy.backoff = config::Backoff::Exponential;
  p.config.policy.backoffMax = 20;
  p.runUntil(1002);
  p.exitAt(1010, exitCode(1));
  p.runFor(5);
  p.exitAt(p.clock, exitCode(1));
  p.runFor(5);
  CHECK(p.record.backoff == 2);  // RUNNING again, and the crashes still count
  p.runFor(20);
  CHECK(p.record.backoff == 0);
}

TEST_CASE("fatal_retry starts a FATAL process again after that many seconds, with a fresh try counter", "[policy]") {
  Supervised p = withPolicy();
  p.config.startretries = 0;
  p.config.policy.fatalRetry = 300;
  p.spawnError = "dependency not up";
  p.runFor(10);
  REQUIRE(p.state() == ProcessState::Fatal);
  const WallTime fatalAt = p.clock - 10 + 1;  // the one retry it had was due after 1 s
  (void)fatalAt;
  p.clearHistory();
  p.spawnError.reset();
  p.runFor(300);
  CHECK(p.log.front() == "INFO retrying x from FATAL state (fatal_retry)");
  CHECK(p.state() == ProcessState::Running);
  CHECK(p.restartTimes.size() == 1);
  CHECK(p.spawnTimes.size() == 1);
}

TEST_CASE("with a readiness probe STARTING lasts until Ready, and a death before it is a failed start", "[policy]") {
  Supervised p = withPolicy();
  p.config.policy.readinessProbe = config::ProbeConfig{};
  p.runFor(100);
  CHECK(p.state() == ProcessState::Starting);  // startsecs long past: only Ready promotes
  p.at(p.clock, Ready{"tcp 127.0.0.1:5432: connected"});
  CHECK(p.state() == ProcessState::Running);
  CHECK(p.log.back() == "INFO success: x entered RUNNING state, process is ready (tcp 127.0.0.1:5432: connected)");

  Supervised q = withPolicy();
  q.config.policy.readinessProbe = config::ProbeConfig{};
  q.runFor(100);
  q.exitAt(q.clock, exitCode(0));
  CHECK(q.state() == ProcessState::Backoff);
  CHECK(q.record.spawnerr == "Exited too quickly (process log may have details)");
}

TEST_CASE("Restart on a RUNNING process stops it and starts it again, counted as a restart", "[policy]") {
  Supervised p = withPolicy();
  p.runUntil(1002);
  p.clearHistory();
  p.at(1010, Restart{"liveness probe failed: http http://127.0.0.1:8080/: timed out after 1 s"});
  CHECK(p.state() == ProcessState::Stopping);
  CHECK(p.log == Strings{"WARN restarting: x (liveness probe failed: http http://127.0.0.1:8080/: timed out after 1 s)"});
  p.exitAt(1011, process::testing::killedBy(SIGTERM));
  CHECK(p.transitions() == Strings{"RUNNING->STOPPING", "STOPPING->STOPPED", "STOPPED->STARTING"});
  CHECK(p.restartTimes == std::vector<WallTime>{1011});
  CHECK(p.record.pid == 101);
}

TEST_CASE("a stop request while a Restart is stopping the process cancels the restart", "[policy]") {
  Supervised p = withPolicy();
  p.runUntil(1002);
  p.at(1010, Restart{"liveness probe failed"});
  p.at(1010.5, Stop{});
  p.exitAt(1011, process::testing::killedBy(SIGTERM));
  CHECK(p.state() == ProcessState::Stopped);
  CHECK(p.restartTimes.empty());
}

TEST_CASE("Restart on a STARTING process (readiness failed) stops it as a failed start: BACKOFF", "[policy]") {
  Supervised p = withPolicy();
  p.config.policy.readinessProbe = config::ProbeConfig{};
  p.runFor(5);
  p.at(p.clock, Restart{"readiness probe failed: tcp 127.0.0.1:5432: connection refused"});
  p.exitAt(p.clock + 0.1, process::testing::killedBy(SIGTERM));
  CHECK(p.state() == ProcessState::Backoff);
  CHECK(p.record.spawnerr == "readiness probe failed: tcp 127.0.0.1:5432: connection refused");
  CHECK(p.record.backoff == 1);
}

TEST_CASE("a member of a one_for_all group asks its group to restart it instead of spawning", "[policy]") {
  Supervised p = withPolicy();
  p.adviser = [](const Supervised& s) {
    RestartAdvice advice = policyAdvice(s);
    advice.groupRestarts = true;
    return advice;
  };
  p.runUntil(1002);
  p.exitAt(1010, exitCode(1));
  p.runFor(100);
  CHECK(p.state() == ProcessState::Exited);
  CHECK(p.groupRestartWanted == 1);
  CHECK(p.record.awaitingGroup);
  CHECK_FALSE(nextDeadline(p.config, p.record, true, p.adviser(p)));
  p.at(p.clock, Start{});  // the group restarts it
  CHECK(p.state() == ProcessState::Starting);
  CHECK_FALSE(p.record.awaitingGroup);
}

TEST_CASE("start_order=ready holds autostart while an earlier tier is not ready", "[policy]") {
  Supervised p = withPolicy();
  bool gated = true;
  p.adviser = [&gated](const Supervised& s) {
    RestartAdvice advice = policyAdvice(s);
    advice.startGated = gated;
    return advice;
  };
  p.runFor(100);
  CHECK(p.state() == ProcessState::Stopped);
  CHECK(p.spawnTimes.empty());
  gated = false;
  p.at(p.clock, Tick{});
  CHECK(p.state() == ProcessState::Starting);
}

TEST_CASE("a stop cancels a delayed restart: EXITED waiting out its backoff, FATAL waiting for fatal_retry",
          "[policy]") {
  Supervised p = withPolicy();
  p.config.policy.backoff = config::Backoff::Exponential;
  p.config.policy.backoffInitial = 4;
  p.runUntil(1002);
  p.exitAt(1010, exitCode(1));
  REQUIRE(p.state() == ProcessState::Exited);
  CHECK(restartPending(p.config, p.record));
  p.at(1011, Stop{});
  CHECK_FALSE(p.refusal);
  CHECK(p.state() == ProcessState::Stopped);
  p.runFor(100);
  CHECK(p.state() == ProcessState::Stopped);
  CHECK(p.restartTimes.empty());

  Supervised q = withPolicy();
  q.config.startretries = 0;
  q.config.policy.fatalRetry = 60;
  q.spawnError = "boom";
  q.runFor(10);
  REQUIRE(q.state() == ProcessState::Fatal);
  q.at(q.clock, Stop{});
  CHECK(q.state() == ProcessState::Stopped);
  q.runFor(100);
  CHECK(q.spawnTimes.size() == 1);  // never retried

  Supervised plain;  // Supervisor's own EXITED and FATAL are not running: a stop is refused
  plain.config.autorestart = config::AutoRestart::Never;
  plain.runUntil(1002);
  plain.exitAt(1010, exitCode(1));
  plain.at(1011, Stop{});
  CHECK(plain.refusal == "attempted to kill x with sig SIGTERM but it wasn't running");
}
