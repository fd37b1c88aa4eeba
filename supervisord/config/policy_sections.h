#pragma once
// The restart-policy keys (policy_config.h) as read from a config: per process in
// [program:x] and [fcgi-program:x], per [group:x], and [supervisord] start_order.
// Internal to the config loader. Absent keys keep the model's defaults (Supervisor's
// behaviour); errors name file:line [section] key like every other config error.

#include <string>
#include <vector>

#include "common/result.h"
#include "supervisord/config/expansion.h"
#include "supervisord/config/policy_config.h"
#include "supervisord/config/section_reader.h"

namespace config {

// The policy keys of one process of a [program:x] or [fcgi-program:x] section.
// `expansions` are that process's (after numprocs): every key is expanded with them.
common::Result<PolicyConfig> readProcessPolicy(const SectionReader& r, const Expansions& expansions);

// Once per section: a warning for each <probe>_interval/_timeout/_failures/_delay key
// whose probe is not set (the key is ignored).
void warnAboutProbeKeysWithoutProbe(const SectionReader& r, std::vector<std::string>& warnings);

// [group:x] strategy and restart_budget.
common::Result<GroupPolicyConfig> readGroupPolicy(const SectionReader& r);

// [supervisord] start_order.
common::Result<StartOrder> readStartOrder(const SectionReader& r);

// The keys above, for the unknown-key warnings (known_keys.cpp).
const std::vector<std::string>& processPolicyKeys();
const std::vector<std::string>& groupPolicyKeys();

}  // namespace config
