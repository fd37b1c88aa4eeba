#include "supervisord/daemon/supervisor.h"

#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <tuple>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/python_str.h"
#include "common/value_types.h"
#include "supervisord/config/config_loader.h"
#include "supervisord/events/event_bus.h"
#include "supervisord/events/event_types.h"
#include "supervisord/events/listener_pools.h"
#include "supervisord/events/tick_schedule.h"
#include "supervisord/logs/auto_child_log.h"
#include "supervisord/logs/daemon_log.h"
#include "supervisord/policy/restart_policies.h"
#include "supervisord/process/reaper.h"
#include "supervisord/process/signal_names.h"
#include "supervisord/process/spawner.h"

namespace supervisord {

namespace asio = boost::asio;
using process::ProcessState;
using process::SupervisorState;

struct Supervisor::Loop {
  asio::io_context io;
  asio::signal_set signals{io};
  std::unique_ptr<process::ChildSignalWatcher> children;
  asio::steady_timer shutdownReport{io};
  asio::steady_timer ticks{io};  // armed only while someone subscribes to TICK_*
  std::optional<events::TickSchedule> tickSchedule;
  process::Spawner spawner;
};

namespace {

// Every AUTO log of a group's processes gets its file in childlogdir, as
// Supervisor's create_autochildlogs does when a group is added.
void resolveAutoLogs(config::ProcessGroupConfig& group, const config::Config& config,
                     std::vector<std::string>& errors) {
  for (auto& p : group.processes) {
    for (auto [channel, name] : {std::pair{&p.stdoutChannel, "stdout"}, std::pair{&p.stderrChannel, "stderr"}}) {
      if (channel->target != config::ChannelConfig::Target::Auto) continue;
      if (std::string(name) == "stderr" && p.redirectStderr) continue;
      auto path = logs::autoChildLogName(config.supervisord.childlogdir, p.name, config.supervisord.identifier, name);
      if (path) {
        channel->logfile = *path;
      } else {
        errors.push_back(path.error());
        channel->target = config::ChannelConfig::Target::None;
      }
    }
  }
}

// ProcessConfig.__eq__: every parameter, where AUTO (a log file not yet
// resolved) matches anything; where the section sits in the file is not a parameter.
bool sameChannel(const config::ChannelConfig& a, const config::ChannelConfig& b) {
  const bool automatic = a.target == config::ChannelConfig::Target::Auto || b.target == config::ChannelConfig::Target::Auto;
  if (!automatic && (a.target != b.target || a.logfile != b.logfile)) return false;
  return std::tie(a.logfileMaxbytes, a.logfileBackups, a.captureMaxbytes, a.eventsEnabled, a.syslog) ==
         std::tie(b.logfileMaxbytes, b.logfileBackups, b.captureMaxbytes, b.eventsEnabled, b.syslog);
}

bool sameProcessConfig(const config::ProcessConfig& a, const config::ProcessConfig& b) {
  auto fields = [](const config::ProcessConfig& c) {
    return std::tie(c.name, c.groupName, c.programName, c.command, c.directory, c.umask, c.priority, c.autostart,
                    c.autorestart, c.startsecs, c.startretries, c.user, c.uid, c.stopsignal, c.stopwaitsecs,
                    c.stopasgroup, c.killasgroup, c.exitcodes, c.redirectStderr, c.environment, c.serverurl,
                    c.policy);
  };
  return fields(a) == fields(b) && sameChannel(a.stdoutChannel, b.stdoutChannel) &&
         sameChannel(a.stderrChannel, b.stderrChannel);
}

// ProcessGroupConfig.__eq__ (and its pool and FastCGI variants).
bool sameGroupConfig(const config::ProcessGroupConfig& a, const config::ProcessGroupConfig& b) {
  if (a.name != b.name || a.priority != b.priority || a.kind != b.kind || a.policy != b.policy) return false;
  if (a.processes.size() != b.processes.size()) return false;
  for (size_t i = 0; i < a.processes.size(); ++i)
    if (!sameProcessConfig(a.processes[i], b.processes[i])) return false;
  if (a.kind == config::GroupKind::EventListenerPool &&
      (a.bufferSize != b.bufferSize || a.events != b.events || a.resultHandler != b.resultHandler))
    return false;
  if (a.kind == config::GroupKind::FcgiProgram && a.socket != b.socket) return false;
  return true;
}

}  // namespace

Supervisor::Supervisor(config::Config config, logs::DaemonLog& log, events::EventBus& bus, bool first,
                       StartupMessages messages, config::LoadOptions load)
    : config_(std::move(config)),
      log_(log),
      bus_(bus),
      listenerPools_(std::make_unique<events::ListenerPools>(bus, config_.supervisord.identifier,
                                                     [&log](common::LogLevel level, const std::string& text) {
                                                       log.log(level, text);
                                                     })),
      first_(first),
      messages_(std::move(messages)),
      baseEnvironment_(config::currentEnvironment()),
      loop_(std::make_unique<Loop>()),
      load_(std::move(load)) {
  policies_ = std::make_unique<policy::RestartPolicies>(*this, [this] {
    if (stopping_) asio::post(loop_->io, [this] { continueStopping(); });
  });
}

Supervisor::~Supervisor() {
  services_.clear();
  policies_.reset();  // kills hooks still running, before the processes and the loop go
  groups_.clear();
  if (pidfileWritten_) ::unlink(config_.supervisord.pidfile.c_str());
}

asio::io_context& Supervisor::io() { return loop_->io; }
process::Spawner& Supervisor::spawner() { return loop_->spawner; }

process::WallTime Supervisor::now() const {
  struct timespec ts {};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void Supervisor::log(config::LogLevel level, const std::string& text) { log_.log(level, text); }

bool Supervisor::logEnabled(config::LogLevel level) const { return log_.enabled(level); }

Supervisor::Outcome Supervisor::run() {
  for (const auto& text : messages_.criticals) log_.critical(text);
  for (const auto& text : config_.warnings) log_.warn(text);
  for (const auto& text : config_.infos) log_.info(text);
  for (const auto& text : messages_.infos) log_.info(text);

  if (!config_.supervisord.nocleanup)
    for (const auto& warning : logs::clearAutoChildLogDir(config_.supervisord.childlogdir, config_.supervisord.identifier))
      log_.warn(warning);

  // The reaper exists before the first child does.
  loop_->children = std::make_unique<process::ChildSignalWatcher>(
      loop_->io, [this](std::vector<process::ReapedChild> reaped) {
        for (const auto& child : reaped) {
          // Supervisor's words (supervisord.py handle_signal), which its own tests wait
          // for; one line per child reaped, where Supervisor logs one per signal delivered.
          log_.debug("received SIGCHLD indicating a child quit");
          if (auto watched = watchedChildren_.find(child.pid); watched != watchedChildren_.end()) {
            auto exited = std::move(watched->second);
            watchedChildren_.erase(watched);
            exited(child.status);
            continue;
          }
          auto it = pids_.find(child.pid);
          if (it == pids_.end()) {
            log_.info("reaped unknown pid " + std::to_string(child.pid) + " (" +
                      process::decodeWaitStatus(child.status).message + ")");
            continue;
          }
          process::Process* p = it->second;
          pids_.erase(it);
          p->childExited(child.status);
          listenerPools_->exited(*p);
        }
      });

  for (const auto& group : config_.groups) addProcessGroup(group);

  for (const auto& factory : serviceFactories_) {
    auto service = factory(*this);
    if (!service) {
      refusal_ = service.error();
      services_.clear();
      return Outcome::Refused;
    }
    services_.push_back(std::move(*service));
  }

  for (int s : {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR2}) loop_->signals.add(s);
  std::function<void()> waitForSignal = [this, &waitForSignal] {
    loop_->signals.async_wait([this, &waitForSignal](boost::system::error_code ec, int signalNumber) {
      if (ec) return;
      handleSignal(signalNumber);
      waitForSignal();
    });
  };
  waitForSignal();

  if (!config_.supervisord.nodaemon && first_) {
    StartupMessages daemonMessages;
    loop_->io.notify_fork(asio::execution_context::fork_prepare);
    daemonize(config_.supervisord.directory, config_.supervisord.umask, daemonMessages);
    loop_->io.notify_fork(asio::execution_context::fork_child);
    for (const auto& text : daemonMessages.criticals) log_.critical(text);
    for (const auto& text : daemonMessages.infos) log_.info(text);
  }
  if (writePidfile(config_.supervisord.pidfile)) {
    pidfileWritten_ = true;
    log_.info("supervisord started with pid " + std::to_string(::getpid()));
  } else {
    log_.critical("could not write pidfile " + config_.supervisord.pidfile);
  }

  // Supervisor's runforever: SUPERVISOR_STATE_CHANGE_RUNNING, then the first tick().
  asio::post(loop_->io, [this] {
    bus_.publish(events::supervisorRunningEvent());
    loop_->tickSchedule.emplace(now());
    armTickTimer();
  });
  loop_->io.run();
  loop_->signals.cancel();
  loop_->ticks.cancel();
  services_.clear();
  return mood_ == SupervisorState::Restarting ? Outcome::Restart : Outcome::Shutdown;
}

bool Supervisor::addProcessGroup(const config::ProcessGroupConfig& groupConfig) {
  if (groups_.count(groupConfig.name)) return false;
  config::ProcessGroupConfig resolved = groupConfig;
  std::vector<std::string> errors;
  resolveAutoLogs(resolved, config_, errors);
  for (const auto& e : errors) log_.error(e);
  const std::string name = resolved.name;
  const bool listeners = resolved.kind == config::GroupKind::EventListenerPool;
  auto& group = groups_[name] = std::make_unique<process::ProcessGroup>(*this, std::move(resolved));
  policies_->groupAdded(*group);
  if (listeners) listenerPools_->addPool(*group);
  bus_.publish(events::processGroupAddedEvent(name));
  armTickTimer();
  return true;
}

bool Supervisor::removeProcessGroup(const std::string& name) {
  auto it = groups_.find(name);
  if (it == groups_.end() || !it->second->unstoppedProcesses().empty()) return false;
  listenerPools_->removePool(name);
  policies_->groupRemoved(*it->second);
  groups_.erase(it);
  bus_.publish(events::processGroupRemovedEvent(name));
  armTickTimer();
  return true;
}

std::vector<process::ProcessGroup*> Supervisor::groups() const {
  std::vector<process::ProcessGroup*> out;
  for (const auto& [name, group] : groups_) out.push_back(group.get());
  std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->priority() < b->priority(); });
  return out;
}

