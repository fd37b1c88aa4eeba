#pragma once
// ProbeTally: the counting behind a probe, without clocks or sockets. Each check's
// result goes in; out comes the verdict the caller acts on, if this check made one.
// Ready: the first success ever. Failed: every failureThreshold-th consecutive failure
// (3, 6, 9 … with a threshold of 3), so a probe that keeps failing keeps reporting.

#include <optional>

namespace policy {

enum class ProbeVerdict { Ready, Failed };

// "ready", "failed": for log lines.
const char* verdictName(ProbeVerdict verdict);

struct ProbeTally {
  int failureThreshold = 3;  // below 1 counts as 1
  int checks = 0;
  int consecutiveFailures = 0;
  int consecutiveSuccesses = 0;
  bool ready = false;  // a check has succeeded once

  std::optional<ProbeVerdict> record(bool ok);
};

}  // namespace policy
