#include "supervisord/policy/restart_policies.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdlib>
#include <random>

#include "common/value_types.h"
#include "supervisord/policy/backoff.h"
#include "supervisord/policy/command_run.h"
#include "supervisord/policy/escalation.h"
#include "supervisord/policy/group_strategy.h"
#include "supervisord/policy/hook.h"
#include "supervisord/policy/policy_host.h"
#include "supervisord/policy/probe_monitor.h"
#include "supervisord/policy/restart_budget_window.h"
#include "supervisord/policy/start_tiers.h"
#include "supervisord/process/process.h"
#include "supervisord/process/process_environment.h"
#include "supervisord/process/process_group.h"

namespace policy {

namespace asio = boost::asio;
using process::Process;
using process::ProcessState;

namespace {

// score_command's output: an integer on its own (surrounding blanks allowed).
std::optional<long long> parseScore(const std::string& output) {
  const auto first = output.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return std::nullopt;
  const auto last = output.find_last_not_of(" \t\r\n");
  const std::string text = output.substr(first, last - first + 1);
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

// "ready" for start_order = ready: up (startsecs passed or the readiness probe
// succeeded), or done as expected (a one-shot job).
bool isReady(const Process& p) {
  return p.state() == ProcessState::Running ||
         (p.state() == ProcessState::Exited && !p.record().spawnerr.starts_with("Bad exit code"));
}

policy::Tier tierOf(const Process& p, int groupPriority) { return {groupPriority, p.config().priority}; }

std::string lastLine(const std::string& text) {
  std::string trimmed = text;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.pop_back();
  const auto newline = trimmed.rfind('\n');
  return newline == std::string::npos ? trimmed : trimmed.substr(newline + 1);
}

}  // namespace

struct RestartPolicies::ProcessEntry {
  explicit ProcessEntry(const config::ProcessConfig& config) : budget(config.policy.restartBudget) {
    if (config.policy.role == config::Role::Promotable) role = policy::ProgramRole::Replica;
  }
  policy::RestartBudgetWindow budget;
  std::unique_ptr<policy::ProbeMonitor> readiness;
  std::unique_ptr<policy::ProbeMonitor> liveness;
  std::optional<policy::ProbeReport> lastReadiness;  // kept once its monitor has stopped
  std::optional<policy::ProbeReport> lastLiveness;
  policy::ProgramRole role = policy::ProgramRole::None;
  std::optional<long long> score;  // nullopt: never promote
  std::string escalation;
  std::map<Hook, policy::HookRun> hooks;  // the last run of each hook, in hook order
  std::unique_ptr<policy::CommandRun> preStart;
  std::unique_ptr<asio::steady_timer> scoreTimer;
  bool scoreRunning = false;  // one score run at a time: two would race to set `score` and its record
  bool scoreAsked = false;    // refreshScore's run waits for the one in flight, then runs at once
  std::string scoreReason;    // the reason it was asked with
  bool roleBusy = false;
};

struct RestartPolicies::GroupEntry {
  explicit GroupEntry(process::ProcessGroup& group) : group(group), budget(group.config().policy.restartBudget) {}
  process::ProcessGroup& group;
  policy::RestartBudgetWindow budget;
  // A restart in progress: stop `toStop` one by one (reverse priority), then start
  // `toStart` one by one (priority order), each waiting for the one before.
  bool restarting = false;
  std::vector<std::string> toStop;
  std::vector<std::string> toStart;
  std::string waitingFor;
};

// Hooks running, by serial; a run's completion removes it.
struct RestartPolicies::Runs {
  std::map<unsigned long, std::unique_ptr<policy::CommandRun>> running;
  unsigned long next = 0;
};

RestartPolicies::RestartPolicies(PolicyHost& host, std::function<void()> hooksFinished)
    : host_(host), hooksFinished_(std::move(hooksFinished)), runs_(std::make_unique<Runs>()) {}

RestartPolicies::~RestartPolicies() {
  *alive_ = false;
  runs_.reset();  // kills hooks still running
  processes_.clear();
}

void RestartPolicies::later(std::function<void()> action) {
  asio::post(host_.io(), [alive = alive_, action = std::move(action)] {
    if (*alive) action();
  });
}

Process* RestartPolicies::find(const std::string& group, const std::string& name) const {
  process::ProcessGroup* g = host_.findGroup(group);
  Process* p = g ? g->find(name) : nullptr;
  return p && entry(*p) ? p : nullptr;
}

RestartPolicies::ProcessEntry* RestartPolicies::entry(const Process& process) const {
  auto it = processes_.find(&process);
  return it == processes_.end() ? nullptr : it->second.get();
}

RestartPolicies::GroupEntry* RestartPolicies::groupEntry(const Process& process) const {
  auto it = groups_.find(process.config().groupName);
  return it == groups_.end() ? nullptr : it->second.get();
}

void RestartPolicies::groupAdded(process::ProcessGroup& group) {
  groups_[group.name()] = std::make_unique<GroupEntry>(group);
  for (const auto& p : group.processes()) processes_[p.get()] = std::make_unique<ProcessEntry>(p->config());
  if (host_.config().supervisord.startOrder != config::StartOrder::Ready) return;
  // A process of a later tier waits: say so once, where an operator looks.
  for (const auto& p : group.processes()) {
    if (!advice(*p).startGated) continue;
    host_.log(config::LogLevel::Info,
                    "waiting for earlier priorities to be ready before starting " + p->config().name +
                        " (start_order = ready)");
  }
}

void RestartPolicies::groupRemoved(process::ProcessGroup& group) {
  for (const auto& p : group.processes()) processes_.erase(p.get());
  groups_.erase(group.name());
}

// ---- Advice ---------------------------------------------------------------------------

process::RestartAdvice RestartPolicies::advice(const Process& process) const {
  process::RestartAdvice advice;
  const ProcessEntry* e = entry(process);
  if (!e) return advice;
  const config::PolicyConfig& policy = process.config().policy;
  const double now = host_.now();
  if (!policy.isDefault()) {
    // Jitter is drawn per advice; the machine uses it at most once per event.
    static std::mt19937 random{std::random_device{}()};
    const double sample = policy.backoffJitter > 0 ? std::uniform_real_distribution<double>(0, 1)(random) : 0;
    advice.retryDelay = policy::retryDelay(policy, process.record().backoff + 1, sample);
    advice.budgetSpent = e->budget.wouldExceed(now);
  }
  if (const GroupEntry* g = groupEntry(process))
    advice.groupRestarts = g->group.config().policy.strategy != config::GroupStrategy::OneForOne;
  if (host_.config().supervisord.startOrder == config::StartOrder::Ready && process.record().laststart == 0) {
    std::vector<policy::TierMember> members;
    int ownPriority = 0;
    for (auto* group : host_.groups())
      for (const auto& p : group->processes()) {
        if (p.get() == &process) ownPriority = group->priority();
        members.push_back({tierOf(*p, group->priority()), p->config().autostart, isReady(*p)});
      }
    advice.startGated = !policy::tierMayStart(tierOf(process, ownPriority), members);
  }
  return advice;
}

// ---- Decisions from the machine -------------------------------------------------------------

void RestartPolicies::restartCounted(Process& process) {
  if (ProcessEntry* e = entry(process)) e->budget.record(host_.now());
}

void RestartPolicies::gaveUp(Process& process, const std::string& reason) {
  ProcessEntry* e = entry(process);
  GroupEntry* g = groupEntry(process);
  if (!e || !g) return;
  const config::PolicyConfig& policy = process.config().policy;
  e->escalation = reason;
  const std::string group = process.config().groupName;
  const std::string name = process.config().name;
  switch (policy::budgetAction(policy, g->budget.wouldExceed(host_.now()))) {
    case policy::BudgetAction::Fatal:
      return;
    case policy::BudgetAction::RestartGroup:
      later([this, group, name] { startGroupRestart(group, name, true); });
      return;
    case policy::BudgetAction::Escalate:
      later([this, group, name, reason] { escalate(group, name, reason); });
      return;
  }
}

void RestartPolicies::groupRestartWanted(Process& process) {
  const std::string group = process.config().groupName;
  const std::string name = process.config().name;
  later([this, group, name] { startGroupRestart(group, name, false); });
}

// ---- Group restarts -----------------------------------------------------------------------

void RestartPolicies::startGroupRestart(const std::string& groupName, const std::string& trigger, bool wholeGroup) {
  auto it = groups_.find(groupName);
  if (it == groups_.end() || !host_.supervisorRunning()) return;
  GroupEntry& g = *it->second;
  const auto& members = g.group.processes();
  auto position = std::find_if(members.begin(), members.end(), [&](const auto& p) { return p->config().name == trigger; });
  if (position == members.end()) return;
  Process& failed = **position;
  if (g.restarting) {  // it joins the restart in progress
    if (std::find(g.toStart.begin(), g.toStart.end(), trigger) == g.toStart.end()) g.toStart.push_back(trigger);
    return;
  }
  const double now = host_.now();
  const auto& budget = g.group.config().policy.restartBudget;
  if (g.budget.wouldExceed(now)) {
    std::string reason = "group restart budget spent (more than " + std::to_string(budget->restarts) +
                         " group restarts in " + common::secondsText(budget->seconds) + " seconds" + ")";
    failed.giveUp(reason);
    escalate(groupName, trigger, reason);
    return;
  }
  g.budget.record(now);
  const auto strategy = wholeGroup ? config::GroupStrategy::OneForAll : g.group.config().policy.strategy;
  const auto set = policy::restartSet(strategy, static_cast<std::size_t>(position - members.begin()), members.size());
  if (wholeGroup) {
    if (ProcessEntry* e = entry(failed)) e->budget.reset();  // its budget is whole again with the group's restart
  }
  host_.log(config::LogLevel::Info, "restarting group " + groupName + " (" + policy::strategyName(strategy) +
                                              "): " + trigger + " must restart");
  g.restarting = true;
  g.toStop.clear();
  g.toStart.clear();
  for (auto index = set.rbegin(); index != set.rend(); ++index) {
    const Process& p = *members[*index];
    if (&p != &failed && process::isSignallableState(p.state())) g.toStop.push_back(p.config().name);
  }
  for (std::size_t index : set) {
    const Process& p = *members[index];
    // What was up (or waiting for this restart) starts again; what an operator stopped stays stopped.
    const bool wanted = &p == &failed || process::isRunningState(p.state()) || p.state() == ProcessState::Stopping ||
                        p.record().awaitingGroup;
    if (wanted) g.toStart.push_back(p.config().name);
  }
  advanceGroupRestart(groupName);
}

void RestartPolicies::advanceGroupRestart(const std::string& groupName) {
  auto it = groups_.find(groupName);
  if (it == groups_.end()) return;
  GroupEntry& g = *it->second;
  g.waitingFor.clear();
  while (!g.toStop.empty()) {
    Process* p = g.group.find(g.toStop.front());
    g.toStop.erase(g.toStop.begin());
    if (!p || !process::isSignallableState(p->state())) continue;
    if (p->state() != ProcessState::Stopping) (void)p->stop();  // signallable: taken
    if (p->state() == ProcessState::Stopping) {
      g.waitingFor = p->config().name;
      return;
    }
  }
  if (!host_.supervisorRunning()) {
    g.restarting = false;
    g.toStart.clear();
    return;
  }
  while (!g.toStart.empty()) {
    Process* p = g.group.find(g.toStart.front());
    g.toStart.erase(g.toStart.begin());
    if (!p) continue;
    (void)p->start();  // refused when it already runs: nothing to wait for
    if (p->state() == ProcessState::Starting) {
      g.waitingFor = p->config().name;
      return;
    }
  }
  g.restarting = false;
}

// ---- Escalation -------------------------------------------------------------------------------

void RestartPolicies::escalate(const std::string& groupName, const std::string& name, const std::string& reason) {
  Process* p = find(groupName, name);
  if (!p) return;
  ProcessEntry* e = entry(*p);
  e->escalation = reason;
  host_.log(config::LogLevel::Warn, "escalating: " + name + " (" + reason + ")");
  const auto steps = policy::escalationSteps(p->config().policy, e->role == policy::ProgramRole::Primary);
  // The steps run one after the other: a hook's end starts the next.
  auto run = std::make_shared<std::function<void(std::size_t)>>();
  *run = [this, groupName, name, reason, steps, run](std::size_t index) {
    Process* p = find(groupName, name);
    if (!p || index >= steps.size()) {
      *run = nullptr;
      return;
    }
    switch (steps[index]) {
      case policy::EscalationStep::Demote:
        runHook(*p, Hook::Demote, "escalation: " + reason, [this, groupName, name, run, index](const policy::HookRun& hook) {
          if (Process* p = find(groupName, name); p && hook.ok) entry(*p)->role = policy::ProgramRole::Replica;
          (*run)(index + 1);
        });
        return;
      case policy::EscalationStep::RunEscalateCommand:
        runHook(*p, Hook::Escalate, reason, [run, index](const policy::HookRun&) { (*run)(index + 1); });
        return;
      case policy::EscalationStep::Publish:
        host_.escalated(name, groupName, reason);
        (*run)(index + 1);
        return;
      case policy::EscalationStep::LeaveFatal:
        if (p->state() != ProcessState::Fatal) p->giveUp(reason);
        *run = nullptr;  // breaks the self-reference
        return;
    }
  };
  (*run)(0);
}

// ---- Hooks ------------------------------------------------------------------------------------

void RestartPolicies::runHook(Process& process, Hook hook, const std::string& reason,
                              std::function<void(const policy::HookRun&)> then, const config::Environment& extra) {
  ProcessEntry* e = entry(process);
  if (!e) return;
  const config::ProcessConfig& config = process.config();
  policy::HookRun& record = e->hooks[hook];
  record = policy::HookRun{hook, reason, host_.now(), 0, false, "running", ""};

  policy::CommandRequest request;
  request.name = config.name;
  request.commandLine = policy::hookCommand(config.policy, hook);
  request.environment = programEnvironment(process);
  process::setVariable(request.environment, "SUPERVISOR_HOOK", std::string(hookName(hook)));
  process::setVariable(request.environment, "SUPERVISOR_REASON", reason);
  process::setVariable(request.environment, "SUPERVISOR_PROCESS_STATE", std::string(process::stateName(process.state())));
  process::setVariable(request.environment, "SUPERVISOR_ROLE", policy::roleText(e->role));
  if (process.pid() != 0) process::setVariable(request.environment, "SUPERVISOR_PID", std::to_string(process.pid()));
  if (process.record().exitstatus)
    process::setVariable(request.environment, "SUPERVISOR_EXIT_STATUS", std::to_string(*process.record().exitstatus));
  for (const auto& [key, value] : extra) process::setVariable(request.environment, key, value);
  request.directory = config.directory;
  request.timeout = config.policy.hookTimeout;

  const unsigned long serial = runs_->next++;
  const std::string group = config.groupName;
  const std::string name = config.name;
  auto finished = [this, serial, group, name, hook, then = std::move(then)](const policy::CommandResult& result) {
    Process* p = find(group, name);
    ProcessEntry* e = p ? entry(*p) : nullptr;
    policy::HookRun run;
    if (e) {
      policy::HookRun& record = e->hooks[hook];
      record.finished = host_.now();
      record.ok = result.succeeded();
      record.description = result.description;
      record.output = result.output;
      run = record;
    }
    const std::string command = std::string(hookName(hook)) + "_command of " + name;
    std::string line = command + ": " + result.description;
    if (!result.output.empty()) line += " (" + lastLine(result.output) + ")";
    // A score refreshes every score_interval: its successes would flood the log at info.
    const auto level = !result.succeeded() ? config::LogLevel::Warn
                       : hook == Hook::Score ? config::LogLevel::Debug
                                           : config::LogLevel::Info;
    host_.log(level, line);
    if (!result.output.empty() && host_.logEnabled(config::LogLevel::Debug))
      host_.log(config::LogLevel::Debug, command + " output:\n" + result.output);
    host_.hookFinished(name, group, hook, result.succeeded(), result.description);
    if (hook == Hook::PreStart) {
      if (e) e->preStart.reset();  // destroys this run's handle: allowed in its completion
    } else {
      runs_->running.erase(serial);
    }
    if (then) then(run);  // always: an API call may be waiting for it
    if (!hooksRunning() && hooksFinished_) hooksFinished_();
  };
  auto handle = std::make_unique<policy::CommandRun>(host_.io(), host_.spawner(), host_.childWatch(),
                                                     std::move(request), std::move(finished));
  if (hook == Hook::PreStart)
    e->preStart = std::move(handle);
  else
    runs_->running[serial] = std::move(handle);
}

bool RestartPolicies::hooksRunning() const {
  if (!runs_->running.empty()) return true;
  return std::any_of(processes_.begin(), processes_.end(), [](const auto& kv) { return kv.second->preStart != nullptr; });
}

bool RestartPolicies::beforeSpawn(Process& process, std::function<void(std::optional<std::string>)> proceed) {
  ProcessEntry* e = entry(process);
  if (!e || process.config().policy.preStartCommand.empty()) return false;
  runHook(process, Hook::PreStart, "start", [proceed = std::move(proceed)](const policy::HookRun& run) {
    if (run.ok)
      proceed(std::nullopt);
    else
      proceed("pre_start_command failed: " + run.description);
  });
  return true;
}

void RestartPolicies::cancelBeforeSpawn(Process& process) {
  if (ProcessEntry* e = entry(process)) {
    e->preStart.reset();  // kills the hook; its completion never runs
    auto& record = e->hooks[Hook::PreStart];
    record.finished = host_.now();
    record.description = "interrupted by a stop request";
  }
  if (!hooksRunning() && hooksFinished_) hooksFinished_();
}

// ---- Probes, roles and scores follow the process's state ---------------------------------------

namespace {

policy::ProbeReport probeReport(const char* kind, const policy::ProbeMonitor& monitor, bool active) {
  const policy::ProbeStatus status = monitor.status();
  policy::ProbeReport report;
  report.kind = kind;
  report.spec = monitor.probe().spec;
  report.active = active;
  report.checks = status.checks;
  report.consecutiveFailures = status.consecutiveFailures;
  report.lastOk = status.lastOk;
  report.lastDetail = status.lastDetail;
  report.lastCheck = status.lastCheckTime;
  return report;
}

}  // namespace

config::Environment RestartPolicies::programEnvironment(const Process& process) const {
  return process::processEnvironment(host_.baseEnvironment(), host_.serverUrl(), process.config());
}

// Readiness watches STARTING (Ready promotes it, Failed is a failed start), liveness
// RUNNING (Failed restarts it). Verdicts act on a later pass, if the process is
// still in the state the probe watches.
std::unique_ptr<policy::ProbeMonitor> RestartPolicies::watch(Process& process, const config::ProbeConfig& probe,
                                                             bool readiness) {
  policy::ProbeCommandContext context{&host_.spawner(), &host_.childWatch(), process.config().name,
                                      programEnvironment(process), process.config().directory};
  const std::string group = process.config().groupName;
  const std::string name = process.config().name;
  const ProcessState watched = readiness ? ProcessState::Starting : ProcessState::Running;
  return std::make_unique<policy::ProbeMonitor>(
      host_.io(), std::move(context), probe,
      [this, group, name, readiness, watched](policy::ProbeVerdict verdict, const policy::ProbeOutcome& last) {
        if (!readiness && verdict != policy::ProbeVerdict::Failed) return;
        later([this, group, name, readiness, watched, verdict, detail = last.detail] {
          Process* p = find(group, name);
          if (!p || p->state() != watched) return;
          if (verdict == policy::ProbeVerdict::Ready)
            p->ready(detail);
          else
            p->restart(std::string(readiness ? "readiness" : "liveness") + " probe failed: " + detail);
        });
      });
}

void RestartPolicies::childSpawned(Process& process) {
  ProcessEntry* e = entry(process);
  const auto& probe = process.config().policy.readinessProbe;
  if (e && probe) e->readiness = watch(process, *probe, true);
}

void RestartPolicies::stateChanged(Process& process, const process::StateChanged& change) {
  ProcessEntry* e = entry(process);
  if (!e) return;
  const config::PolicyConfig& policy = process.config().policy;

  // Readiness watches STARTING, liveness RUNNING; their last status stays visible.
  if (change.to != ProcessState::Starting && e->readiness) {
    e->lastReadiness = probeReport("readiness", *e->readiness, false);
    e->readiness.reset();
  }
  if (change.to != ProcessState::Running && e->liveness) {
    e->lastLiveness = probeReport("liveness", *e->liveness, false);
    e->liveness.reset();
  }
  if (change.to == ProcessState::Running && policy.livenessProbe) e->liveness = watch(process, *policy.livenessProbe, false);

  // The score is refreshed while RUNNING; a process that is not up is never promoted.
  if (change.to == ProcessState::Running && !policy.scoreCommand.empty()) scheduleScore(process, 0);
  if (change.to != ProcessState::Running && change.from == ProcessState::Running) {
    e->score.reset();
    e->scoreAsked = false;
    if (e->scoreTimer) e->scoreTimer->cancel();
  }

  // post_stop_command after every end of a child that ran.
  const bool childEnded = (change.from == ProcessState::Starting || change.from == ProcessState::Running ||
                           change.from == ProcessState::Stopping) &&
                          !process::isSignallableState(change.to) && change.pid != 0;
  if (childEnded && !policy.postStopCommand.empty()) {
    const char* reason = change.to == ProcessState::Stopped   ? "stopped"
                         : change.to == ProcessState::Exited  ? "exited"
                         : change.to == ProcessState::Backoff ? "exited too quickly"
                                                              : "ended";
    runHook(process, Hook::PostStop, reason, nullptr);
  }

  // A group restart in progress waits for this process.
  if (GroupEntry* g = groupEntry(process); g && g->restarting && g->waitingFor == process.config().name &&
                                          change.to != ProcessState::Stopping && change.to != ProcessState::Starting) {
    const std::string group = process.config().groupName;
    later([this, group] { advanceGroupRestart(group); });
  }

  // start_order = ready: a process becoming ready may open the next tier.
  if (host_.config().supervisord.startOrder == config::StartOrder::Ready &&
      (change.to == ProcessState::Running || change.to == ProcessState::Exited))
    later([this] { releaseStartTiers(); });
}

void RestartPolicies::releaseStartTiers() {
  for (auto* group : host_.groups())
    for (const auto& p : group->processes())
      if (p->state() == ProcessState::Stopped && p->record().laststart == 0 && p->config().autostart) p->tick();
}

void RestartPolicies::scheduleScore(Process& process, double delay, const std::string& reason) {
  ProcessEntry* e = entry(process);
  if (!e) return;
  if (!e->scoreTimer) e->scoreTimer = std::make_unique<asio::steady_timer>(host_.io());
  e->scoreTimer->cancel();
  e->scoreTimer->expires_after(std::chrono::microseconds(static_cast<long long>(delay * 1e6)));
  const std::string group = process.config().groupName;
  const std::string name = process.config().name;
  e->scoreTimer->async_wait([this, alive = alive_, group, name, reason](boost::system::error_code ec) {
    if (ec || !*alive) return;
    Process* p = find(group, name);
    if (!p || p->state() != ProcessState::Running || !host_.supervisorRunning()) return;
    ProcessEntry* e = entry(*p);
    if (e->scoreRunning) return;  // the run in flight schedules the next one when it ends
    e->scoreRunning = true;
    e->scoreAsked = false;
    runHook(*p, Hook::Score, reason, [this, group, name](const policy::HookRun& run) {
      Process* p = find(group, name);
      ProcessEntry* e = p ? entry(*p) : nullptr;
      if (!e) return;
      e->scoreRunning = false;
      if (p->state() != ProcessState::Running) return;
      e->score = run.ok ? parseScore(run.output) : std::nullopt;
      if (e->scoreAsked)
        scheduleScore(*p, 0, e->scoreReason);
      else
        scheduleScore(*p, p->config().policy.scoreInterval);
    });
  });
}

// ---- ha.* -------------------------------------------------------------------------------------

std::optional<long long> RestartPolicies::score(const Process& process) const {
  const ProcessEntry* e = entry(process);
  return e ? e->score : std::nullopt;
}

std::optional<policy::HookRun> RestartPolicies::lastRun(const Process& process, Hook hook) const {
  const ProcessEntry* e = entry(process);
  if (!e) return std::nullopt;
  auto it = e->hooks.find(hook);
  if (it == e->hooks.end()) return std::nullopt;
  return it->second;
}

policy::PolicyReport RestartPolicies::report(const Process& process) const {
  policy::PolicyReport report;
  const config::ProcessConfig& config = process.config();
  const config::PolicyConfig& policy = config.policy;
  report.name = config.name;
  report.group = config.groupName;
  report.backoff = policy.backoff == config::Backoff::Linear ? "linear" : "exponential";
  report.tries = process.record().backoff;
  report.nextDelay = policy::retryDelay(policy, report.tries + 1, 0);
  const ProcessState state = process.state();
  if ((state == ProcessState::Backoff || state == ProcessState::Exited || state == ProcessState::Fatal) &&
      !process.record().awaitingGroup && process.record().delay > 0)
    report.retryAt = process.record().delay;
  report.onBudgetSpent = policy::onBudgetSpentName(policy.onBudgetSpent);
  const double now = host_.now();
  if (const ProcessEntry* e = entry(process)) {
    report.budgetUsed = e->budget.used(now);
    report.budgetLimit = e->budget.limit();
    report.budgetWindow = e->budget.window();
    report.role = policy::roleText(e->role);
    report.score = e->score;
    report.escalation = e->escalation;
    // A probe checking now, else its last status, else (never run) its configuration.
    auto addProbe = [&](const char* kind, const std::unique_ptr<policy::ProbeMonitor>& monitor,
                        const std::optional<policy::ProbeReport>& last, const std::optional<config::ProbeConfig>& probe) {
      if (monitor)
        report.probes.push_back(probeReport(kind, *monitor, true));
      else if (last)
        report.probes.push_back(*last);
      else if (probe)
        report.probes.push_back(policy::ProbeReport{kind, probe->spec, false, 0, 0, std::nullopt, "", 0});
    };
    addProbe("readiness", e->readiness, e->lastReadiness, policy.readinessProbe);
    addProbe("liveness", e->liveness, e->lastLiveness, policy.livenessProbe);
    for (const auto& [hook, run] : e->hooks) report.hooks.push_back(run);  // in hook order
  }
  if (const GroupEntry* g = groupEntry(process)) {
    report.groupStrategy = policy::strategyName(g->group.config().policy.strategy);
    report.groupBudgetUsed = g->budget.used(now);
    report.groupBudgetLimit = g->budget.limit();
  }
  return report;
}

void RestartPolicies::resetBudget(const Process& process) {
  if (ProcessEntry* e = entry(process)) {
    e->budget.reset();
    e->escalation.clear();
  }
  if (GroupEntry* g = groupEntry(process)) g->budget.reset();
  host_.log(config::LogLevel::Info, "restart budget of " + process.config().name + " reset");
}

void RestartPolicies::promote(Process& process, HookDone done) { roleHook(process, Hook::Promote, std::move(done)); }

void RestartPolicies::demote(Process& process, HookDone done) { roleHook(process, Hook::Demote, std::move(done)); }

void RestartPolicies::roleHook(Process& process, Hook hook, HookDone done) {
  ProcessEntry* e = entry(process);
  using common::ErrorKind;
  if (!e || process.config().policy.role != config::Role::Promotable)
    return done(common::makeError(ErrorKind::NotPromotable, "not promotable"));
  // In a cluster the leader key decides who is primary: a local promote would make two.
  if (host_.config().cluster)
    return done(common::makeError(ErrorKind::ClusterManaged, "the cluster decides its role (use switchover)"));
  if (hook == Hook::Promote && process.state() != ProcessState::Running)
    return done(common::makeError(ErrorKind::NotRunning, "not running"));
  if (e->roleBusy) return done(common::makeError(ErrorKind::Busy, "a promote or demote of it is running"));
  const policy::ProgramRole newRole = hook == Hook::Promote ? policy::ProgramRole::Primary : policy::ProgramRole::Replica;
  if (policy::hookCommand(process.config().policy, hook).empty()) {
    e->role = newRole;
    const std::string none = "no " + std::string(hookName(hook)) + "_command";
    host_.log(config::LogLevel::Info, process.config().name + " is now " + policy::roleText(newRole) + " (" + none + ")");
    return done(policy::HookRun{hook, "operator", host_.now(), host_.now(), true, none, ""});
  }
  e->roleBusy = true;
  const std::string group = process.config().groupName;
  const std::string name = process.config().name;
  runHook(process, hook, "operator", [this, group, name, newRole, done = std::move(done)](const policy::HookRun& run) {
    if (Process* p = find(group, name)) {
      ProcessEntry* e = entry(*p);
      e->roleBusy = false;
      if (run.ok) {
        e->role = newRole;
        host_.log(config::LogLevel::Info, name + " is now " + policy::roleText(newRole));
      }
    }
    done(run);
  });
}

// ---- Cluster mode -----------------------------------------------------------------------------

void RestartPolicies::runClusterHook(Process& process, Hook hook, const std::string& reason,
                                     const config::Environment& extra, HookDone done) {
  if (!entry(process)) return done(common::makeError(common::ErrorKind::NoSuchProcess, "no such process"));
  if (policy::hookCommand(process.config().policy, hook).empty()) {
    const double now = host_.now();
    return done(policy::HookRun{hook, reason, now, now, true, "no " + std::string(hookName(hook)) + "_command", ""});
  }
  runHook(process, hook, reason, [done = std::move(done)](const policy::HookRun& run) { done(run); }, extra);
}

void RestartPolicies::setRole(const Process& process, policy::ProgramRole role) {
  if (ProcessEntry* e = entry(process)) e->role = role;
}

void RestartPolicies::refreshScore(Process& process, const std::string& reason) {
  if (!process.config().policy.scoreCommand.empty() && process.state() == ProcessState::Running) {
    ProcessEntry* e = entry(process);
    if (!e) return;
    e->scoreAsked = true;
    e->scoreReason = reason;
    scheduleScore(process, 0, reason);
  }
}

}  // namespace policy