process::ProcessGroup* Supervisor::findGroup(const std::string& name) const {
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : it->second.get();
}

const process::Process* Supervisor::findProcess(const std::string& group, const std::string& name) const {
  process::ProcessGroup* g = findGroup(group);
  return g ? g->find(name) : nullptr;
}

namespace {
const std::string kNoSuchProcess = "no such process";

policy::Hook policyHook(cluster::ClusterHook hook) {
  switch (hook) {
    case cluster::ClusterHook::Promote: return policy::Hook::Promote;
    case cluster::ClusterHook::Demote: return policy::Hook::Demote;
    case cluster::ClusterHook::Follow: return policy::Hook::Follow;
    case cluster::ClusterHook::Route: return policy::Hook::Route;
    case cluster::ClusterHook::Notify: return policy::Hook::Notify;
  }
  return policy::Hook::Notify;
}
}

common::Result<void> Supervisor::startProcess(const std::string& group, const std::string& name) {
  process::ProcessGroup* g = findGroup(group);
  process::Process* p = g ? g->find(name) : nullptr;
  if (!p) return common::makeError(common::ErrorKind::NoSuchProcess, kNoSuchProcess);
  return p->start();
}

common::Result<void> Supervisor::stopProcess(const std::string& group, const std::string& name) {
  process::ProcessGroup* g = findGroup(group);
  process::Process* p = g ? g->find(name) : nullptr;
  if (!p) return common::makeError(common::ErrorKind::NoSuchProcess, kNoSuchProcess);
  return p->stop();
}

