#include "supervisord/cluster/cluster_node.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "common/namespec.h"
#include "common/value_types.h"
#include "supervisord/cluster/cluster_host.h"
#include "supervisord/cluster/cluster_keys.h"
#include "supervisord/cluster/election.h"
#include "supervisord/cluster/etcd_client.h"
#include "supervisord/cluster/handover_rules.h"
#include "supervisord/cluster/lease_times.h"
#include "supervisord/cluster/program_health.h"
#include "supervisord/cluster/watchdog.h"
#include "supervisord/events/event_bus.h"
#include "supervisord/events/event_types.h"
#include "supervisord/process/process.h"
#include "supervisord/process/process_group.h"

namespace cluster {

namespace asio = boost::asio;

namespace {

double steadyNow() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::chrono::microseconds after(double seconds) {
  return std::chrono::microseconds(static_cast<long long>(std::max(0.0, seconds) * 1e6));
}

Health healthOf(const process::Process& p) { return cluster::healthOf(p.state(), p.restartPending()); }

}  // namespace

// One promotable program: its election, what etcd shows of it, what this node published.
struct ProgramState {
  std::string group;
  std::string name;
  std::string namespec;
  Election election;
  cluster::View view;
  long long leaderLease = 0;                  // the lease the leader key is attached to
  std::map<std::string, MemberRole> roles;    // last role seen per node (notify_command)
  std::optional<std::string> published;       // the member entry as last written
  bool publishing = false;
  bool stoppedByFence = false;
  bool fenceDemoting = false;   // the fence's demote hook is running (the watchdog stays armed)
  double electionScoreAsked = 0;  // wall time of the election's RefreshScore; 0: none since a leader
  bool freshScore = false;        // the score_command run it asked for has answered
  std::optional<long long> reconsiderAt;  // a refused Acquire: decide again once the view reached it

  ProgramState(std::string g, std::string n, cluster::ElectionSettings settings)
      : group(std::move(g)), name(std::move(n)), namespec(common::makeNamespec(group, name)),
        election(std::move(settings)) {}
};

struct ClusterNode::State {
  ClusterHost& host;
  const config::ClusterConfig config;
  const cluster::ClusterKeys keys;
  std::unique_ptr<cluster::EtcdClient> client;
  asio::steady_timer keepaliveTimer;
  asio::steady_timer fenceTimer;
  asio::steady_timer deadlineTimer;
  asio::steady_timer resyncTimer;
  std::unique_ptr<cluster::EtcdWatch> watch;
  std::map<std::string, std::unique_ptr<ProgramState>> programs;  // by namespec
  events::EventBus::SubscriptionId subscription = 0;

  long long lease = 0;          // 0: none
  long long abandoned = 0;      // a lease given up unconfirmed: revoked once etcd answers
  bool revoking = false;        // a revoke of it is in flight
  bool granting = false;
  bool renewing = false;        // a keepalive is in flight
  LeaseTimes times;             // the lease's last confirmed renewal, and what follows from it
  bool quorum = false;
  bool maintenance = false;
  bool evaluationPosted = false;
  bool resyncing = false;
  long long viewRevision = 0;   // the etcd revision the programs' views reflect
  bool leaving = false;         // the daemon is stopping
  bool left = false;            // the lease is revoked (or there was none)
  std::string lastFailure;      // the last etcd failure logged (repeats are not)
  std::unique_ptr<cluster::Watchdog> watchdog;  // armed while this node is a primary
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);

  State(ClusterHost& h, std::unique_ptr<cluster::EtcdClient> etcd)
      : host(h),
        config(*h.config().cluster),
        keys(config.name),
        client(std::move(etcd)),
        keepaliveTimer(h.io()),
        fenceTimer(h.io()),
        deadlineTimer(h.io()),
        resyncTimer(h.io()),
        times(config.leaseTtl, config.fenceMargin) {}

  static cluster::EtcdClientOptions clientOptions(const config::ClusterConfig& c) {
    cluster::EtcdClientOptions options;
    for (const auto& e : c.etcd) {
      const std::string name = e.host.find(':') == std::string::npos ? e.host : "[" + e.host + "]";
      options.endpoints.push_back("http://" + name + ":" + std::to_string(e.port));
    }
    options.requestTimeout = std::chrono::milliseconds(static_cast<long long>(c.requestTimeout * 1000));
    return options;
  }

  void log(config::LogLevel level, const std::string& text) { host.log(level, "cluster: " + text); }

  // An etcd failure, logged when it differs from the last one (a dead etcd is not a
  // line per keepalive).
  void failure(const std::string& what, const std::string& error) {
    const std::string line = what + ": " + error;
    if (line == lastFailure) return;
    lastFailure = line;
    log(config::LogLevel::Warn, line);
  }

