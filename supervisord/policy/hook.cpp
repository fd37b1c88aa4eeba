#include "supervisord/policy/hook.h"

namespace policy {

std::string_view hookName(Hook hook) {
  switch (hook) {
    case Hook::PreStart: return "pre_start";
    case Hook::PostStop: return "post_stop";
    case Hook::Promote: return "promote";
    case Hook::Demote: return "demote";
    case Hook::Score: return "score";
    case Hook::Escalate: return "escalate";
    case Hook::Follow: return "follow";
    case Hook::Route: return "route";
    case Hook::Notify: return "notify";
  }
  return "hook";
}

const std::string& hookCommand(const config::PolicyConfig& policy, Hook hook) {
  switch (hook) {
    case Hook::PreStart: return policy.preStartCommand;
    case Hook::PostStop: return policy.postStopCommand;
    case Hook::Promote: return policy.promoteCommand;
    case Hook::Demote: return policy.demoteCommand;
    case Hook::Score: return policy.scoreCommand;
    case Hook::Escalate: return policy.escalateCommand;
    case Hook::Follow: return policy.followCommand;
    case Hook::Route: return policy.routeCommand;
    case Hook::Notify: return policy.notifyCommand;
  }
  static const std::string none;
  return none;
}

}  // namespace policy