void Supervisor::stopReport(const std::string& group, const std::string& name) {
  process::ProcessGroup* g = findGroup(group);
  if (process::Process* p = g ? g->find(name) : nullptr) p->stopReport();
}

common::Result<void> Supervisor::signalProcess(const std::string& group, const std::string& name, int signal) {
  process::ProcessGroup* g = findGroup(group);
  process::Process* p = g ? g->find(name) : nullptr;
  if (!p) return common::makeError(common::ErrorKind::NoSuchProcess, kNoSuchProcess);
  return p->signal(signal);
}

common::Result<void> Supervisor::sendProcessStdin(const std::string& group, const std::string& name,
                                                  std::string_view bytes) {
  process::ProcessGroup* g = findGroup(group);
  process::Process* p = g ? g->find(name) : nullptr;
  if (!p) return common::makeError(common::ErrorKind::NoSuchProcess, kNoSuchProcess);
  return p->writeStdin(bytes);
}

common::Result<void> Supervisor::clearProcessLogs(const std::string& group, const std::string& name) {
  process::ProcessGroup* g = findGroup(group);
  process::Process* p = g ? g->find(name) : nullptr;
  if (!p) return common::makeError(common::ErrorKind::NoSuchProcess, kNoSuchProcess);
  return p->clearLogs();
}