  // Runs `action` later on the loop, unless this State is gone by then.
  template <typename F>
  auto guarded(F action) {
    return [weak = std::weak_ptr<bool>(alive), action = std::move(action)](auto&&... args) mutable {
      auto flag = weak.lock();
      if (!flag || !*flag) return;
      action(std::forward<decltype(args)>(args)...);
    };
  }

  // ---- Programs ----------------------------------------------------------------------------

  void collectPrograms() {
    std::map<std::string, std::unique_ptr<ProgramState>> found;
    for (auto* group : host.groups())
      for (const auto& p : group->processes()) {
        if (p->config().policy.role != config::Role::Promotable) continue;
        const std::string namespec = common::makeNamespec(group->name(), p->config().name);
        auto existing = programs.find(namespec);
        if (existing != programs.end()) {
          found[namespec] = std::move(existing->second);
          continue;
        }
        cluster::ElectionSettings settings{config.node, config.settle, config.leaseTtl,
                                           config.noQuorumPolicy == config::NoQuorumPolicy::Freeze,
                                           config.primaryStartTimeout, config.minCandidates, config.leaseTtl};
        found[namespec] = std::make_unique<ProgramState>(group->name(), p->config().name, settings);
      }
    programs = std::move(found);
  }

  const process::Process* processOf(const ProgramState& p) const { return host.findProcess(p.group, p.name); }

  cluster::Local localOf(const ProgramState& p) const {
    cluster::Local local;
    local.quorum = quorum;
    const process::Process* process = processOf(p);
    if (!process) return local;
    local.health = healthOf(*process);
    if (leaving) return local;  // a stopping daemon is nobody's candidate
    if (local.health == Health::Up) local.score = host.score(p.group, p.name);
    local.freshScore = p.freshScore && local.health == Health::Up;
    return local;
  }

  cluster::View viewOf(const ProgramState& p) const {
    cluster::View view = p.view;
    view.maintenance = maintenance;
    if (view.leader) view.leader->mine = lease != 0 && p.leaderLease == lease;
    return view;
  }

  // ---- Lease -------------------------------------------------------------------------------

  void grant() {
    if (granting || leaving) return;
    granting = true;
    const double sentAt = steadyNow();
    client->grantLease(static_cast<std::int64_t>(config.leaseTtl),
                       guarded([this, sentAt](common::Result<cluster::LeaseGrant> result) {
                        granting = false;
                        if (!result) {
                          failure("could not get an etcd lease", result.error());
                          armKeepalive();
                          return;
                        }
                        lease = result->id;
                        times.granted(sentAt);
                        lastFailure.clear();
                        log(config::LogLevel::Info, "node " + config.node + " joined cluster " + config.name +
                                                        " (lease " + std::to_string(lease) + ", ttl " +
                                                        common::secondsText(config.leaseTtl) + " s)");
                        setQuorum(true);
                        for (auto& [name, p] : programs) p->published.reset();  // entries went with the old lease
                        resync();
                        armKeepalive();
                      }));
  }

  void armKeepalive() {
    keepaliveTimer.expires_after(after(times.keepaliveInterval()));
    keepaliveTimer.async_wait(guarded([this](boost::system::error_code ec) {
      if (!ec) keepalive();
    }));
  }

  void keepalive() {
    // A stopping daemon renews its lease until its programs are down and it revokes it:
    // a primary still stopping stays fenced in time, and its watchdog fed.
    if (left) return;
    if (abandoned != 0) revokeAbandoned();
    if (lease != 0 && times.overdue(steadyNow())) abandon();
    if (lease == 0) return grant();
    armKeepalive();
    if (renewing) return;  // the last one is still trying the endpoints
    renewing = true;
    const double sentAt = steadyNow();
    const long long id = lease;
    client->keepAlive(id, guarded([this, sentAt, id](common::Result<std::int64_t> result) {
      renewing = false;
      if (id != lease) return;
      if (result) {
        renewed(sentAt);
      } else if (cluster::isLeaseNotFound(result.error())) {
        log(config::LogLevel::Warn, "lease " + std::to_string(id) + " expired in etcd: its keys are gone");
        lease = 0;
        setQuorum(false);
        grant();
      } else {
        failure("could not renew the etcd lease", result.error());
      }
    }));
  }

  // A renewal sent at `sentAt` was confirmed: the lease lasts until sentAt + lease_ttl at least.
  void renewed(double sentAt) {
    times.renewed(sentAt);
    lastFailure.clear();
    feedWatchdog(sentAt);
    setQuorum(true);
  }

  // ---- Watchdog ----------------------------------------------------------------------------

