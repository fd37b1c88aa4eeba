#include "supervisorctl/interactive_shell.h"

#include <editline/readline.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

#include "supervisorctl/commands.h"
#include "supervisorctl/completion.h"
#include "supervisorctl/controller.h"
#include "supervisorctl/log_stream.h"

namespace supervisorctl {

namespace {

// libedit calls plain functions; the shell running now.
Controller* completingController = nullptr;
std::vector<std::string> currentMatches;

char* completionGenerator(const char* text, int state) {
  if (state == 0) {
    currentMatches.clear();
    if (completingController) {
      currentMatches = completionMatches(rl_line_buffer ? rl_line_buffer : "", text, actionNames(),
                                         [] { return std::cref(completingController->completionInfo()); });
    }
  }
  if (state < 0 || static_cast<std::size_t>(state) >= currentMatches.size()) return nullptr;
  // libedit would escape the match's trailing space; it appends one itself.
  std::string match = currentMatches[static_cast<std::size_t>(state)];
  if (!match.empty() && match.back() == ' ') match.pop_back();
  return ::strdup(match.c_str());
}

std::optional<std::string> readPlainLine(const std::string& prompt) {
  std::fputs(prompt.c_str(), stdout);
  std::fflush(stdout);
  std::string line;
  if (!std::getline(std::cin, line)) {
    std::cin.clear();
    return std::nullopt;
  }
  return line;
}

// getpass: the terminal does not echo the answer.
std::optional<std::string> readSecret(const std::string& prompt) {
  termios saved{};
  const bool terminal = ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (terminal) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  auto line = readPlainLine(prompt);
  if (terminal) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::fputs("\n", stdout);
  }
  return line;
}

}  // namespace

InteractiveShell::InteractiveShell(Controller& controller)
    : controller_(controller), terminal_(::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO)) {}

std::optional<std::string> InteractiveShell::readLine(const std::string& prompt) {
  if (!terminal_) return readPlainLine(prompt);
  char* raw = ::readline(prompt.c_str());
  if (!raw) return std::nullopt;
  std::string line = raw;
  std::free(raw);
  // Like Python's readline module: non-empty lines, no immediate repeats.
  if (!line.empty() && (history_.empty() || history_.back() != line)) {
    history_.push_back(line);
    ::add_history(line.c_str());
  }
  return line;
}

void InteractiveShell::loadHistory() {
  const auto& file = controller_.options().historyFile;
  if (!file) return;
  std::ifstream in(*file);
  std::string line;
  while (std::getline(in, line)) {
    history_.push_back(line);
    if (terminal_) ::add_history(line.c_str());
  }
}

void InteractiveShell::saveHistory() const {
  const auto& file = controller_.options().historyFile;
  if (!file) return;
  std::ofstream out(*file, std::ios::trunc);
  for (const std::string& line : history_) out << line << '\n';
}

void InteractiveShell::run() {
  static std::string wordBreaks = kCompletionWordBreaks;  // libedit wants a char*
  if (terminal_) {
    rl_readline_name = "supervisorctl";
    rl_completer_word_break_characters = wordBreaks.data();
    rl_completion_entry_function = completionGenerator;
    rl_completion_append_character = ' ';
    completingController = &controller_;
  }
  loadHistory();
  controller_.readLine = [this](const std::string& prompt) { return readLine(prompt); };
  controller_.readPassword = readSecret;

  // Ctrl-C ends the shell, as Python's KeyboardInterrupt does, after the
  // action under way (or at the prompt, where readline gives up its line).
  InterruptScope interrupts;
  bool stop = controller_.onecmd("status");
  const std::string prompt = controller_.options().prompt + "> ";
  while (!stop && !InterruptScope::interrupted()) {
    const auto line = readLine(prompt);
    if (InterruptScope::interrupted()) break;
    stop = controller_.onecmd(line ? *line : "EOF");
  }
  if (InterruptScope::interrupted()) controller_.output("");
  completingController = nullptr;
  saveHistory();
}

}  // namespace supervisorctl
