// `supervisorctl policy`'s block of lines, and the struct it reads: what
// ha.getPolicyState encodes (rpc::policyState) decodes field for field.
#include "supervisorctl/policy_view.h"

#include <catch2/catch.hpp>

#include "supervisord/rpc/ha_interface.h"

using common::xmlrpc::Value;
using supervisorctl::decodePolicyState;
using supervisorctl::formatPolicyBlocks;
using supervisorctl::PolicyView;

namespace {

// A time is shown as "T<seconds>", so the text does not depend on the time zone.
std::string fakeTime(double wallTime) { return "T" + std::to_string(static_cast<long long>(wallTime)); }

std::vector<std::string> block(const PolicyView& view) { return formatPolicyBlocks({view}, fakeTime); }

PolicyView plain(const std::string& group, const std::string& name) {
  PolicyView view;
  view.group = group;
  view.name = name;
  view.backoff = "linear";
  view.nextDelay = 1;
  view.groupStrategy = "one_for_one";
  return view;
}

policy::PolicyReport fullReport() {
  policy::PolicyReport report;
  report.name = "mysqld";
  report.group = "db";
  report.backoff = "exponential";
  report.tries = 2;
  report.nextDelay = 4.0;
  report.retryAt = 1700000004.5;
  report.budgetUsed = 3;
  report.budgetLimit = 5;
  report.budgetWindow = 60;
  report.onBudgetSpent = "escalate";
  report.groupStrategy = "one_for_all";
  report.groupBudgetUsed = 1;
  report.groupBudgetLimit = 2;
  report.role = "primary";
  report.score = 7000000000LL;  // beyond 32 bits: travels as i8
  report.escalation = "budget spent";
  report.probes.push_back({"readiness", "tcp:127.0.0.1:3306", true, 12, 0, true,
                           "tcp 127.0.0.1:3306: connected", 1700000000.25});
  report.probes.push_back({"liveness", "exec:/bin/check", false, 0, 0, std::nullopt, "", 0});
  report.hooks.push_back({policy::Hook::Promote, "operator", 1700000001, 1700000002, true, "exit status 0", "ok\n"});
  return report;
}

}  // namespace

TEST_CASE("a process without policy keys shows one line: linear backoff, no budget") {
  CHECK(block(plain("sleeper", "sleeper")) ==
        std::vector<std::string>{"sleeper               backoff linear  tries 0  next 1.0s  budget none"});
}

TEST_CASE("the name column is at least 20 wide plus 2, and as wide as the longest namespec") {
  PolicyView longName = plain("a_rather_long_group_name", "worker_00");
  auto lines = formatPolicyBlocks({plain("x", "x"), longName}, fakeTime);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "x                                   backoff linear  tries 0  next 1.0s  budget none");
  CHECK(lines[1] == "a_rather_long_group_name:worker_00  backoff linear  tries 0  next 1.0s  budget none");
}

TEST_CASE("a block shows budget, pending retry, group strategy, role, escalation, probes and hooks") {
  PolicyView view = decodePolicyState(rpc::policyState(fullReport()));
  view.hooks.push_back({"demote", "budget spent", 1700000010, 1700000015, false, "exit status 1", ""});
  view.hooks.push_back({"score", "", 1700000020, 0, false, "", ""});
  view.probes[0].consecutiveFailures = 0;
  PolicyView::Probe failing{"liveness", "http://127.0.0.1:8080/health", true, 40, 3, false, "HTTP 503", 0};
  view.probes.push_back(failing);

  CHECK(block(view) ==
        std::vector<std::string>{
            "db:mysqld             backoff exponential  tries 2  next 4.0s  budget 3/5 in 60s (escalate)  retry at "
            "T1700000004",
            "  group one_for_all  budget 1/2",
            "  role primary  score 7000000000",
            "  escalation budget spent",
            "  readiness tcp:127.0.0.1:3306  ok  (12 checks, last: tcp 127.0.0.1:3306: connected)",
            "  liveness exec:/bin/check  unchecked (idle)  (0 checks)",
            "  liveness http://127.0.0.1:8080/health  failing  (40 checks, 3 consecutive failures, last: HTTP 503)",
            "  hook promote  ok  exit status 0  (operator, T1700000001)",
            "  hook demote  FAILED  exit status 1  (budget spent, T1700000010)",
            "  hook score  running  (T1700000020)",
        });
}

