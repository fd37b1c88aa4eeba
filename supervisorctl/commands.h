#pragma once
// supervisorctl's actions (DefaultControllerPlugin's do_* methods), one
// function each, grouped in files by family, and the table that names them.
// Each takes the argument text after the action name, already stripped.

#include <string>
#include <vector>

namespace supervisorctl {

class Controller;

struct Command {
  const char* name;
  // Returns true when the shell should end.
  bool (*run)(Controller& ctl, const std::string& arg);
  // What `help <name>` prints (help_<name>), or nullptr when there is none.
  const char* help;
};

// The actions in the order Python lists them, with "help" and "EOF", and ours
// (policy, promote, demote, resetbudget) in name order among them.
const std::vector<Command>& commandTable();
const Command* findCommand(const std::string& name);
// The names tab completion offers (Controller.vocab): every action but EOF.
std::vector<std::string> actionNames();
// Prints help_<name> for the named action.
void printHelp(Controller& ctl, const std::string& name);

// process_commands.cpp
bool doStatus(Controller& ctl, const std::string& arg);
bool doStart(Controller& ctl, const std::string& arg);
bool doStop(Controller& ctl, const std::string& arg);
bool doRestart(Controller& ctl, const std::string& arg);
bool doSignal(Controller& ctl, const std::string& arg);
bool doClear(Controller& ctl, const std::string& arg);
bool doPid(Controller& ctl, const std::string& arg);
// config_commands.cpp
bool doAvail(Controller& ctl, const std::string& arg);
bool doReread(Controller& ctl, const std::string& arg);
bool doAdd(Controller& ctl, const std::string& arg);
bool doRemove(Controller& ctl, const std::string& arg);
bool doUpdate(Controller& ctl, const std::string& arg);
// log_commands.cpp
bool doTail(Controller& ctl, const std::string& arg);
bool doMaintail(Controller& ctl, const std::string& arg);
// foreground.cpp
bool doFg(Controller& ctl, const std::string& arg);
// daemon_commands.cpp
bool doShutdown(Controller& ctl, const std::string& arg);
bool doReload(Controller& ctl, const std::string& arg);
bool doVersion(Controller& ctl, const std::string& arg);
bool doOpen(Controller& ctl, const std::string& arg);
bool doQuit(Controller& ctl, const std::string& arg);
bool doEof(Controller& ctl, const std::string& arg);
bool doHelp(Controller& ctl, const std::string& arg);
// policy_commands.cpp (ha.*: supervisor-ha's restart policies)
bool doPolicy(Controller& ctl, const std::string& arg);
bool doPromote(Controller& ctl, const std::string& arg);
bool doDemote(Controller& ctl, const std::string& arg);
bool doResetbudget(Controller& ctl, const std::string& arg);
// cluster_commands.cpp (ha.*: supervisor-ha's cluster mode)
bool doCluster(Controller& ctl, const std::string& arg);
bool doSwitchover(Controller& ctl, const std::string& arg);
bool doFailover(Controller& ctl, const std::string& arg);
bool doMaintenance(Controller& ctl, const std::string& arg);

}  // namespace supervisorctl
