#pragma once
// PolicyReport: what the restart policy of one process looks like right now, for
// the ha.* API (ha.getPolicyState) and `supervisorctl policy`. A snapshot: plain
// values, taken on the loop, safe to keep.

#include <optional>
#include <string>
#include <vector>

#include "supervisord/policy/hook.h"

namespace policy {

// The last run of one hook (pre_start, post_stop, promote, demote, score, escalate).
struct HookRun {
  Hook hook = Hook::PreStart;  // hookName(): "pre_start", "post_stop", "promote", …
  std::string reason;       // why it ran (SUPERVISOR_REASON): "start", "exited", "operator", "budget spent" …
  double started = 0;       // wall time
  double finished = 0;      // wall time; 0 while it runs
  bool ok = false;          // exited 0 in time
  std::string description;  // "exit status 0", "timed out after 5 s", "spawn error: …"
  std::string output;       // last bytes of its stdout+stderr
};

// One probe's state.
struct ProbeReport {
  std::string kind;          // "readiness" or "liveness"
  std::string spec;          // as configured: "tcp:127.0.0.1:5432"
  bool active = false;       // checking right now (the process is in the state the probe watches)
  int checks = 0;            // checks completed since the process last started
  int consecutiveFailures = 0;
  std::optional<bool> lastOk;  // nullopt: no check yet
  std::string lastDetail;      // "tcp 127.0.0.1:5432: connection refused"
  double lastCheck = 0;        // wall time of the last completed check
};

struct PolicyReport {
  std::string name;              // process name
  std::string group;
  std::string backoff;           // "linear" or "exponential"
  int tries = 0;                 // the backoff counter (Supervisor's `backoff`)
  double nextDelay = 0;          // seconds the next retry would wait
  double retryAt = 0;            // wall time of a pending retry/restart; 0 = none
  int budgetUsed = 0;            // restarts within the window, now
  int budgetLimit = 0;           // N of restart_budget; 0 = no budget
  double budgetWindow = 0;       // T of restart_budget, seconds
  std::string onBudgetSpent;     // "fatal", "restart_group", "escalate"
  std::string groupStrategy;     // "one_for_one", "one_for_all", "rest_for_one"
  int groupBudgetUsed = 0;
  int groupBudgetLimit = 0;
  std::string role;              // policy::roleText(): "" (no role), "replica" or "primary"
  std::optional<long long> score;  // last score_command result; nullopt = none / never promote
  std::string escalation;        // why the process was escalated or put FATAL by the policy; "" = not
  std::vector<ProbeReport> probes;
  std::vector<HookRun> hooks;    // the last run of each hook that ran, in hook order
};

}  // namespace policy