TEST_CASE("a replica without a score says so; a group budget alone shows the group line") {
  PolicyView view = plain("db", "replica");
  view.role = "replica";
  view.groupBudgetLimit = 2;
  CHECK(block(view) == std::vector<std::string>{
                           "db:replica            backoff linear  tries 0  next 1.0s  budget none",
                           "  group one_for_one  budget 0/2",
                           "  role replica  score none",
                       });
}

TEST_CASE("what ha.getPolicyState encodes, supervisorctl decodes field for field") {
  const policy::PolicyReport report = fullReport();
  const Value state = rpc::policyState(report);
  const PolicyView view = decodePolicyState(state);
  CHECK(view.name == report.name);
  CHECK(view.group == report.group);
  CHECK(view.backoff == report.backoff);
  CHECK(view.tries == report.tries);
  CHECK(view.nextDelay == report.nextDelay);
  CHECK(view.retryAt == report.retryAt);
  CHECK(view.budgetUsed == report.budgetUsed);
  CHECK(view.budgetLimit == report.budgetLimit);
  CHECK(view.budgetWindow == report.budgetWindow);
  CHECK(view.onBudgetSpent == report.onBudgetSpent);
  CHECK(view.groupStrategy == report.groupStrategy);
  CHECK(view.groupBudgetUsed == report.groupBudgetUsed);
  CHECK(view.groupBudgetLimit == report.groupBudgetLimit);
  CHECK(view.role == report.role);
  CHECK(view.score == report.score);
  CHECK(view.escalation == report.escalation);
  REQUIRE(view.probes.size() == 2);
  CHECK(view.probes[0].kind == "readiness");
  CHECK(view.probes[0].spec == "tcp:127.0.0.1:3306");
  CHECK(view.probes[0].active);
  CHECK(view.probes[0].checks == 12);
  CHECK(view.probes[0].lastOk == std::optional<bool>(true));
  CHECK(view.probes[0].lastDetail == "tcp 127.0.0.1:3306: connected");
  CHECK(view.probes[0].lastCheck == 1700000000.25);
  CHECK(!view.probes[1].lastOk);
  REQUIRE(view.hooks.size() == 1);
  CHECK(view.hooks[0].hook == "promote");
  CHECK(view.hooks[0].reason == "operator");
  CHECK(view.hooks[0].started == 1700000001);
  CHECK(view.hooks[0].finished == 1700000002);
  CHECK(view.hooks[0].ok);
  CHECK(view.hooks[0].description == "exit status 0");
  CHECK(view.hooks[0].output == "ok\n");
}

TEST_CASE("ha.getPolicyState's struct has the documented keys, with '' for a missing score and last_ok") {
  policy::PolicyReport report;
  report.probes.push_back({});
  const Value state = rpc::policyState(report);
  std::vector<std::string> keys;
  for (const auto& [key, value] : state.asStruct()) keys.push_back(key);
  CHECK(keys == std::vector<std::string>{"backoff", "budget_limit", "budget_used", "budget_window", "escalation",
                                         "group", "group_budget_limit", "group_budget_used", "group_strategy",
                                         "hooks", "name", "next_delay", "on_budget_spent", "probes", "retry_at",
                                         "role", "score", "tries"});
  CHECK(state.find("score")->isString());
  CHECK(state.find("score")->asString().empty());
  CHECK(state.find("next_delay")->isDouble());
  CHECK(state.find("tries")->isInt());
  const Value& probe = state.find("probes")->asArray().at(0);
  CHECK(probe.find("last_ok")->isString());
  CHECK(probe.find("consecutive_failures")->isInt());
}

TEST_CASE("a struct with missing or mistyped members decodes as empty, zero or absent") {
  const Value state = Value::Struct{{"name", "x"}, {"tries", "two"}, {"score", ""}, {"probes", 3}};
  const PolicyView view = decodePolicyState(state);
  CHECK(view.name == "x");
  CHECK(view.group.empty());
  CHECK(view.tries == 0);
  CHECK(!view.score);
  CHECK(view.probes.empty());
}