  // A promotion needs the watchdog armed, and the device fed at a moment the lease is
  // known to outlast its timeout (the last renewal's answer came within 1 s of now):
  // otherwise a renewal first.
  bool watchdogNeedsRenewal() const {
    return config.watchdogMode != config::WatchdogMode::Off && !watchdog &&
           !cluster::mayFeed(times.lastRenewal(), steadyNow(), config.leaseTtl);
  }

  // Renews the lease now (besides the periodic keepalive), then done(true) if the lease
  // may feed a watchdog from now.
  void renewNow(std::function<void(bool)> done) {
    if (lease == 0) return done(false);
    const double sentAt = steadyNow();
    const long long id = lease;
    client->keepAlive(id, guarded([this, sentAt, id, done = std::move(done)](common::Result<std::int64_t> result) {
      if (id != lease || !result) return done(false);
      renewed(sentAt);
      done(cluster::mayFeed(sentAt, steadyNow(), config.leaseTtl));
    }));
  }

  // Before a promotion: false when watchdog_mode = required and the device cannot be armed.
  bool armWatchdog() {
    if (config.watchdogMode == config::WatchdogMode::Off || watchdog) return true;
    auto opened = cluster::Watchdog::open(config.watchdogDevice, cluster::watchdogTimeout(config.leaseTtl));
    if (!opened) {
      const bool required = config.watchdogMode == config::WatchdogMode::Required;
      log(required ? config::LogLevel::Error : config::LogLevel::Warn,
          opened.error() + (required ? " (watchdog_mode = required: not promoting)"
                                     : " (watchdog_mode = automatic: promoting without it)"));
      return !required;
    }
    watchdog = std::move(*opened);
    if (auto fed = watchdog->feed(); !fed) log(config::LogLevel::Warn, fed.error());
    log(config::LogLevel::Info, "watchdog " + watchdog->device() + " armed: it resets this node unless fed within " +
                                    std::to_string(watchdog->timeout()) + " s (fed at each lease renewal)" +
                                    (watchdog->note().empty() ? "" : "; " + watchdog->note()));
    return true;
  }

  // At a renewal sent at `sentAt`: the lease now lasts until sentAt + lease_ttl at least.
  void feedWatchdog(double sentAt) {
    if (!watchdog || !cluster::mayFeed(sentAt, steadyNow(), config.leaseTtl)) return;
    if (auto fed = watchdog->feed(); !fed) failure("watchdog", fed.error());
  }

  // No primary here any more, and no fence demote still running: nothing to guard.
  void disarmWatchdogWhenIdle() {
    if (!watchdog) return;
    for (const auto& [namespec, p] : programs)
      if (p->election.role() != MemberRole::Replica || p->fenceDemoting) return;
    watchdog->disarm();
    log(config::LogLevel::Info, "watchdog " + watchdog->device() + " disarmed (no primary on this node)");
    watchdog.reset();
  }

  // No renewal confirmed for a whole lease_ttl: for this node the lease is over. Renewals
  // that reach etcd unanswered (a one-way partition: the nemesis's partition-node-in)
  // would keep it and this node's keys alive in etcd, a fenced primary's leader key
  // with them, and nobody could be elected. So it stops renewing it, revokes it as soon
  // as etcd answers, and asks for a new lease.
  void abandon() {
    log(config::LogLevel::Warn, "lease " + std::to_string(lease) + " given up: no renewal confirmed for " +
                                    common::secondsText(config.leaseTtl) + " s (lease_ttl)");
    abandoned = lease;
    lease = 0;
    setQuorum(false);
  }

  void revokeAbandoned() {
    if (revoking) return;
    revoking = true;
    const long long id = abandoned;
    client->revokeLease(id, guarded([this, id](common::Result<void> result) {
      revoking = false;
      if (abandoned != id) return;
      if (result || cluster::isLeaseNotFound(result.error())) {
        abandoned = 0;
        log(config::LogLevel::Info, "lease " + std::to_string(id) + " revoked: its keys are gone");
      }
    }));
  }

  // quorum = the lease was renewed within lease_ttl - fence_margin; the fence timer ends it.
  void setQuorum(bool renewed) {
    const bool now = renewed && lease != 0 && times.quorum(steadyNow());
    if (now) {
      fenceTimer.expires_after(after(times.fenceAt() - steadyNow()));
      fenceTimer.async_wait(guarded([this](boost::system::error_code ec) {
        if (!ec) setQuorum(false);
      }));
    }
    if (now == quorum) return;
    quorum = now;
    if (!quorum)
      log(config::LogLevel::Warn, "no quorum: the etcd lease was not renewed for " +
                                      common::secondsText(times.fenceWindow()) + " s (lease_ttl - fence_margin)");
    else
      log(config::LogLevel::Info, "quorum: the etcd lease is renewed");
    evaluateSoon();
  }

  // ---- What etcd shows ---------------------------------------------------------------------

