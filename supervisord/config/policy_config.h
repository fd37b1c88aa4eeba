#pragma once
// The restart-policy keys (our additions to Supervisor's [program:x] and [group:x]
// sections): backoff, restart budget, probes, hooks, roles and group strategies.
// Every field's default is Supervisor's behaviour, so a section without these keys
// behaves exactly as in Supervisor 4.2.5 (PolicyConfig::isDefault()).

#include <optional>
#include <string>

namespace config {

// backoff = linear (Supervisor: wait 1 s, 2 s, 3 s … between failed starts) or
// exponential (backoff_initial · 2^(tries-1), capped at backoff_max).
enum class Backoff { Linear, Exponential };

// restart_budget = N in T: more than `restarts` restarts within `seconds` spends it.
struct RestartBudget {
  int restarts = 0;
  double seconds = 0;
  bool operator==(const RestartBudget&) const = default;
};

// on_budget_spent = fatal | restart_group | escalate.
enum class OnBudgetSpent { Fatal, RestartGroup, Escalate };

// readiness_probe / liveness_probe and their _interval, _timeout, _failures, _delay keys.
struct ProbeConfig {
  enum class Kind { Exec, Tcp, Http };
  Kind kind = Kind::Exec;
  std::string spec;      // as written: "exec:pg_isready", "tcp:127.0.0.1:5432", "http://127.0.0.1:8080/health"
  std::string command;   // Exec: the command line (split like `command=`)
  std::string host;      // Tcp, Http
  int port = 0;          // Tcp, Http (http default 80)
  std::string path;      // Http: "/..." (default "/")
  double interval = 10;       // seconds between checks (<probe>_interval)
  double timeout = 1;         // seconds before a check counts as failed (<probe>_timeout)
  int failureThreshold = 3;   // consecutive failures that count (<probe>_failures)
  double initialDelay = 0;    // seconds after spawn before the first check (<probe>_delay)
  bool operator==(const ProbeConfig&) const = default;
};

// role = none | promotable.
enum class Role { None, Promotable };

// The per-program policy keys.
struct PolicyConfig {
  Backoff backoff = Backoff::Linear;
  double backoffInitial = 1;    // seconds, first exponential delay
  double backoffMax = 300;      // seconds, cap of the exponential delay
  double backoffJitter = 0;     // fraction 0..1: each delay is lengthened by up to this share, at random
  double backoffReset = 0;      // seconds of uptime after which the try counter resets; 0 = on RUNNING (Supervisor)
  std::optional<RestartBudget> restartBudget;
  OnBudgetSpent onBudgetSpent = OnBudgetSpent::Fatal;
  std::optional<double> fatalRetry;  // seconds: retry from FATAL this long after entering it
  std::optional<ProbeConfig> readinessProbe;
  std::optional<ProbeConfig> livenessProbe;
  Role role = Role::None;
  std::string preStartCommand;   // "" = no hook
  std::string postStopCommand;
  std::string promoteCommand;
  std::string demoteCommand;
  std::string scoreCommand;
  std::string escalateCommand;
  std::string followCommand;     // cluster mode: point this replica at the primary
  std::string routeCommand;      // cluster mode: on the new primary, reroute traffic to it
  std::string notifyCommand;     // cluster mode: pre/post every promote and demote in the cluster
  double hookTimeout = 30;       // seconds before a hook is killed (SIGKILL to its process group)
  double scoreInterval = 10;     // seconds between score_command runs while RUNNING

  bool isDefault() const { return *this == PolicyConfig{}; }
  bool operator==(const PolicyConfig&) const = default;
};

// [group:x] strategy: which members restart when one must (Erlang/OTP's vocabulary).
enum class GroupStrategy { OneForOne, OneForAll, RestForOne };

struct GroupPolicyConfig {
  GroupStrategy strategy = GroupStrategy::OneForOne;
  std::optional<RestartBudget> restartBudget;  // group restarts within a window; spent = escalate
  bool operator==(const GroupPolicyConfig&) const = default;
};

// [supervisord] start_order = priority (Supervisor: start every group at once, in
// priority order) | ready (a priority tier starts once the tiers before it are ready).
enum class StartOrder { Priority, Ready };

}  // namespace config
