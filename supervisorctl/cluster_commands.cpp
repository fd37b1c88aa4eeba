// cluster, switchover, failover, maintenance: cluster mode through supervisor-ha's
// ha.* methods. switchover and failover wait (up to --wait seconds, default 30) until
// the cluster shows the new primary, printing "db: switched over to n2"; a refusal
// prints "db: ERROR (<reason>)". Any error leaves exit status 1 (7 for NOT_RUNNING).
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "supervisorctl/cluster_view.h"
#include "supervisorctl/commands.h"
#include "supervisorctl/controller.h"

namespace supervisorctl {

namespace {

using common::xmlrpc::Value;

// A daemon without the methods (Python Supervisor) or without [cluster].
bool reportNotClustered(Controller& ctl, const RpcReply& reply) {
  if (reply.isFault(faults::UNKNOWN_METHOD)) {
    ctl.output("ERROR: this supervisord has no cluster mode (the ha.* methods are supervisor-ha's)");
  } else if (reply.isFault(faults::NOT_CLUSTERED)) {
    ctl.output("ERROR: this supervisord is not in a cluster (no [cluster] section)");
  } else {
    return false;
  }
  ctl.exitstatus = exitstatus::GENERIC;
  return true;
}

// "NAME: reason" fault strings lose their code name: "CLUSTER_MANAGED: x" -> "x".
std::string faultText(const xmlrpc::Fault& fault) {
  const auto colon = fault.string.find(": ");
  if (colon != std::string::npos && fault.string.substr(0, colon).find(' ') == std::string::npos)
    return fault.string.substr(colon + 2);
  return fault.string;
}

std::optional<ClusterView> fetch(Controller& ctl) {
  const RpcReply reply = ctl.call("ha.getClusterState");
  if (reply.ok()) return decodeClusterState(reply.value);
  if (!reportNotClustered(ctl, reply)) ctl.raise(reply);
  return std::nullopt;
}

// switchover/failover: ask, then watch until the primary is `target` (or, with no
// target, anyone but `previous`).
void handOver(Controller& ctl, const char* action, const std::string& arg, bool needTarget) {
  if (!ctl.upcheck()) return;
  std::vector<std::string> words = splitWords(arg);
  double wait = 30;
  if (words.size() >= 2 && words[0].starts_with("--wait=")) {
    wait = std::atof(words[0].c_str() + 7);
    words.erase(words.begin());
  }
  if (words.empty() || words.size() > 2 || (needTarget && words.size() != 2)) {
    ctl.output(std::string("Error: ") + action + (needTarget ? " requires a program name and a node"
                                                             : " requires a program name and at most one node"));
    ctl.exitstatus = exitstatus::INVALID_ARGS;
    printHelp(ctl, action);
    return;
  }
  const std::string program = words[0];
  const std::string target = words.size() == 2 ? words[1] : "";
  auto before = fetch(ctl);
  if (!before) return;
  const std::string previous = primaryOf(*before, program);
  const RpcReply reply = ctl.call(std::string("ha.") + action, {program, target});
  if (!reply.ok()) {
    if (reportNotClustered(ctl, reply)) return;
    if (!reply.isFault()) return ctl.raise(reply);
    ctl.output(program + ": ERROR (" +
               (reply.fault.code == faults::BAD_NAME ? std::string("no such promotable program") : faultText(reply.fault)) +
               ")");
    ctl.setExitstatusFromFault(reply.fault.code);
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait);
  while (std::chrono::steady_clock::now() < deadline) {
    auto now = fetch(ctl);
    if (!now) return;
    const std::string primary = primaryOf(*now, program);
    if (!primary.empty() && (target.empty() ? primary != previous : primary == target)) {
      ctl.output(program + ": " + (std::string(action) == "switchover" ? "switched over to " : "failed over to ") +
                 primary);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ctl.output(program + ": ERROR (" + action + " requested, but " + (target.empty() ? "no new primary" : target) +
             " is not primary after " + std::to_string(static_cast<int>(wait)) + " s; see `cluster`)");
  ctl.exitstatus = exitstatus::GENERIC;
}

}  // namespace

bool doCluster(Controller& ctl, const std::string&) {
  if (!ctl.upcheck()) return false;
  if (auto view = fetch(ctl))
    for (const std::string& line : formatCluster(*view)) ctl.output(line);
  return false;
}

bool doSwitchover(Controller& ctl, const std::string& arg) {
  handOver(ctl, "switchover", arg, false);
  return false;
}

bool doFailover(Controller& ctl, const std::string& arg) {
  handOver(ctl, "failover", arg, true);
  return false;
}

bool doMaintenance(Controller& ctl, const std::string& arg) {
  const std::vector<std::string> words = splitWords(arg);
  if (words.size() != 1 || (words[0] != "on" && words[0] != "off")) {
    ctl.output("Error: maintenance requires on or off");
    ctl.exitstatus = exitstatus::INVALID_ARGS;
    printHelp(ctl, "maintenance");
    return false;
  }
  if (!ctl.upcheck()) return false;
  const RpcReply reply = ctl.call("ha.setMaintenance", {Value(words[0] == "on")});
  if (reply.ok()) {
    ctl.output(words[0] == "on" ? "maintenance on: no automatic action in the cluster"
                                : "maintenance off: the cluster acts on failures again");
    return false;
  }
  if (reportNotClustered(ctl, reply)) return false;
  if (!reply.isFault()) {
    ctl.raise(reply);
    return false;
  }
  ctl.output("ERROR (" + faultText(reply.fault) + ")");
  ctl.setExitstatusFromFault(reply.fault.code);
  return false;
}

}  // namespace supervisorctl