  // Reads every key of the cluster, then watches from there.
  void resync() {
    if (resyncing) return;
    resyncing = true;
    client->rangePrefix(keys.prefix(), guarded([this](common::Result<cluster::RangeResult> result) {
      resyncing = false;
      if (!result) {
        failure("could not read the cluster's keys", result.error());
        scheduleResync(0.5);
        return;
      }
      maintenance = false;
      for (auto& [name, p] : programs) {
        p->view.leader.reset();
        p->view.members.clear();
        p->view.handover.reset();
        p->leaderLease = 0;
      }
      for (const auto& kv : result->kvs) apply(kv);
      viewRevision = result->revision;
      startWatch(result->revision + 1);
      scheduleResync(5);  // a safety net under the watch
      evaluateSoon();
    }));
  }

  void scheduleResync(double seconds) {
    resyncTimer.expires_after(after(seconds));
    resyncTimer.async_wait(guarded([this](boost::system::error_code ec) {
      if (!ec) resync();
    }));
  }

  void startWatch(long long revision) {
    watch = client->watchPrefix(
        keys.prefix(), revision,
        guarded([this](std::vector<cluster::WatchEvent> events, std::int64_t revision) {
          for (const auto& event : events) {
            if (event.type == cluster::WatchEvent::Type::Put)
              apply(event.kv);
            else
              remove(event.kv.key);
          }
          viewRevision = std::max(viewRevision, static_cast<long long>(revision));
          evaluateSoon();
        }),
        guarded([this](std::string reason) {
          failure("the etcd watch broke", reason);
          watch.reset();
          scheduleResync(0.5);
        }));
  }

  ProgramState* programOf(const cluster::ClusterKeys::Located& where) {
    auto it = programs.find(where.program);
    return it == programs.end() ? nullptr : it->second.get();
  }

  void apply(const cluster::KeyValue& kv) {
    using Kind = cluster::ClusterKeys::Located::Kind;
    auto where = keys.locate(kv.key);
    if (!where) return;
    if (where->kind == Kind::Maintenance) {
      maintenance = kv.value == "on";
      return;
    }
    ProgramState* p = programOf(*where);  // another node's program that is not ours: ignored
    if (!p) return;
    switch (where->kind) {
      case Kind::Leader:
        if (auto leader = cluster::decodeLeader(kv.value)) {
          leader->createRevision = kv.createRevision;
          p->view.leader = *leader;
          p->leaderLease = kv.lease;
        }
        return;
      case Kind::Handover:
        if (auto handover = cluster::decodeHandover(kv.value)) p->view.handover = *handover;
        return;
      case Kind::Member:
        if (auto m = cluster::decodeMember(where->node, kv.value)) {
          p->view.members[m->node] = *m;
          noticeRole(*p, m->node, m->role);
        }
        return;
      case Kind::Maintenance:
        return;
    }
  }

  void remove(const std::string& key) {
    using Kind = cluster::ClusterKeys::Located::Kind;
    auto where = keys.locate(key);
    if (!where) return;
    if (where->kind == Kind::Maintenance) {
      maintenance = false;
      return;
    }
    ProgramState* p = programOf(*where);
    if (!p) return;
    switch (where->kind) {
      case Kind::Leader:
        p->view.leader.reset();
        p->leaderLease = 0;
        return;
      case Kind::Handover:
        p->view.handover.reset();
        return;
      case Kind::Member:
        p->view.members.erase(where->node);
        p->roles.erase(where->node);  // a node that comes back starts as a replica: no notification
        return;
      case Kind::Maintenance:
        return;
    }
  }

  // notify_command, pre and post every promote and demote anywhere in the cluster.
  void noticeRole(ProgramState& p, const std::string& node, MemberRole role) {
    auto known = p.roles.find(node);
    std::optional<MemberRole> before;
    if (known != p.roles.end()) before = known->second;
    p.roles[node] = role;
    if (!before && role == MemberRole::Replica) return;  // a node joining as replica
    for (const auto& n : cluster::notificationsFor(before, role)) {
      config::Environment extra = hookEnvironment(p);
      extra.emplace_back("SUPERVISOR_NOTIFY_TYPE", n.type);
      extra.emplace_back("SUPERVISOR_NOTIFY_OPERATION", n.operation);
      extra.emplace_back("SUPERVISOR_NOTIFY_NODE", node);
      host.runClusterHook(p.group, p.name, ClusterHook::Notify, n.type + " " + n.operation + " " + node, extra, [](bool) {});
    }
  }

  // ---- Deciding and acting -----------------------------------------------------------------

  void evaluateSoon() {
    if (evaluationPosted) return;
    evaluationPosted = true;
    asio::post(host.io(), guarded([this] {
      evaluationPosted = false;
      evaluate();
    }));
  }

