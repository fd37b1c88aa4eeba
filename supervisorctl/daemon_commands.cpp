// shutdown, reload, version, open, quit/exit/EOF and help: the actions on
// supervisord itself and on the shell.
#include <cerrno>

#include "supervisorctl/commands.h"
#include "supervisorctl/controller.h"

namespace supervisorctl {

namespace {

bool refuseArguments(Controller& ctl, const std::string& name, const std::string& arg) {
  if (arg.empty()) return false;
  ctl.output("Error: " + name + " accepts no arguments");
  ctl.exitstatus = exitstatus::GENERIC;
  printHelp(ctl, name);
  return true;
}

// Asked only in the interactive shell; any answer starting with y/Y is yes.
bool confirmed(Controller& ctl, const std::string& question) {
  if (!ctl.options().interactive) return true;
  const auto answer = ctl.readLine(question);
  return answer && !answer->empty() && (answer->front() == 'y' || answer->front() == 'Y');
}

// urlparse's scheme: letters, digits, + - . before the first ':', lowercased.
std::string schemeOf(const std::string& url) {
  const auto colon = url.find(':');
  if (colon == std::string::npos || colon == 0 || !std::isalpha(static_cast<unsigned char>(url[0]))) return "";
  std::string scheme;
  for (std::size_t i = 0; i < colon; ++i) {
    const char c = url[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return "";
    scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return scheme;
}

// Python's listing (cmd.Cmd.print_topics) of its default plugin, then ours the
// way Python lists a ctlplugin's commands: a section of their own.
constexpr const char* kHelpListing =
    "\n"
    "default commands (type help <topic>):\n"
    "=====================================\n"
    "add    exit      open  reload  restart   start   tail   \n"
    "avail  fg        pid   remove  shutdown  status  update \n"
    "clear  maintail  quit  reread  signal    stop    version\n"
    "\n"
    "\n"
    "ha commands (type help <topic>):\n"
    "================================\n"
    "cluster  failover     policy   resetbudget\n"
    "demote   maintenance  promote  switchover \n";

}  // namespace

bool doShutdown(Controller& ctl, const std::string& arg) {
  if (refuseArguments(ctl, "shutdown", arg)) return false;
  if (!confirmed(ctl, "Really shut the remote supervisord process down y/N? ")) return false;
  if (!ctl.checkServerUrl()) return false;
  const RpcReply reply = ctl.call("supervisor.shutdown");
  if (reply.ok()) {
    ctl.output("Shut down");
  } else if (reply.isFault(faults::SHUTDOWN_STATE)) {
    ctl.output("ERROR: already shutting down");
  } else if (reply.kind == RpcReply::Kind::socketError && reply.socketWhileConnecting &&
             (reply.socketErrno == ECONNREFUSED || reply.socketErrno == ENOENT)) {
    ctl.exitstatus = exitstatus::GENERIC;
    ctl.output("ERROR: " + ctl.options().serverurl +
               (reply.socketErrno == ECONNREFUSED ? " refused connection" : " no such file") +
               " (already shut down?)");
  } else {
    ctl.raise(reply);
  }
  return false;
}

bool doReload(Controller& ctl, const std::string& arg) {
  if (refuseArguments(ctl, "reload", arg)) return false;
  if (!confirmed(ctl, "Really restart the remote supervisord process y/N? ")) return false;
  if (!ctl.checkServerUrl()) return false;
  const RpcReply reply = ctl.call("supervisor.restart");
  if (reply.ok()) {
    ctl.output("Restarted supervisord");
  } else if (reply.isFault(faults::SHUTDOWN_STATE)) {
    ctl.exitstatus = exitstatus::GENERIC;
    ctl.output("ERROR: already shutting down");
  } else {
    ctl.raise(reply);
  }
  return false;
}

bool doVersion(Controller& ctl, const std::string& arg) {
  if (refuseArguments(ctl, "version", arg)) return false;
  if (!ctl.upcheck()) return false;
  const RpcReply reply = ctl.call("supervisor.getSupervisorVersion");
  if (!reply.ok()) {
    ctl.raise(reply);
    return false;
  }
  ctl.output(reply.value.isString() ? reply.value.asString() : "");
  return false;
}

bool doOpen(Controller& ctl, const std::string& arg) {
  const std::string scheme = schemeOf(arg);
  if (scheme != "unix" && scheme != "http") {
    ctl.output("ERROR: url must be http:// or unix://");
    ctl.exitstatus = exitstatus::GENERIC;
    return false;
  }
  ctl.options().serverurl = arg;
  const int before = ctl.exitstatus;
  doStatus(ctl, "");
  ctl.exitstatus = before;
  return false;
}

bool doEof(Controller& ctl, const std::string&) {
  ctl.output("");
  return true;
}

bool doQuit(Controller& ctl, const std::string& arg) { return doEof(ctl, arg); }

bool doHelp(Controller& ctl, const std::string& arg) {
  if (arg.empty()) {
    ctl.output(kHelpListing);
    return false;
  }
  const Command* command = findCommand(arg);
  if (!command || !command->help) {
    ctl.output("*** No help on " + arg);
    return false;
  }
  ctl.output(command->help);
  return false;
}

}  // namespace supervisorctl
