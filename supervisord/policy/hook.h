#pragma once
// The hooks a program may have (README.md, "Restart policies" and "Cluster mode"): one
// enum, in the order the API lists their last runs. Their names are what operators see:
// SUPERVISOR_HOOK, ha.getPolicyState's `hook`, the log ("promote_command of db: …").

#include <string>
#include <string_view>

#include "supervisord/config/config_model.h"

namespace policy {

enum class Hook { PreStart, PostStop, Promote, Demote, Score, Escalate, Follow, Route, Notify };

inline constexpr Hook kAllHooks[] = {Hook::PreStart, Hook::PostStop, Hook::Promote, Hook::Demote, Hook::Score,
                                     Hook::Escalate, Hook::Follow,   Hook::Route,   Hook::Notify};

// "pre_start", "post_stop", "promote", "demote", "score", "escalate", "follow", "route", "notify".
std::string_view hookName(Hook hook);
// Its configured command (`<name>_command`); empty when not set.
const std::string& hookCommand(const config::PolicyConfig& policy, Hook hook);

}  // namespace policy
