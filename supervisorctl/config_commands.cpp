// avail, reread, add, remove, update: the actions on the configuration.
#include <algorithm>
#include <map>
#include <set>

#include "common/python_str.h"
#include "supervisorctl/commands.h"
#include "supervisorctl/controller.h"
#include "common/namespec.h"
#include "supervisorctl/process_info.h"

namespace supervisorctl {

using common::padRight;

namespace {

using common::xmlrpc::Value;

// _formatConfigInfo: "name<pad to 32> in use<pad to 9> auto<pad to 9> 999:999"
std::string configInfoLine(const Value& info) {
  const std::string name = common::makeNamespec(memberString(info, "group"), memberString(info, "name"));
  const std::string inuse = memberInt(info, "inuse") ? "in use" : "avail";
  const std::string autostart = memberInt(info, "autostart") ? "auto" : "manual";
  const std::string priority = memberText(info, "group_prio") + ":" + memberText(info, "process_prio");
  return padRight(name, 32) + " " + padRight(inuse, 9) + " " + padRight(autostart, 9) + " " + priority;
}

bool refuseArguments(Controller& ctl, const std::string& name, const std::string& arg) {
  if (arg.empty()) return false;
  ctl.output("Error: " + name + " accepts no arguments");
  ctl.exitstatus = exitstatus::GENERIC;
  printHelp(ctl, name);
  return true;
}

std::vector<std::string> stringsOf(const Value& list) {
  std::vector<std::string> strings;
  if (!list.isArray()) return strings;
  for (const Value& item : list.asArray()) {
    if (item.isString()) strings.push_back(item.asString());
  }
  return strings;
}

struct Changes {
  std::vector<std::string> added, changed, removed;
};

// reloadConfig's [[added, changed, removed]].
Changes changesOf(const Value& result) {
  Changes changes;
  if (!result.isArray() || result.asArray().empty() || !result.asArray()[0].isArray()) return changes;
  const Value::Array& lists = result.asArray()[0].asArray();
  if (lists.size() > 0) changes.added = stringsOf(lists[0]);
  if (lists.size() > 1) changes.changed = stringsOf(lists[1]);
  if (lists.size() > 2) changes.removed = stringsOf(lists[2]);
  return changes;
}

}  // namespace

bool doAvail(Controller& ctl, const std::string& arg) {
  if (refuseArguments(ctl, "avail", arg)) return false;
  if (!ctl.checkServerUrl()) return false;
  const RpcReply reply = ctl.call("supervisor.getAllConfigInfo");
  if (reply.isFault(faults::SHUTDOWN_STATE)) {
    ctl.exitstatus = exitstatus::GENERIC;
    ctl.output("ERROR: supervisor shutting down");
    return false;
  }
  if (!reply.ok()) {
    ctl.raise(reply);
    return false;
  }
  for (const Value& info : reply.value.isArray() ? reply.value.asArray() : Value::Array{}) {
    ctl.output(configInfoLine(info));
  }
  return false;
}

bool doReread(Controller& ctl, const std::string& arg) {
  if (refuseArguments(ctl, "reread", arg)) return false;
  if (!ctl.checkServerUrl()) return false;
  const RpcReply reply = ctl.call("supervisor.reloadConfig");
  if (reply.isFault(faults::SHUTDOWN_STATE) || reply.isFault(faults::CANT_REREAD)) {
    ctl.exitstatus = exitstatus::GENERIC;
    ctl.output(reply.fault.code == faults::SHUTDOWN_STATE ? "ERROR: supervisor shutting down"
                                                          : "ERROR: " + reply.fault.string);
    return false;
  }
  if (!reply.ok()) {
    ctl.raise(reply);
    return false;
  }
  // _formatChanges: sorted by name; a name in several lists takes the last one's word.
  const Changes changes = changesOf(reply.value);
  std::map<std::string, std::string> words;
  for (const auto& name : changes.added) words[name] = "available";
  for (const auto& name : changes.changed) words[name] = "changed";
  for (const auto& name : changes.removed) words[name] = "disappeared";
  if (words.empty()) ctl.output("No config updates to processes");
  for (const auto& [name, word] : words) ctl.output(name + ": " + word);
  return false;
}

bool doAdd(Controller& ctl, const std::string& arg) {
  if (!ctl.checkServerUrl()) return false;
  for (const std::string& name : splitWords(arg)) {
    const RpcReply reply = ctl.call("supervisor.addProcessGroup", {name});
    if (reply.ok()) {
      ctl.output(name + ": added process group");
    } else if (reply.isFault(faults::SHUTDOWN_STATE)) {
      ctl.output("ERROR: shutting down");
      ctl.exitstatus = exitstatus::GENERIC;
    } else if (reply.isFault(faults::ALREADY_ADDED)) {
      ctl.output("ERROR: process group already active");
    } else if (reply.isFault(faults::BAD_NAME)) {
      ctl.output("ERROR: no such process/group: " + name);
      ctl.exitstatus = exitstatus::GENERIC;
    } else {
      ctl.raise(reply);
      return false;
    }
  }
  return false;
}

bool doRemove(Controller& ctl, const std::string& arg) {
  if (!ctl.checkServerUrl()) return false;
  for (const std::string& name : splitWords(arg)) {
    const RpcReply reply = ctl.call("supervisor.removeProcessGroup", {name});
    if (reply.ok()) {
      ctl.output(name + ": removed process group");
      continue;
    }
    if (reply.isFault()) ctl.exitstatus = exitstatus::GENERIC;
    if (reply.isFault(faults::STILL_RUNNING)) {
      ctl.output("ERROR: process/group still running: " + name);
    } else if (reply.isFault(faults::BAD_NAME)) {
      ctl.output("ERROR: no such process/group: " + name);
    } else {
      ctl.raise(reply);
      return false;
    }
  }
  return false;
}

bool doUpdate(Controller& ctl, const std::string& arg) {
  if (!ctl.checkServerUrl()) return false;
  const RpcReply reread = ctl.call("supervisor.reloadConfig");
  if (reread.isFault(faults::SHUTDOWN_STATE)) {
    ctl.exitstatus = exitstatus::GENERIC;
    ctl.output("ERROR: already shutting down");
    return false;
  }
  if (!reread.ok()) {
    ctl.raise(reread);
    return false;
  }
  const Changes changes = changesOf(reread.value);
  const std::vector<std::string> words = splitWords(arg);
  std::set<std::string> wanted(words.begin(), words.end());
  if (wanted.count("all")) wanted.clear();

  if (!wanted.empty()) {
    const RpcReply infos = ctl.call("supervisor.getAllProcessInfo");
    if (!infos.ok()) {
      ctl.raise(infos);
      return false;
    }
    std::set<std::string> groups(changes.added.begin(), changes.added.end());
    for (const Value& info : infos.value.isArray() ? infos.value.asArray() : Value::Array{}) {
      groups.insert(memberString(info, "group"));
    }
    // Python walks a set of strings; its order is not reproducible, sorted is ours.
    for (const std::string& name : wanted) {
      if (!groups.count(name)) {
        ctl.output("ERROR: no such group: " + name);
        ctl.exitstatus = exitstatus::GENERIC;
      }
    }
  }
  auto skip = [&](const std::string& name) { return !wanted.empty() && !wanted.count(name); };
  auto mustCall = [&](const char* method, const std::string& name, RpcReply* out = nullptr) {
    RpcReply reply = ctl.call(method, {name});
    if (!reply.ok()) ctl.raise(reply);
    if (out) *out = reply;
    return reply.ok();
  };

  for (const std::string& name : changes.removed) {
    if (skip(name)) continue;
    RpcReply stopped;
    if (!mustCall("supervisor.stopProcessGroup", name, &stopped)) return false;
    ctl.output(name + ": stopped");
    bool failed = false;
    for (const Value& result : stopped.value.isArray() ? stopped.value.asArray() : Value::Array{}) {
      if (memberInt(result, "status") == faults::FAILED) failed = true;
    }
    if (failed) {
      ctl.output(name + ": has problems; not removing");
      ctl.exitstatus = exitstatus::GENERIC;
      continue;
    }
    if (!mustCall("supervisor.removeProcessGroup", name)) return false;
    ctl.output(name + ": removed process group");
  }
  for (const std::string& name : changes.changed) {
    if (skip(name)) continue;
    if (!mustCall("supervisor.stopProcessGroup", name)) return false;
    ctl.output(name + ": stopped");
    if (!mustCall("supervisor.removeProcessGroup", name)) return false;
    if (!mustCall("supervisor.addProcessGroup", name)) return false;
    ctl.output(name + ": updated process group");
  }
  for (const std::string& name : changes.added) {
    if (skip(name)) continue;
    if (!mustCall("supervisor.addProcessGroup", name)) return false;
    ctl.output(name + ": added process group");
  }
  return false;
}

}  // namespace supervisorctl
