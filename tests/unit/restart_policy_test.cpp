// The pure restart-policy decisions: backoff sequences, budget windows, group
// strategies' restart sets, start tiers and the escalation chain.

#include <catch2/catch.hpp>

#include "supervisord/policy/backoff.h"
#include "supervisord/policy/escalation.h"
#include "supervisord/policy/group_strategy.h"
#include "supervisord/policy/program_role.h"
#include "supervisord/policy/restart_budget_window.h"
#include "supervisord/policy/start_tiers.h"

using config::PolicyConfig;

TEST_CASE("linear backoff waits 1 s, 2 s, 3 s like Supervisor") {
  PolicyConfig linear;
  CHECK(policy::retryDelay(linear, 1, 0.9) == 1);
  CHECK(policy::retryDelay(linear, 2, 0.9) == 2);
  CHECK(policy::retryDelay(linear, 3, 0.9) == 3);
}

TEST_CASE("exponential backoff doubles from backoff_initial up to backoff_max") {
  PolicyConfig p;
  p.backoff = config::Backoff::Exponential;
  p.backoffInitial = 0.5;
  p.backoffMax = 5;
  std::vector<double> delays;
  for (int tries = 1; tries <= 7; ++tries) delays.push_back(policy::retryDelay(p, tries, 0));
  CHECK(delays == std::vector<double>{0.5, 1, 2, 4, 5, 5, 5});
  CHECK(policy::retryDelay(p, 1000, 0) == 5);  // no overflow far out
}

TEST_CASE("jitter lengthens a delay by up to backoff_jitter of it") {
  PolicyConfig p;
  p.backoff = config::Backoff::Exponential;
  p.backoffInitial = 4;
  p.backoffJitter = 0.25;
  CHECK(policy::retryDelay(p, 1, 0) == 4);
  CHECK(policy::retryDelay(p, 1, 0.5) == 4.5);
  CHECK(policy::retryDelay(p, 1, 0.999) < 5);
}

TEST_CASE("a restart budget of N in T is spent by the N+1th restart within T") {
  policy::RestartBudgetWindow window(config::RestartBudget{3, 60});
  CHECK_FALSE(window.wouldExceed(0));
  window.record(0);
  window.record(10);
  window.record(20);
  CHECK(window.used(20) == 3);
  CHECK(window.wouldExceed(20));
  SECTION("restarts older than T leave the window") {
    CHECK(window.used(60) == 2);  // the one at 0 is exactly T old: gone
    CHECK_FALSE(window.wouldExceed(60));
  }
  SECTION("reset forgets every restart") {
    window.reset();
    CHECK(window.used(20) == 0);
    CHECK_FALSE(window.wouldExceed(20));
  }
}

TEST_CASE("without restart_budget nothing is ever spent") {
  policy::RestartBudgetWindow window;
  for (int i = 0; i < 100; ++i) window.record(i * 0.01);
  CHECK_FALSE(window.limited());
  CHECK_FALSE(window.wouldExceed(1));
  CHECK(window.used(1) == 0);
}

TEST_CASE("group strategies restart one member, all of them, or it and the rest after it") {
  using config::GroupStrategy;
  using V = std::vector<std::size_t>;
  CHECK(policy::restartSet(GroupStrategy::OneForOne, 1, 4) == V{1});
  CHECK(policy::restartSet(GroupStrategy::OneForAll, 1, 4) == V{0, 1, 2, 3});
  CHECK(policy::restartSet(GroupStrategy::RestForOne, 1, 4) == V{1, 2, 3});
  CHECK(policy::restartSet(GroupStrategy::RestForOne, 3, 4) == V{3});
}

TEST_CASE("a tier starts only once every autostarting process of earlier tiers is ready") {
  std::vector<policy::TierMember> members = {
      {{1, 999}, true, false},   // database, not ready yet
      {{1, 999}, false, false},  // autostart=false: gates nothing
      {{2, 999}, true, false},   // application
      {{3, 1}, true, false},     // web, first process of its group
      {{3, 2}, true, false},     // web, second
  };
  CHECK(policy::tierMayStart({1, 999}, members));
  CHECK_FALSE(policy::tierMayStart({2, 999}, members));
  CHECK(policy::blockingTiers({3, 2}, members) == std::vector<policy::Tier>{{1, 999}, {2, 999}, {3, 1}});
  members[0].ready = true;
  CHECK(policy::tierMayStart({2, 999}, members));
  CHECK_FALSE(policy::tierMayStart({3, 1}, members));
  members[2].ready = true;
  CHECK(policy::tierMayStart({3, 1}, members));
  CHECK_FALSE(policy::tierMayStart({3, 2}, members));  // processes of one group are tiers too
}

TEST_CASE("a spent budget leads to FATAL, a group restart, or escalation") {
  PolicyConfig p;
  CHECK(policy::budgetAction(p, false) == policy::BudgetAction::Fatal);
  p.onBudgetSpent = config::OnBudgetSpent::RestartGroup;
  CHECK(policy::budgetAction(p, false) == policy::BudgetAction::RestartGroup);
  CHECK(policy::budgetAction(p, true) == policy::BudgetAction::Escalate);  // the group's budget is spent too
  p.onBudgetSpent = config::OnBudgetSpent::Escalate;
  CHECK(policy::budgetAction(p, false) == policy::BudgetAction::Escalate);
}

TEST_CASE("escalation demotes a primary first, then runs escalate_command, publishes, and leaves it FATAL") {
  using policy::EscalationStep;
  PolicyConfig p;
  p.demoteCommand = "demote";
  p.escalateCommand = "page-someone";
  CHECK(policy::escalationSteps(p, true) == std::vector<EscalationStep>{EscalationStep::Demote,
                                                                         EscalationStep::RunEscalateCommand,
                                                                         EscalationStep::Publish,
                                                                         EscalationStep::LeaveFatal});
  CHECK(policy::escalationSteps(p, false) ==
        std::vector<EscalationStep>{EscalationStep::RunEscalateCommand, EscalationStep::Publish,
                                    EscalationStep::LeaveFatal});
  CHECK(policy::escalationSteps(PolicyConfig{}, true) ==
        std::vector<EscalationStep>{EscalationStep::Publish, EscalationStep::LeaveFatal});
}

TEST_CASE("program role: the text ha.getPolicyState and SUPERVISOR_ROLE show", "[policy][role]") {
  CHECK(policy::roleText(policy::ProgramRole::None).empty());
  CHECK(policy::roleText(policy::ProgramRole::Replica) == "replica");
  CHECK(policy::roleText(policy::ProgramRole::Primary) == "primary");
}
