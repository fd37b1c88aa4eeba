// supervisorctl: control the processes of a running supervisord, one action
// from the command line or an interactive shell; Supervisor 4.2.5's
// supervisorctl, output and exit codes included.
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "supervisorctl/client_options.h"
#include "supervisorctl/controller.h"
#include "supervisorctl/interactive_shell.h"

int main(int argc, char** argv) {
  using namespace supervisorctl;
  // A vanished server or reader is an error value, not a fatal signal (Python ignores SIGPIPE too).
  std::signal(SIGPIPE, SIG_IGN);

  const std::vector<std::string> arguments(argv + 1, argv + argc);
  ClientOptionsOutcome outcome = parseClientOptions(argc > 0 ? argv[0] : "supervisorctl", arguments);
  if (outcome.kind == ClientOptionsOutcome::Kind::help) {
    std::fputs(outcome.text.c_str(), stdout);
    return 0;
  }
  if (outcome.kind == ClientOptionsOutcome::Kind::usageError) {
    std::fputs(outcome.text.c_str(), stderr);
    return 2;
  }

  Controller controller(std::move(outcome.options));
  const std::vector<std::string>& actionWords = controller.options().args;
  if (!actionWords.empty()) {
    std::string line;
    for (const std::string& word : actionWords) line += (line.empty() ? "" : " ") + word;
    controller.onecmd(line);
    return controller.exitstatus;
  }
  InteractiveShell(controller).run();
  return 0;  // Python's interactive mode always exits 0
}
