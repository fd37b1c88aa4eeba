#include "supervisord/process/signal_names.h"

#include <array>
#include <string_view>

namespace process {

namespace {

// Python 3.11's signal module on Linux, as options._init_signames() maps it: where
// two names share a number (SIGIOT/SIGABRT, SIGIO/SIGPOLL, SIGCLD/SIGCHLD) the one
// Supervisor prints is listed. 32, 33 and 35..63 have no name there.
constexpr std::array<std::string_view, 65> kNames = {
    "",          "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",    "SIGTRAP",   "SIGABRT", "SIGBUS",
    "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",   "SIGPIPE",   "SIGALRM", "SIGTERM",
    "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",   "SIGTTIN",   "SIGTTOU", "SIGURG",
    "SIGXCPU",   "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",  "SIGPOLL",   "SIGPWR",  "SIGSYS",
    "",          "",        "SIGRTMIN",  "",        "",          "",          "",        "",
    "",          "",        "",          "",        "",          "",          "",        "",
    "",          "",        "",          "",        "",          "",          "",        "",
    "",          "",        "",          "",        "",          "",          "",        "",
    "SIGRTMAX",
};

}  // namespace

std::string signame(int signal) {
  if (signal >= 0 && signal < static_cast<int>(kNames.size()) && !kNames[signal].empty())
    return std::string(kNames[signal]);
  return "signal " + std::to_string(signal);
}

}  // namespace process
