#include "supervisorctl/policy_view.h"

#include <algorithm>
#include <cstdio>

#include "common/ha_keys.h"
#include "common/namespec.h"
#include "common/python_str.h"
#include "supervisorctl/process_info.h"

namespace supervisorctl {

using common::padRight;

namespace {

using common::xmlrpc::Value;

int memberCount(const Value& info, const std::string& name) { return static_cast<int>(memberInt(info, name)); }

// "4.0s": delays, which jitter makes fractional.
std::string delayText(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1fs", seconds);
  return text;
}

// "60s", "2.5s": configured windows, as written.
std::string windowText(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%gs", seconds);
  return text;
}

std::string countText(int n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string budgetText(int used, int limit) {
  if (limit <= 0) return "budget none";
  return "budget " + std::to_string(used) + "/" + std::to_string(limit);
}

std::string probeLine(const PolicyView::Probe& probe) {
  std::string line = "  " + probe.kind + " " + probe.spec + "  ";
  line += !probe.lastOk ? "unchecked" : *probe.lastOk ? "ok" : "failing";
  if (!probe.active) line += " (idle)";
  line += "  (" + countText(probe.checks, "check", "checks");
  if (probe.consecutiveFailures > 0)
    line += ", " + countText(probe.consecutiveFailures, "consecutive failure", "consecutive failures");
  if (!probe.lastDetail.empty()) line += ", last: " + probe.lastDetail;
  return line + ")";
}

std::string hookLine(const PolicyView::Hook& hook, const TimeText& timeText) {
  std::string line = "  hook " + hook.hook + "  ";
  line += hook.finished == 0 ? "running" : hook.ok ? "ok" : "FAILED";
  if (!hook.description.empty()) line += "  " + hook.description;
  line += "  (";
  if (!hook.reason.empty()) line += hook.reason + ", ";
  return line + timeText(hook.started) + ")";
}

}  // namespace

PolicyView decodePolicyState(const Value& state) {
  PolicyView view;
  view.name = memberString(state, ha_keys::kName);
  view.group = memberString(state, ha_keys::kGroup);
  view.backoff = memberString(state, ha_keys::kBackoff);
  view.tries = memberCount(state, ha_keys::kTries);
  view.nextDelay = memberDouble(state, ha_keys::kNextDelay);
  view.retryAt = memberDouble(state, ha_keys::kRetryAt);
  view.budgetUsed = memberCount(state, ha_keys::kBudgetUsed);
  view.budgetLimit = memberCount(state, ha_keys::kBudgetLimit);
  view.budgetWindow = memberDouble(state, ha_keys::kBudgetWindow);
  view.onBudgetSpent = memberString(state, ha_keys::kOnBudgetSpent);
  view.groupStrategy = memberString(state, ha_keys::kGroupStrategy);
  view.groupBudgetUsed = memberCount(state, ha_keys::kGroupBudgetUsed);
  view.groupBudgetLimit = memberCount(state, ha_keys::kGroupBudgetLimit);
  view.role = memberString(state, ha_keys::kRole);
  if (const Value* score = state.find(ha_keys::kScore); score && score->isInt()) view.score = score->asInt();
  view.escalation = memberString(state, ha_keys::kEscalation);
  for (const Value& item : memberArray(state, ha_keys::kProbes)) {
    PolicyView::Probe probe;
    probe.kind = memberString(item, ha_keys::kKind);
    probe.spec = memberString(item, ha_keys::kSpec);
    probe.active = memberBool(item, ha_keys::kActive);
    probe.checks = memberCount(item, ha_keys::kChecks);
    probe.consecutiveFailures = memberCount(item, ha_keys::kConsecutiveFailures);
    if (const Value* ok = item.find(ha_keys::kLastOk); ok && ok->isBool()) probe.lastOk = ok->asBool();
    probe.lastDetail = memberString(item, ha_keys::kLastDetail);
    probe.lastCheck = memberDouble(item, ha_keys::kLastCheck);
    view.probes.push_back(std::move(probe));
  }
  for (const Value& item : memberArray(state, ha_keys::kHooks)) {
    PolicyView::Hook hook;
    hook.hook = memberString(item, ha_keys::kHook);
    hook.reason = memberString(item, ha_keys::kReason);
    hook.started = memberDouble(item, ha_keys::kStarted);
    hook.finished = memberDouble(item, ha_keys::kFinished);
    hook.ok = memberBool(item, ha_keys::kOk);
    hook.description = memberString(item, ha_keys::kDescription);
    hook.output = memberString(item, ha_keys::kOutput);
    view.hooks.push_back(std::move(hook));
  }
  return view;
}

std::vector<std::string> formatPolicyBlocks(const std::vector<PolicyView>& views, const TimeText& timeText) {
  std::size_t widest = 20;
  for (const PolicyView& view : views)
    widest = std::max(widest, common::pythonLength(common::makeNamespec(view.group, view.name)));

  std::vector<std::string> lines;
  for (const PolicyView& view : views) {
    std::string first = padRight(common::makeNamespec(view.group, view.name), widest + 2) + "backoff " + view.backoff +
                        "  tries " + std::to_string(view.tries) + "  next " + delayText(view.nextDelay) + "  " +
                        budgetText(view.budgetUsed, view.budgetLimit);
    if (view.budgetLimit > 0) {
      first += " in " + windowText(view.budgetWindow);
      if (!view.onBudgetSpent.empty()) first += " (" + view.onBudgetSpent + ")";
    }
    if (view.retryAt > 0) first += "  retry at " + timeText(view.retryAt);
    lines.push_back(std::move(first));

    const bool defaultStrategy = view.groupStrategy.empty() || view.groupStrategy == "one_for_one";
    if (!defaultStrategy || view.groupBudgetLimit > 0)
      lines.push_back("  group " + (view.groupStrategy.empty() ? std::string("one_for_one") : view.groupStrategy) +
                      "  " + budgetText(view.groupBudgetUsed, view.groupBudgetLimit));
    if (!view.role.empty() || view.score)
      lines.push_back("  role " + (view.role.empty() ? std::string("none") : view.role) + "  score " +
                      (view.score ? std::to_string(*view.score) : std::string("none")));
    if (!view.escalation.empty()) lines.push_back("  escalation " + view.escalation);
    for (const auto& probe : view.probes) lines.push_back(probeLine(probe));
    for (const auto& hook : view.hooks) lines.push_back(hookLine(hook, timeText));
  }
  return lines;
}

}  // namespace supervisorctl