  void evaluate() {
    // The fence does not wait for its timer when the loop was late.
    if (quorum && !times.quorum(steadyNow())) setQuorum(false);
    const double now = steadyNow();
    std::optional<double> next;
    for (auto& [namespec, p] : programs) {
      noteFreshScore(*p);
      if (p->reconsiderAt && viewRevision >= *p->reconsiderAt) {
        p->reconsiderAt.reset();
        carryOut(*p, p->election.reconsider(viewOf(*p), localOf(*p), now));
      }
      carryOut(*p, p->election.observe(viewOf(*p), localOf(*p), now));
      publish(*p);
      if (auto deadline = p->election.nextDeadline(now); deadline && (!next || *deadline < *next)) next = deadline;
    }
    if (next) {
      deadlineTimer.expires_after(after(*next - now + 0.001));
      deadlineTimer.async_wait(guarded([this](boost::system::error_code ec) {
        if (!ec) evaluate();
      }));
    }
    disarmWatchdogWhenIdle();
    if (leaving && !left) leaveWhenStopped();
  }

  config::Environment hookEnvironment(const ProgramState& p, const std::string& primary = {},
                                      const std::string& primaryAddress = {}) const {
    config::Environment extra = {{"SUPERVISOR_CLUSTER", config.name},
                                 {"SUPERVISOR_NODE", config.node},
                                 {"SUPERVISOR_NODE_ADDRESS", config.advertise}};
    std::string node = primary;
    std::string address = primaryAddress;
    if (node.empty() && p.view.leader) {
      node = p.view.leader->node;
      address = p.view.leader->address;
    }
    extra.emplace_back("SUPERVISOR_PRIMARY_NODE", node);
    extra.emplace_back("SUPERVISOR_PRIMARY_ADDRESS", address);
    return extra;
  }

  // Finds the program again by name after an asynchronous step (it may be gone).
  ProgramState* find(const std::string& namespec) {
    auto it = programs.find(namespec);
    return it == programs.end() ? nullptr : it->second.get();
  }

  void runHook(ProgramState& p, ClusterHook hook, const std::string& reason, config::Environment extra,
               std::function<void(ProgramState&, bool)> then) {
    const std::string namespec = p.namespec;
    host.runClusterHook(p.group, p.name, hook, reason, extra, guarded([this, namespec, then = std::move(then)](bool ok) {
                          ProgramState* p = find(namespec);
                          if (!p) return;
                          if (then) then(*p, ok);
                          evaluateSoon();
                        }));
  }

  void carryOut(ProgramState& p, const std::vector<Action>& actions) {
    for (const Action& a : actions) act(p, a);
  }

