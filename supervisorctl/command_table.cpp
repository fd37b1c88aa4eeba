// The table of actions and their help texts (help_<name> in supervisorctl.py).
#include <algorithm>

#include "supervisorctl/commands.h"
#include "supervisorctl/controller.h"

namespace supervisorctl {

const std::vector<Command>& commandTable() {
  static const std::vector<Command> table = {
      {"add", doAdd, "add <name> [...]\tActivates any updates in config for process/group"},
      {"avail", doAvail, "avail\t\t\tDisplay all configured processes"},
      {"clear", doClear,
       "clear <name>\t\tClear a process' log files.\n"
       "clear <name> <name>\tClear multiple process' log files\n"
       "clear all\t\tClear all process' log files"},
      {"cluster", doCluster, "cluster\t\t\tShow the cluster: nodes, roles, scores, primaries, lease"},
      {"demote", doDemote, "demote <name>\t\tRun a promotable process' demote hook; it becomes a replica"},
      {"exit", doQuit, "exit\tExit the supervisor shell."},
      {"failover", doFailover,
       "failover [--wait=S] <name> <node>\tPromote <node> when the program has no healthy primary"},
      {"fg", doFg, "fg <process>\tConnect to a process in foreground mode\n\t\tCtrl-C to exit"},
      {"help", doHelp, "help\t\tPrint a list of available actions\nhelp <action>\tPrint help for <action>"},
      {"maintail", doMaintail,
       "maintail -f \tContinuous tail of supervisor main log file (Ctrl-C to exit)\n"
       "maintail -100\tlast 100 *bytes* of supervisord main log file\n"
       "maintail\tlast 1600 *bytes* of supervisor main log file\n"},
      {"maintenance", doMaintenance,
       "maintenance on|off\tStop (on) or resume (off) every automatic action of the cluster"},
      {"open", doOpen,
       "open <url>\tConnect to a remote supervisord process.\n"
       "\t\t(for UNIX domain socket, use unix:///socket/path)"},
      {"pid", doPid,
       "pid\t\t\tGet the PID of supervisord.\n"
       "pid <name>\t\tGet the PID of a single child process by name.\n"
       "pid all\t\t\tGet the PID of every child process, one per line."},
      {"policy", doPolicy,
       "policy <name>\t\tShow the restart policy of a process\n"
       "policy <gname>:*\tShow the restart policies of all processes in a group\n"
       "policy <name> <name>\tShow the restart policies of multiple processes or groups\n"
       "policy\t\t\tShow the restart policies of all processes"},
      {"promote", doPromote, "promote <name>\t\tRun a promotable process' promote hook; it becomes the primary"},
      {"quit", doQuit, "quit\tExit the supervisor shell."},
      {"reload", doReload, "reload \t\tRestart the remote supervisord."},
      {"remove", doRemove, "remove <name> [...]\tRemoves process/group from active config"},
      {"reread", doReread, "reread \t\t\tReload the daemon's configuration files without add/remove"},
      {"resetbudget", doResetbudget,
       "resetbudget <name>\tForget a process' restarts: its restart budget is whole again"},
      {"restart", doRestart,
       "restart <name>\t\tRestart a process\n"
       "restart <gname>:*\tRestart all processes in a group\n"
       "restart <name> <name>\tRestart multiple processes or groups\n"
       "restart all\t\tRestart all processes\n"
       "Note: restart does not reread config files. For that, see reread and update."},
      {"shutdown", doShutdown, "shutdown \tShut the remote supervisord down."},
      {"switchover", doSwitchover,
       "switchover [--wait=S] <name> [<node>]\tHand the primary role over to <node> (default: the best replica)"},
      {"signal", doSignal,
       "signal <signal name> <name>\t\tSignal a process\n"
       "signal <signal name> <gname>:*\t\tSignal all processes in a group\n"
       "signal <signal name> <name> <name>\tSignal multiple processes or groups\n"
       "signal <signal name> all\t\tSignal all processes"},
      {"start", doStart,
       "start <name>\t\tStart a process\n"
       "start <gname>:*\t\tStart all processes in a group\n"
       "start <name> <name>\tStart multiple processes or groups\n"
       "start all\t\tStart all processes"},
      {"status", doStatus,
       "status <name>\t\tGet status for a single process\n"
       "status <gname>:*\tGet status for all processes in a group\n"
       "status <name> <name>\tGet status for multiple named processes\n"
       "status\t\t\tGet all process status info"},
      {"stop", doStop,
       "stop <name>\t\tStop a process\n"
       "stop <gname>:*\t\tStop all processes in a group\n"
       "stop <name> <name>\tStop multiple processes or groups\n"
       "stop all\t\tStop all processes"},
      {"tail", doTail,
       "tail [-f] <name> [stdout|stderr] (default stdout)\n"
       "Ex:\n"
       "tail -f <name>\t\tContinuous tail of named process stdout\n"
       "\t\t\tCtrl-C to exit.\n"
       "tail -100 <name>\tlast 100 *bytes* of process stdout\n"
       "tail <name> stderr\tlast 1600 *bytes* of process stderr"},
      {"update", doUpdate,
       "update\t\t\tReload config and add/remove as necessary, and will restart affected programs\n"
       "update all\t\tReload config and add/remove as necessary, and will restart affected programs\n"
       "update <gname> [...]\tUpdate specific groups"},
      {"version", doVersion, "version\t\t\tShow the version of the remote supervisord process"},
      {"EOF", doEof, nullptr},
  };
  return table;
}

const Command* findCommand(const std::string& name) {
  for (const Command& command : commandTable()) {
    if (name == command.name) return &command;
  }
  return nullptr;
}

std::vector<std::string> actionNames() {
  std::vector<std::string> names;
  for (const Command& command : commandTable()) {
    if (std::string(command.name) != "EOF") names.push_back(command.name);
  }
  return names;
}

void printHelp(Controller& ctl, const std::string& name) {
  if (const Command* command = findCommand(name); command && command->help) ctl.output(command->help);
}

}  // namespace supervisorctl
