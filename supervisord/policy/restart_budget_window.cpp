#include "supervisord/policy/restart_budget_window.h"

#include <algorithm>

namespace policy {

int RestartBudgetWindow::used(double now) const {
  if (!budget_) return 0;
  const double since = now - budget_->seconds;
  // A restart exactly T seconds ago has left the window.
  return static_cast<int>(std::count_if(restarts_.begin(), restarts_.end(), [&](double t) { return t > since; }));
}

void RestartBudgetWindow::record(double now) {
  if (!budget_) return;
  restarts_.push_back(now);
  // Drop what can no longer count (a clock set back keeps everything: harmless).
  const double since = now - budget_->seconds;
  while (!restarts_.empty() && restarts_.front() <= since) restarts_.pop_front();
}

}  // namespace policy
