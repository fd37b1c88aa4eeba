#pragma once
// ProbeMonitor: checks one probe of one running process again and again, the first
// time initialDelay after it is made, then interval after each check completed, and
// calls back with the verdicts of ProbeTally (Ready once, Failed at every
// failureThreshold-th consecutive failure). Destroying it stops everything: no call after.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "supervisord/config/policy_config.h"
#include "supervisord/policy/probe_check.h"
#include "supervisord/policy/probe_tally.h"

namespace boost::asio {
class io_context;
}

namespace policy {

// What the API shows about a probe.
struct ProbeStatus {
  int checks = 0;                 // completed checks
  int consecutiveFailures = 0;
  int consecutiveSuccesses = 0;
  bool ready = false;             // a check has succeeded once
  std::optional<bool> lastOk;     // none before the first check completed
  std::string lastDetail;         // ProbeOutcome::detail of the last check
  double lastCheckTime = 0;       // wall-clock seconds (time.time()) the last check completed; 0 = never
};

class ProbeMonitor {
 public:
  // `last` is the check that made the verdict. The callback may destroy the monitor
  // (a Failed liveness probe restarts the process); a monitor that lives on keeps checking.
  using VerdictCallback = std::function<void(ProbeVerdict verdict, const ProbeOutcome& last)>;

  // REQUIRES: `io` outlives the monitor; so do context.spawner and context.childWatch.
  ProbeMonitor(boost::asio::io_context& io, ProbeCommandContext context, config::ProbeConfig probe,
               VerdictCallback onVerdict);
  ~ProbeMonitor();
  ProbeMonitor(const ProbeMonitor&) = delete;
  ProbeMonitor& operator=(const ProbeMonitor&) = delete;

  ProbeStatus status() const;
  const config::ProbeConfig& probe() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace policy