const std::string& Supervisor::mainLogFile() const { return log_.logfile(); }

common::Result<void> Supervisor::clearMainLog() { return log_.clear(); }

common::Result<Supervisor::ConfigDiff> Supervisor::reloadConfig() {
  auto loaded = config::loadConfig(load_);
  if (!loaded) return common::makeError(loaded.error());
  config_.groups = std::move(loaded->groups);
  ConfigDiff diff;
  for (const auto& group : config_.groups) {
    process::ProcessGroup* running = findGroup(group.name);
    if (!running)
      diff.added.push_back(group.name);
    else if (!sameGroupConfig(group, running->config()))
      diff.changed.push_back(group.name);
  }
  for (auto* running : groups())
    if (!config_.findGroup(running->name())) diff.removed.push_back(running->name());
  return diff;
}

void Supervisor::remoteCommunication(const std::string& type, const std::string& data) {
  bus_.publish(events::remoteCommunicationEvent(type, data));
}

void Supervisor::childSpawned(process::Process& process, pid_t pid) {
  pids_[pid] = &process;
  listenerPools_->spawned(process);
  policies_->childSpawned(process);
}

// POutputDispatcher._log / PEventListenerDispatcher.handle_read_event: the main log
// at debug level, then the listener protocol (a listener's stdout) or PROCESS_LOG_*.
void Supervisor::childOutput(process::Process& process, bool isStderr, std::string_view data) {
  const auto& config = process.config();
  const char* channel = isStderr ? "stderr" : "stdout";
  if (log_.enabled(config::LogLevel::Debug))
    log_.debug(common::pythonRepr(config.name) + " " + channel + " output:\n" + events::textOrUndecodable(data));
  if (!isStderr && listenerPools_->isListener(process)) {
    listenerPools_->stdoutOutput(process, data);
    return;
  }
  const auto& channelConfig = isStderr ? config.stderrChannel : config.stdoutChannel;
  if (channelConfig.eventsEnabled)
    bus_.publish(events::processLogEvent(isStderr ? events::Channel::Stderr : events::Channel::Stdout, config.name,
                                         config.groupName, process.pid(), std::string(data)));
}

void Supervisor::childCommunication(process::Process& process, bool isStderr, std::string_view data) {
  const auto& config = process.config();
  bus_.publish(events::processCommunicationEvent(isStderr ? events::Channel::Stderr : events::Channel::Stdout,
                                                 config.name, config.groupName, process.pid(), std::string(data)));
  log_.debug(common::pythonRepr(config.name) + " " + (isStderr ? "stderr" : "stdout") + " emitted a comm event");
}

void Supervisor::stateChanged(process::Process& process, const process::StateChanged& change) {
  const auto& config = process.config();
  bus_.publish(events::processStateEvent(change.to, config.name, config.groupName, change.from, change.tries,
                                         change.expected, change.pid));
  listenerPools_->stateChanged(process, change.to);
  policies_->stateChanged(process, change);
  if (stopping_) asio::post(loop_->io, [this] { continueStopping(); });
}

