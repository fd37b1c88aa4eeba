#pragma once
// Which members of a group restart when one of them must ([group:x] strategy,
// Erlang/OTP's vocabulary). Pure.

#include <cstddef>
#include <vector>

#include "supervisord/config/policy_config.h"

namespace policy {

// Members are indexes into the group's processes in ascending priority (start order).
// one_for_one: only `failed`; one_for_all: every member; rest_for_one: `failed` and
// every member after it. The result is in start order: stop it back to front, start
// it front to back. REQUIRES: failed < memberCount.
std::vector<std::size_t> restartSet(config::GroupStrategy strategy, std::size_t failed, std::size_t memberCount);

}  // namespace policy
