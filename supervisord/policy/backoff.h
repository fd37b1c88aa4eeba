#pragma once
// How long a process waits before its next automatic restart (backoff = linear or
// exponential). Pure: the caller draws the random jitter sample.

#include "supervisord/config/policy_config.h"

namespace policy {

// The delay before retry number `tries` (1 = the first retry after a failure):
// linear waits `tries` seconds (Supervisor's 1 s, 2 s, 3 s …); exponential waits
// backoff_initial · 2^(tries-1). Both are capped at backoff_max, then lengthened by
// up to backoff_jitter of themselves: `jitterSample` in [0, 1) says how much.
// tries < 1 counts as 1.
double retryDelay(const config::PolicyConfig& policy, int tries, double jitterSample);

}  // namespace policy