  void act(ProgramState& p, const Action& a) {
    const std::string namespec = p.namespec;
    auto withProgram = [this, namespec](auto body) {
      return guarded([this, namespec, body = std::move(body)](auto&&... args) mutable {
        if (ProgramState* p = find(namespec)) body(*p, std::forward<decltype(args)>(args)...);
      });
    };
    switch (a.kind) {
      case Action::Kind::RefreshScore:
        p.electionScoreAsked = host.now();
        p.freshScore = false;
        host.refreshScore(p.group, p.name, "election");
        return;

      case Action::Kind::Acquire: {
        if (lease == 0) {
          carryOut(p, p.election.acquired(false, viewOf(p), localOf(p), steadyNow()));
          return;
        }
        log(config::LogLevel::Info, namespec + ": taking the leader key (best candidate)");
        const std::string value = cluster::encodeLeader(config.node, config.advertise);
        const long long ourLease = lease;
        // The decision holds only on the candidates' entries this node decided on: etcd
        // refuses the key if any changed after viewRevision (a fresher score not seen yet).
        const long long decidedAt = viewRevision;
        client->createIfAbsent(
            keys.leader(p.namespec), value, lease,
            withProgram([this, ourLease, ourValue = value, decidedAt](ProgramState& p,
                                                                     common::Result<cluster::CreateResult> result) {
              bool won = false;
              if (result && !result->succeeded && !result->holder) {
                log(config::LogLevel::Info, p.namespec + ": not taking the leader key: a candidate's entry changed "
                                                         "after this node's view (revision " +
                                                         std::to_string(result->newest) + " > " +
                                                         std::to_string(decidedAt) + "); deciding again");
                p.reconsiderAt = result->newest;
                evaluateSoon();
                return;
              }
              if (!result) {
                failure(p.namespec + ": could not take the leader key", result.error());
              } else if (result->succeeded) {
                won = true;
                p.view.leader = cluster::Leader{config.node, config.advertise, result->revision, true};
                p.leaderLease = ourLease;
              } else if (result->holder) {
                // A timed-out attempt retried on another endpoint may find our own key.
                won = result->holder->lease == ourLease && result->holder->value == ourValue;
                apply(*result->holder);
              }
              if (!won) log(config::LogLevel::Info, p.namespec + ": lost the race for the leader key");
              carryOut(p, p.election.acquired(won, viewOf(p), localOf(p), steadyNow()));
              evaluateSoon();
            }),
            cluster::Unchanged{keys.members(p.namespec), decidedAt});
        return;
      }

      case Action::Kind::Promote:
        if (watchdogNeedsRenewal()) {
          renewNow(withProgram([this, a](ProgramState& p, bool renewed) {
            if (renewed && !watchdogNeedsRenewal()) return act(p, a);
            log(config::LogLevel::Warn, p.namespec + ": not promoting: the lease could not be renewed in time "
                                                     "to arm the watchdog");
            carryOut(p, p.election.promoted(false, viewOf(p), localOf(p), steadyNow()));
          }));
          return;
        }
        if (!armWatchdog()) {
          carryOut(p, p.election.promoted(false, viewOf(p), localOf(p), steadyNow()));
          return;
        }
        log(config::LogLevel::Info, namespec + ": promoting on " + config.node + " (" + a.reason + ")");
        runHook(p, ClusterHook::Promote, a.reason, hookEnvironment(p, config.node, config.advertise),
                [this](ProgramState& p, bool ok) {
                  if (ok) host.setRole(p.group, p.name, LocalRole::Primary);
                  log(ok ? config::LogLevel::Info : config::LogLevel::Warn,
                      p.namespec + (ok ? ": primary on " + config.node : ": promotion failed on " + config.node));
                  carryOut(p, p.election.promoted(ok, viewOf(p), localOf(p), steadyNow()));
                });
        return;

      case Action::Kind::Route:
        runHook(p, ClusterHook::Route, "promoted", hookEnvironment(p, config.node, config.advertise), nullptr);
        return;

      case Action::Kind::Demote:
        log(config::LogLevel::Warn, namespec + ": demoting on " + config.node + " (" + a.reason + ")");
        runHook(p, ClusterHook::Demote, a.reason, hookEnvironment(p), [this](ProgramState& p, bool ok) {
          host.setRole(p.group, p.name, LocalRole::Replica);
          carryOut(p, p.election.demoted(ok, viewOf(p), localOf(p), steadyNow()));
        });
        return;

      case Action::Kind::Release:
        log(config::LogLevel::Info, namespec + ": releasing the leader key (" + a.reason + ")");
        client->deleteIfCreateRevision(
            keys.leader(p.namespec), a.revision,
            withProgram([this](ProgramState& p, common::Result<cluster::DeleteResult> result) {
              if (!result) {
                // Not released (etcd unreachable or without quorum): the key would stay
                // for as long as this node renews its lease. Ask again shortly.
                failure(p.namespec + ": could not release the leader key", result.error());
                retryLater(0.5, p.namespec, [](ProgramState& p) { p.election.releaseFailed(); });
              }
              evaluateSoon();
            }));
        return;

      case Action::Kind::Follow: {
        log(config::LogLevel::Info, namespec + ": following " + a.node + " (" + a.address + ")");
        const std::string node = a.node;
        const long long revision = a.revision;
        runHook(p, ClusterHook::Follow, "new primary " + a.node, hookEnvironment(p, a.node, a.address),
                [this, node, revision](ProgramState& p, bool ok) {
                  p.election.followed(ok, node, revision);
                  if (!ok) retryLater(2, p.namespec);
                });
        return;
      }

      case Action::Kind::Fence:
        fence(p, a.reason);
        return;

      case Action::Kind::Unfence:
        if (p.stoppedByFence) {
          p.stoppedByFence = false;
          log(config::LogLevel::Info, namespec + ": quorum is back: starting it again");
          (void)host.startProcess(p.group, p.name);  // refused: it runs already
        }
        return;

      case Action::Kind::StopProgram:
        log(config::LogLevel::Error, namespec + ": stopping it (" + a.reason + "): a primary that cannot be "
                                                                             "demoted must not keep running");
        host.setRole(p.group, p.name, LocalRole::Replica);
        (void)host.stopProcess(p.group, p.name);  // refused: it is not running
        return;

      case Action::Kind::ClearHandover:
        client->deleteKey(keys.handover(p.namespec), [](common::Result<cluster::DeleteResult>) {});
        return;
    }
  }

