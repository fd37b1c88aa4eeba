#include "supervisord/policy/escalation.h"

namespace policy {

BudgetAction budgetAction(const config::PolicyConfig& policy, bool groupBudgetSpent) {
  switch (policy.onBudgetSpent) {
    case config::OnBudgetSpent::Fatal: return BudgetAction::Fatal;
    case config::OnBudgetSpent::RestartGroup:
      return groupBudgetSpent ? BudgetAction::Escalate : BudgetAction::RestartGroup;
    case config::OnBudgetSpent::Escalate: return BudgetAction::Escalate;
  }
  return BudgetAction::Fatal;
}

std::vector<EscalationStep> escalationSteps(const config::PolicyConfig& policy, bool holdsPrimaryRole) {
  std::vector<EscalationStep> steps;
  if (holdsPrimaryRole && !policy.demoteCommand.empty()) steps.push_back(EscalationStep::Demote);
  if (!policy.escalateCommand.empty()) steps.push_back(EscalationStep::RunEscalateCommand);
  steps.push_back(EscalationStep::Publish);
  steps.push_back(EscalationStep::LeaveFatal);
  return steps;
}

std::string onBudgetSpentName(config::OnBudgetSpent action) {
  switch (action) {
    case config::OnBudgetSpent::Fatal: return "fatal";
    case config::OnBudgetSpent::RestartGroup: return "restart_group";
    case config::OnBudgetSpent::Escalate: return "escalate";
  }
  return "fatal";
}

std::string strategyName(config::GroupStrategy strategy) {
  switch (strategy) {
    case config::GroupStrategy::OneForOne: return "one_for_one";
    case config::GroupStrategy::OneForAll: return "one_for_all";
    case config::GroupStrategy::RestForOne: return "rest_for_one";
  }
  return "one_for_one";
}

}  // namespace policy
