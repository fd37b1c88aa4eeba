#include "supervisord/policy/backoff.h"

#include <algorithm>
#include <cmath>

namespace policy {

double retryDelay(const config::PolicyConfig& policy, int tries, double jitterSample) {
  const int n = std::max(tries, 1);
  double delay = policy.backoff == config::Backoff::Linear
                     ? static_cast<double>(n)
                     // 2^(n-1) overflows nothing that matters: the cap applies long before.
                     : policy.backoffInitial * std::pow(2.0, std::min(n - 1, 60));
  delay = std::min(delay, policy.backoffMax);
  return delay * (1 + policy.backoffJitter * std::clamp(jitterSample, 0.0, 1.0));
}

}  // namespace policy