  void fence(ProgramState& p, const std::string& reason) {
    switch (config.noQuorumPolicy) {
      case config::NoQuorumPolicy::Freeze:
        log(config::LogLevel::Warn, p.namespec + ": " + reason + "; no_quorum_policy = freeze: left as it is");
        return;
      case config::NoQuorumPolicy::Stop:
        log(config::LogLevel::Warn, p.namespec + ": " + reason + "; no_quorum_policy = stop: stopping it");
        host.setRole(p.group, p.name, LocalRole::Replica);
        p.stoppedByFence = true;
        (void)host.stopProcess(p.group, p.name);  // refused: it is not running
        return;
      case config::NoQuorumPolicy::Demote:
        log(config::LogLevel::Warn, p.namespec + ": " + reason + "; no_quorum_policy = demote: demoting it");
        p.fenceDemoting = true;
        runHook(p, ClusterHook::Demote, "no quorum", hookEnvironment(p), [this](ProgramState& p, bool ok) {
          p.fenceDemoting = false;
          host.setRole(p.group, p.name, LocalRole::Replica);
          if (!ok) act(p, Action{Action::Kind::StopProgram, {}, {}, "demote_command failed without quorum", 0});
        });
        return;
    }
  }

  // After `seconds`: `then` on the program (if it is still there and `then` is set), then
  // an evaluation.
  void retryLater(double seconds, const std::string& namespec, std::function<void(ProgramState&)> then = nullptr) {
    auto timer = std::make_shared<asio::steady_timer>(host.io(), after(seconds));
    timer->async_wait(guarded([this, timer, namespec, then = std::move(then)](boost::system::error_code ec) {
      if (ec) return;
      if (ProgramState* p = find(namespec); p && then) then(*p);
      evaluateSoon();
    }));
  }

  // Latches that the score this election asked for has come (the host reports the last
  // run of score_command only: the next periodic run must not undo it); a leader ends it.
  void noteFreshScore(ProgramState& p) {
    const process::Process* process = processOf(p);
    if (p.view.leader || !process || healthOf(*process) != Health::Up) {
      p.electionScoreAsked = 0;
      p.freshScore = false;
      return;
    }
    if (p.freshScore || p.electionScoreAsked == 0) return;
    auto run = host.lastScoreRun(p.group, p.name);
    p.freshScore = run && run->reason == "election" && run->ok && run->finished > 0 &&
                   run->started >= p.electionScoreAsked;
  }

  // ---- Publishing --------------------------------------------------------------------------

  std::string memberValue(const ProgramState& p) const {
    const cluster::Local local = localOf(p);
    return cluster::encodeMember(cluster::Member{config.node, config.advertise, local.health, p.election.role(),
                                                 local.score, p.election.eligible(steadyNow()), local.freshScore});
  }

  void publish(ProgramState& p) {
    if (lease == 0 || p.publishing) return;
    const std::string value = memberValue(p);
    if (p.published == value) return;
    p.publishing = true;
    const std::string namespec = p.namespec;
    client->put(keys.member(p.namespec, config.node), value, lease,
                guarded([this, namespec, value](common::Result<std::int64_t> result) {
                 ProgramState* p = find(namespec);
                 if (!p) return;
                 p->publishing = false;
                 if (result) p->published = value;
                 else failure(namespec + ": could not publish this node's entry", result.error());
                 evaluateSoon();  // publishes again if it changed meanwhile
               }));
  }

  // ---- Leaving -----------------------------------------------------------------------------

  void leaveWhenStopped() {
    for (auto& [namespec, p] : programs) {
      const process::Process* process = processOf(*p);
      if (process && healthOf(*process) != Health::Down) return;
    }
    if (lease == 0) {
      left = true;
      host.serviceIdle();
      return;
    }
    if (granting) return;
    granting = true;  // no new lease from now on
    log(config::LogLevel::Info, "leaving cluster " + config.name + ": revoking lease " + std::to_string(lease));
    client->revokeLease(lease, guarded([this](common::Result<void> result) {
      if (!result) failure("could not revoke the lease (its keys expire after lease_ttl)", result.error());
      lease = 0;
      left = true;
      host.serviceIdle();
    }));
  }

  // ---- Operators ---------------------------------------------------------------------------

  ProgramState* findProgram(const std::string& namespec) {
    auto [group, name] = common::splitNamespec(namespec);
    if (!name) return nullptr;
    return find(common::makeNamespec(group, *name));
  }

  void requestHandover(ProgramState& p, const std::string& from, const std::string& to, Done done) {
    if (lease == 0) return done(common::makeError("etcd: this node has no lease (not connected to etcd)"));
    log(config::LogLevel::Info, p.namespec + ": handover requested from " + (from.empty() ? "(none)" : from) +
                                    " to " + (to.empty() ? "the best candidate" : to));
    client->put(keys.handover(p.namespec), cluster::encodeHandover({from, to}), lease,
                guarded([done = std::move(done)](common::Result<std::int64_t> result) {
                 if (!result) return done(common::makeError("etcd: " + result.error()));
                 done({});
               }));
  }
};

// ---- ClusterNode --------------------------------------------------------------------------------

