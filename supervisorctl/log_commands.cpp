// tail and maintail: reading a process's log or supervisord's main log.
#include <optional>

#include "common/python_str.h"

#include "supervisorctl/commands.h"
#include "supervisorctl/controller.h"
#include "supervisorctl/log_stream.h"

namespace supervisorctl {

namespace {

// Python's int() of the text after '-' in "-100".
std::optional<long long> parseByteCount(const std::string& text) {
  std::string digits = text;
  while (!digits.empty() && (digits.front() == ' ' || digits.front() == '\t')) digits.erase(0, 1);
  while (!digits.empty() && (digits.back() == ' ' || digits.back() == '\t')) digits.pop_back();
  std::size_t at = 0;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) at = 1;
  if (at >= digits.size()) return std::nullopt;
  for (std::size_t i = at; i < digits.size(); ++i) {
    if (digits[i] == '_' && i > at && i + 1 < digits.size() && digits[i + 1] != '_') continue;
    if (digits[i] < '0' || digits[i] > '9') return std::nullopt;
  }
  std::string clean;
  for (char c : digits) {
    if (c != '_') clean += c;
  }
  try {
    return std::stoll(clean);
  } catch (...) {
    return std::nullopt;
  }
}

// _tailf: follow `path` until the server ends it or Ctrl-C.
void followLog(Controller& ctl, const std::string& path) {
  ctl.output("==> Press Ctrl-C to exit <==");
  InterruptScope scope;
  const pid_t stream = startLogStream(ctl.options(), path);
  if (waitLogStreams({stream})) ctl.output("");
}

}  // namespace

bool doTail(Controller& ctl, const std::string& arg) {
  if (!ctl.upcheck()) return false;
  std::vector<std::string> args = splitWords(arg);
  if (args.empty()) {
    ctl.output("Error: too few arguments");
    ctl.exitstatus = exitstatus::GENERIC;
    printHelp(ctl, "tail");
    return false;
  }
  if (args.size() > 3) {
    ctl.output("Error: too many arguments");
    ctl.exitstatus = exitstatus::GENERIC;
    printHelp(ctl, "tail");
    return false;
  }
  std::optional<std::string> modifier;
  if (args[0].rfind('-', 0) == 0) {
    modifier = args.front();
    args.erase(args.begin());
  }
  std::string name;
  std::string channel = "stdout";
  if (args.size() == 1) {
    name = args.back();
  } else if (!args.empty()) {
    name = args.front();
    channel = args.back();
    for (char& c : channel) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (channel != "stderr" && channel != "stdout") {
      ctl.output("Error: bad channel " + common::pythonRepr(channel));
      ctl.exitstatus = exitstatus::GENERIC;
      return false;
    }
  } else {
    ctl.output("Error: tail requires process name");
    ctl.exitstatus = exitstatus::GENERIC;
    return false;
  }

  long long bytes = 1600;
  if (modifier) {
    const std::string what = modifier->substr(1);
    if (what == "f") {
      if (!ctl.checkServerUrl()) return false;
      followLog(ctl, "/logtail/" + name + "/" + channel);
      return false;
    }
    const auto count = parseByteCount(what);
    if (!count) {
      ctl.output("Error: bad argument " + *modifier);
      ctl.exitstatus = exitstatus::GENERIC;
      return false;
    }
    bytes = *count;
  }
  const RpcReply reply = ctl.call(channel == "stdout" ? "supervisor.readProcessStdoutLog"
                                                      : "supervisor.readProcessStderrLog",
                                  {name, -bytes, 0});
  if (reply.ok()) {
    ctl.output(reply.value.isString() ? reply.value.asString() : "");
    return false;
  }
  if (reply.isFault()) ctl.exitstatus = exitstatus::GENERIC;
  if (reply.isFault(faults::NO_FILE)) {
    ctl.output(name + ": ERROR (no log file)");
  } else if (reply.isFault(faults::FAILED)) {
    ctl.output(name + ": ERROR (unknown error reading log)");
  } else if (reply.isFault(faults::BAD_NAME)) {
    ctl.output(name + ": ERROR (no such process name)");
  } else {
    ctl.raise(reply);
  }
  return false;
}

bool doMaintail(Controller& ctl, const std::string& arg) {
  if (!ctl.upcheck()) return false;
  const std::vector<std::string> args = splitWords(arg);
  long long bytes = 1600;
  if (args.size() > 1) {
    ctl.output("Error: too many arguments");
    ctl.exitstatus = exitstatus::GENERIC;
    printHelp(ctl, "maintail");
    return false;
  }
  if (args.size() == 1) {
    if (args[0].rfind('-', 0) != 0) {
      ctl.output("Error: bad argument " + args[0]);
      ctl.exitstatus = exitstatus::GENERIC;
      return false;
    }
    const std::string what = args[0].substr(1);
    if (what == "f") {
      followLog(ctl, "/mainlogtail");
      return false;
    }
    const auto count = parseByteCount(what);
    if (!count) {
      ctl.output("Error: bad argument " + args[0]);
      ctl.exitstatus = exitstatus::GENERIC;
      return false;
    }
    bytes = *count;
  }
  if (!ctl.checkServerUrl()) return false;
  const RpcReply reply = ctl.call("supervisor.readLog", {-bytes, 0});
  if (reply.ok()) {
    ctl.output(reply.value.isString() ? reply.value.asString() : "");
    return false;
  }
  if (reply.isFault()) ctl.exitstatus = exitstatus::GENERIC;
  if (reply.isFault(faults::NO_FILE)) {
    ctl.output("supervisord: ERROR (no log file)");
  } else if (reply.isFault(faults::FAILED)) {
    ctl.output("supervisord: ERROR (unknown error reading log)");
  } else {
    ctl.raise(reply);
  }
  return false;
}

}  // namespace supervisorctl
