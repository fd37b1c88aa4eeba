#pragma once
// What `supervisorctl policy` shows: the restart policy of processes as
// ha.getPolicyState answers it, decoded without trusting its types (a missing
// or mistyped member reads as "", 0 or absent), and formatted as one block of
// lines per process. Pure: the caller says how to write a time, so the text
// depends on nothing but its arguments.
//
// The block (lines in brackets appear only when they say something):
//   <namespec>  backoff <linear|exponential>  tries <n>  next <s>s  budget <used>/<limit> in <T>s (<on spent>)
//                                                   (or "budget none"; then "  retry at <time>" when one is pending)
//     [group <strategy>  budget <used>/<limit>|none]   when not one_for_one, or a group budget is set
//     [role <primary|replica|none>  score <n|none>]    when a role or a score is set
//     [escalation <why>]
//     [<readiness|liveness> <spec>  <ok|failing|unchecked>[ (idle)]  (<n> checks[, <k> consecutive failures][, last: <detail>])]
//     [hook <name>  <ok|FAILED|running>[  <description>]  (<reason>, <started>)]
// The namespec column is as wide as the longest namespec (at least 20) plus 2.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/xmlrpc_value.h"

namespace supervisorctl {

struct PolicyView {
  struct Probe {
    std::string kind;  // "readiness", "liveness"
    std::string spec;
    bool active = false;
    int checks = 0;
    int consecutiveFailures = 0;
    std::optional<bool> lastOk;  // absent: not checked yet
    std::string lastDetail;
    double lastCheck = 0;
  };
  struct Hook {
    std::string hook;  // "promote", "demote", ...
    std::string reason;
    double started = 0;
    double finished = 0;  // 0 while it runs
    bool ok = false;
    std::string description;
    std::string output;
  };

  std::string name;
  std::string group;
  std::string backoff;
  int tries = 0;
  double nextDelay = 0;
  double retryAt = 0;  // 0: no retry pending
  int budgetUsed = 0;
  int budgetLimit = 0;  // 0: no budget
  double budgetWindow = 0;
  std::string onBudgetSpent;
  std::string groupStrategy;
  int groupBudgetUsed = 0;
  int groupBudgetLimit = 0;
  std::string role;  // "", "replica", "primary"
  std::optional<std::int64_t> score;
  std::string escalation;
  std::vector<Probe> probes;
  std::vector<Hook> hooks;
};

// One struct of ha.getPolicyState or ha.getAllPolicyStates.
PolicyView decodePolicyState(const common::xmlrpc::Value& state);

// How a wall time (UNIX seconds) is written: `supervisorctl` uses local time, "2026-11-22 10:00:00".
using TimeText = std::function<std::string(double wallTime)>;

// The blocks of `views`, in order, one line per string (no newlines).
std::vector<std::string> formatPolicyBlocks(const std::vector<PolicyView>& views, const TimeText& timeText);

}  // namespace supervisorctl
