#pragma once
// InteractiveShell: the `supervisor> ` prompt (Controller.exec_cmdloop): runs
// `status` first, then each line typed until EOF, quit or Ctrl-C. On a
// terminal it edits lines with libedit, completes action and process names on
// Tab and keeps the history file (plain lines, the format Python's GNU
// readline writes); elsewhere it reads plain lines and echoes no input.

#include <optional>
#include <string>
#include <vector>

namespace supervisorctl {

class Controller;

class InteractiveShell {
 public:
  explicit InteractiveShell(Controller& controller);
  // Returns when the user leaves; the history file is written by then.
  void run();

 private:
  std::optional<std::string> readLine(const std::string& prompt);
  void loadHistory();
  void saveHistory() const;

  Controller& controller_;
  bool terminal_ = false;
  std::vector<std::string> history_;
};

}  // namespace supervisorctl