common::Result<std::unique_ptr<ClusterNode>> ClusterNode::open(ClusterHost& host) {
  auto client = cluster::EtcdClient::create(host.io(), State::clientOptions(*host.config().cluster));
  if (!client) return common::makeError("[cluster] etcd: " + client.error());
  return std::unique_ptr<ClusterNode>(new ClusterNode(host, std::move(*client)));
}

ClusterNode::ClusterNode(ClusterHost& host, std::unique_ptr<cluster::EtcdClient> client)
    : state_(std::make_unique<State>(host, std::move(client))) {
  State& s = *state_;
  s.collectPrograms();
  s.subscription = host.eventBus().subscribe(events::EventType::Event, [this](const events::Event& event) {
    State& s = *state_;
    switch (event.type) {
      case events::EventType::ProcessGroupAdded:
      case events::EventType::ProcessGroupRemoved:
        s.collectPrograms();
        s.evaluateSoon();
        return;
      case events::EventType::SupervisorStateChangeStopping:
        s.leaving = true;
        s.evaluateSoon();
        return;
      default:
        if (event.type == events::EventType::PolicyHookResult ||
            (event.type >= events::EventType::ProcessStateStopped && event.type <= events::EventType::ProcessStateUnknown))
          s.evaluateSoon();
    }
  });
  host.setClusterControl(this);
  s.log(config::LogLevel::Info, "node " + s.config.node + " of cluster " + s.config.name + ", " +
                                    std::to_string(s.programs.size()) + " promotable program(s); etcd " +
                                    std::to_string(s.config.etcd.size()) + " endpoint(s)");
  s.grant();
}

ClusterNode::~ClusterNode() {
  State& s = *state_;
  *s.alive = false;
  s.host.eventBus().unsubscribe(s.subscription);
  s.host.setClusterControl(nullptr);
}

bool ClusterNode::busy() const { return state_->leaving && !state_->left; }

cluster::ClusterReport ClusterNode::clusterReport() const {
  const State& s = *state_;
  cluster::ClusterReport report;
  report.cluster = s.config.name;
  report.node = s.config.node;
  report.address = s.config.advertise;
  report.connected = s.quorum;
  report.leaseTtl = s.config.leaseTtl;
  report.leaseLeft = s.quorum ? s.times.left(steadyNow()) : 0;
  report.maintenance = s.maintenance;
  report.endpoint = s.client->currentEndpoint();
  for (const auto& [namespec, p] : s.programs) {
    cluster::ProgramReport program;
    program.name = namespec;
    if (p->view.leader) {
      program.leader = p->view.leader->node;
      program.leaderAddress = p->view.leader->address;
    }
    program.phase = p->election.phaseName();
    if (p->view.handover)
      program.handover = (p->view.handover->from.empty() ? "(none)" : p->view.handover->from) + " -> " +
                         (p->view.handover->to.empty() ? "(best)" : p->view.handover->to);
    for (const auto& [node, m] : p->view.members)
      program.members.push_back({m.node, m.address, cluster::healthName(m.health), cluster::roleName(m.role),
                                 m.score, m.eligible});
    report.programs.push_back(std::move(program));
  }
  return report;
}

void ClusterNode::switchover(const std::string& program, const std::string& node, Done done) {
  State& s = *state_;
  ProgramState* p = s.findProgram(program);
  if (!p) return done(common::makeError(common::ErrorKind::NoSuchProcess, "no such program: " + program));
  auto handover = switchoverRequest(s.viewOf(*p), program, node);
  if (!handover) return done(handover.takeError());
  s.requestHandover(*p, handover->from, handover->to, std::move(done));
}

void ClusterNode::failover(const std::string& program, const std::string& node, Done done) {
  State& s = *state_;
  ProgramState* p = s.findProgram(program);
  if (!p) return done(common::makeError(common::ErrorKind::NoSuchProcess, "no such program: " + program));
  auto handover = failoverRequest(s.viewOf(*p), node);
  if (!handover) return done(handover.takeError());
  s.requestHandover(*p, handover->from, handover->to, std::move(done));
}

void ClusterNode::setMaintenance(bool on, Done done) {
  State& s = *state_;
  auto finished = s.guarded([&s, on, done = std::move(done)](auto result) {
    if (!result) return done(common::makeError("etcd: " + result.error()));
    s.log(config::LogLevel::Warn, std::string("maintenance ") + (on ? "on: no automatic action" : "off"));
    done({});
  });
  if (on)
    s.client->put(s.keys.maintenance(), "on", 0, [finished](common::Result<std::int64_t> r) mutable { finished(r); });
  else
    s.client->deleteKey(s.keys.maintenance(),
                        [finished](common::Result<cluster::DeleteResult> r) mutable { finished(r); });
}

}  // namespace cluster
