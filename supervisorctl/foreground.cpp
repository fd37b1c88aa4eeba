// fg: attach to a running process: its stdout and stderr logs stream to our
// stdout while each line typed is sent to its stdin; Ctrl-C or end of input
// detaches.
#include <cstdio>
#include <iostream>

#include "common/python_str.h"
#include "supervisorctl/commands.h"
#include "supervisorctl/controller.h"
#include "supervisorctl/log_stream.h"
#include "supervisorctl/process_info.h"

namespace supervisorctl {

namespace {

constexpr int kRunning = 20;  // ProcessStates.RUNNING

// A line from stdin; nullopt at end of input or on Ctrl-C.
std::optional<std::string> readInputLine() {
  std::string line;
  if (!std::getline(std::cin, line)) {
    std::cin.clear();
    return std::nullopt;
  }
  return line;
}

}  // namespace

bool doFg(Controller& ctl, const std::string& arg) {
  if (!ctl.upcheck()) return false;
  const std::vector<std::string> names = splitWords(arg);
  if (names.empty()) {
    ctl.output("ERROR: no process name supplied");
    ctl.exitstatus = exitstatus::GENERIC;
    printHelp(ctl, "fg");
    return false;
  }
  if (names.size() > 1) {
    ctl.output("ERROR: too many process names supplied");
    ctl.exitstatus = exitstatus::GENERIC;
    return false;
  }
  const std::string& name = names.front();
  const RpcReply info = ctl.call("supervisor.getProcessInfo", {name});
  if (info.isFault(faults::BAD_NAME)) {
    ctl.output("ERROR: bad process name supplied");
    ctl.exitstatus = exitstatus::GENERIC;
    return false;
  }
  if (info.isFault()) {
    ctl.output("ERROR: <Fault " + std::to_string(info.fault.code) + ": " + common::pythonRepr(info.fault.string) + ">");
    return false;
  }
  if (!info.ok()) {
    ctl.raise(info);
    return false;
  }
  if (memberInt(info.value, "state") != kRunning) {
    ctl.output("ERROR: process not running");
    ctl.exitstatus = exitstatus::GENERIC;
    return false;
  }
  ctl.output("==> Press Ctrl-C to exit <==");

  InterruptScope scope;
  const std::vector<pid_t> streams = {startLogStream(ctl.options(), "/logtail/" + name + "/stdout"),
                                      startLogStream(ctl.options(), "/logtail/" + name + "/stderr")};
  while (true) {
    const auto line = readInputLine();
    if (!line || InterruptScope::interrupted()) break;
    const RpcReply sent = ctl.call("supervisor.sendProcessStdin", {name, *line + "\n"});
    if (!sent.ok()) {
      if (sent.isFault(faults::NOT_RUNNING)) {
        ctl.output("Process got killed");
      } else if (sent.isFault()) {
        ctl.output("ERROR: <Fault " + std::to_string(sent.fault.code) + ": " +
                   common::pythonRepr(sent.fault.string) + ">");
      } else {
        stopLogStreams(streams);
        ctl.raise(sent);
        return false;
      }
      ctl.output("Exiting foreground");
      stopLogStreams(streams);
      return false;
    }
    const RpcReply now = ctl.call("supervisor.getProcessInfo", {name});
    if (!now.ok()) {
      stopLogStreams(streams);
      ctl.raise(now);
      return false;
    }
    if (memberInt(now.value, "state") != kRunning) {
      ctl.output("Process got killed");
      ctl.output("Exiting foreground");
      stopLogStreams(streams);
      return false;
    }
  }
  ctl.output("Exiting foreground");
  stopLogStreams(streams);
  return false;
}

}  // namespace supervisorctl
