#pragma once
// The escalation chain of one node: restart the process → (its budget spent) restart
// its group when on_budget_spent = restart_group → (the group's budget spent too, or
// on_budget_spent = escalate) escalate: demote it if it holds the primary role, run
// escalate_command, publish the event, and leave it FATAL with the reason. Pure.

#include <string>
#include <vector>

#include "supervisord/config/policy_config.h"

namespace policy {

// What to do once a process's restarts no longer help (its budget is spent, or it gave
// up after startretries).
enum class BudgetAction { Fatal, RestartGroup, Escalate };
BudgetAction budgetAction(const config::PolicyConfig& policy, bool groupBudgetSpent);

// The steps of an escalation, in order.
enum class EscalationStep { Demote, RunEscalateCommand, Publish, LeaveFatal };
std::vector<EscalationStep> escalationSteps(const config::PolicyConfig& policy, bool holdsPrimaryRole);

// "fatal", "restart_group", "escalate" (the configuration's words).
std::string onBudgetSpentName(config::OnBudgetSpent action);
std::string strategyName(config::GroupStrategy strategy);

}  // namespace policy