// TICK_5/60/3600, only while some listener subscribes to them: no wake-ups otherwise.
void Supervisor::armTickTimer() {
  if (!loop_->tickSchedule) return;
  const auto periods = events::subscribedTickPeriods(bus_);
  const auto next = events::nextTickTime(now(), periods);
  loop_->ticks.cancel();
  if (!next) return;
  loop_->ticks.expires_after(std::chrono::microseconds(static_cast<int64_t>((*next - now()) * 1e6) + 1000));
  loop_->ticks.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    for (auto& event : loop_->tickSchedule->due(now())) bus_.publish(std::move(event));
    armTickTimer();
  });
}

void Supervisor::handleSignal(int signalNumber) {
  const std::string name = process::signame(signalNumber);
  switch (signalNumber) {
    case SIGTERM:
    case SIGINT:
    case SIGQUIT:
      log_.warn("received " + name + " indicating exit request");
      shutdown();
      break;
    case SIGHUP:
      if (mood_ == SupervisorState::Shutdown) {
        log_.warn("ignored " + name + " indicating restart request (shutdown in progress)");
      } else {
        log_.warn("received " + name + " indicating restart request");
        restart();
      }
      break;
    case SIGUSR2:
      log_.info("received " + name + " indicating log reopen request");
      reopenLogs();
      break;
    default:
      log_.blather("received " + name + " indicating nothing");
  }
}

void Supervisor::shutdown() { beginStopping(SupervisorState::Shutdown); }

void Supervisor::restart() { beginStopping(SupervisorState::Restarting); }

void Supervisor::reopenLogs() {
  auto reopened = log_.reopen();
  if (!reopened) log_.error(reopened.error());
  for (auto& [name, group] : groups_) group->reopenLogs();
}

void Supervisor::beginStopping(SupervisorState mood) {
  mood_ = mood;
  if (!stopping_) {
    stopping_ = true;
    stopGroups_ = groups();
    bus_.publish(events::supervisorStoppingEvent());
  }
  // Nothing restarts from now on: let every process see the new mood.
  for (auto* group : groups())
    for (const auto& p : group->processes()) p->tick();
  continueStopping();
  if (!loop_->io.stopped()) reportUnstopped();
}

// Supervisor's ordered_stop_groups: the highest-priority group first, one group at
// a time, each fully stopped before the next.
void Supervisor::continueStopping() {
  while (!stopGroups_.empty()) {
    process::ProcessGroup* group = stopGroups_.back();
    group->stopAll();
    if (!group->unstoppedProcesses().empty()) return;
    stopGroups_.pop_back();
  }
  for (auto* group : groups())
    if (!group->unstoppedProcesses().empty()) return;
  if (policies_->hooksRunning()) return;  // post_stop hooks finish first (each within hook_timeout)
  for (const auto& service : services_)
    if (service->busy()) return;  // e.g. the cluster agent releasing its lease (bounded by its timeout)
  loop_->io.stop();
}

// "waiting for x, y to die" every 3 seconds while a stop is in progress.
void Supervisor::reportUnstopped() {
  std::vector<std::string> names;
  for (auto* group : groups())
    for (auto* p : group->unstoppedProcesses()) names.push_back(p->config().name);
  if (!names.empty()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    log_.info("waiting for " + list + " to die");
  }
  loop_->shutdownReport.cancel();
  loop_->shutdownReport.expires_after(std::chrono::seconds(3));
  loop_->shutdownReport.async_wait([this](boost::system::error_code ec) {
    if (!ec) reportUnstopped();
  });
}

}  // namespace supervisord

