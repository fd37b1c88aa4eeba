#include "supervisord/policy/probe_tally.h"

#include <algorithm>

namespace policy {

const char* verdictName(ProbeVerdict verdict) {
  switch (verdict) {
    case ProbeVerdict::Ready:
      return "ready";
    case ProbeVerdict::Failed:
      return "failed";
  }
  return "?";
}

std::optional<ProbeVerdict> ProbeTally::record(bool ok) {
  ++checks;
  if (ok) {
    ++consecutiveSuccesses;
    consecutiveFailures = 0;
    if (ready) return std::nullopt;
    ready = true;
    return ProbeVerdict::Ready;
  }
  consecutiveSuccesses = 0;
  ++consecutiveFailures;
  if (consecutiveFailures % std::max(failureThreshold, 1) == 0) return ProbeVerdict::Failed;
  return std::nullopt;
}

}  // namespace policy