// ---- Restart policy -------------------------------------------------------------------------
namespace supervisord {

process::RestartAdvice Supervisor::restartAdvice(const process::Process& process) const {
  return policies_->advice(process);
}
void Supervisor::restartCounted(process::Process& process) { policies_->restartCounted(process); }
void Supervisor::gaveUp(process::Process& process, const std::string& reason) { policies_->gaveUp(process, reason); }
void Supervisor::groupRestartWanted(process::Process& process) { policies_->groupRestartWanted(process); }
bool Supervisor::beforeSpawn(process::Process& process, std::function<void(std::optional<std::string>)> proceed) {
  return policies_->beforeSpawn(process, std::move(proceed));
}
void Supervisor::cancelBeforeSpawn(process::Process& process) { policies_->cancelBeforeSpawn(process); }

void Supervisor::escalated(const std::string& name, const std::string& group, const std::string& reason) {
  bus_.publish(events::policyEscalationEvent(name, group, reason));
}

void Supervisor::hookFinished(const std::string& name, const std::string& group, policy::Hook hook, bool ok,
                              const std::string& description) {
  bus_.publish(events::policyHookResultEvent(name, group, std::string(policy::hookName(hook)), ok, description));
}

void Supervisor::watchChild(pid_t pid, std::function<void(int waitStatus)> exited) {
  watchedChildren_[pid] = std::move(exited);
}

common::Result<policy::PolicyReport> Supervisor::policyReport(const std::string& group, const std::string& name) const {
  const process::Process* p = findProcess(group, name);
  if (!p) return common::makeError(common::ErrorKind::NoSuchProcess, kNoSuchProcess);
  return policies_->report(*p);
}

common::Result<void> Supervisor::resetBudget(const std::string& group, const std::string& name) {
  const process::Process* p = findProcess(group, name);
  if (!p) return common::makeError(common::ErrorKind::NoSuchProcess, kNoSuchProcess);
  policies_->resetBudget(*p);
  return {};
}

void Supervisor::promote(const std::string& group, const std::string& name, HookDone done) {
  process::ProcessGroup* g = findGroup(group);
  process::Process* p = g ? g->find(name) : nullptr;
  if (!p) return done(common::makeError(common::ErrorKind::NoSuchProcess, kNoSuchProcess));
  policies_->promote(*p, std::move(done));
}

void Supervisor::demote(const std::string& group, const std::string& name, HookDone done) {
  process::ProcessGroup* g = findGroup(group);
  process::Process* p = g ? g->find(name) : nullptr;
  if (!p) return done(common::makeError(common::ErrorKind::NoSuchProcess, kNoSuchProcess));
  policies_->demote(*p, std::move(done));
}

// ---- Cluster mode -----------------------------------------------------------------------------

void Supervisor::runClusterHook(const std::string& group, const std::string& name, cluster::ClusterHook hook,
                                const std::string& reason, const config::Environment& extra,
                                cluster::ClusterHost::HookDone done) {
  process::ProcessGroup* g = findGroup(group);
  process::Process* p = g ? g->find(name) : nullptr;
  if (!p) return done(false);
  policies_->runClusterHook(*p, policyHook(hook), reason, extra,
                            [done = std::move(done)](common::Result<policy::HookRun> run) { done(run.ok() && run->ok); });
}

void Supervisor::setRole(const std::string& group, const std::string& name, cluster::LocalRole role) {
  if (const process::Process* p = findProcess(group, name))
    policies_->setRole(*p, role == cluster::LocalRole::Primary ? policy::ProgramRole::Primary
                                                               : policy::ProgramRole::Replica);
}

std::optional<long long> Supervisor::score(const std::string& group, const std::string& name) const {
  const process::Process* p = findProcess(group, name);
  return p ? policies_->score(*p) : std::nullopt;
}

std::optional<cluster::ScoreRun> Supervisor::lastScoreRun(const std::string& group, const std::string& name) const {
  const process::Process* p = findProcess(group, name);
  auto run = p ? policies_->lastRun(*p, policy::Hook::Score) : std::nullopt;
  if (!run) return std::nullopt;
  return cluster::ScoreRun{run->reason, run->started, run->finished, run->ok};
}

void Supervisor::refreshScore(const std::string& group, const std::string& name, const std::string& reason) {
  process::ProcessGroup* g = findGroup(group);
  if (process::Process* p = g ? g->find(name) : nullptr) policies_->refreshScore(*p, reason);
}

void Supervisor::serviceIdle() {
  if (stopping_) asio::post(loop_->io, [this] { continueStopping(); });
}

}  // namespace supervisord
