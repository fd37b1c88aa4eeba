#pragma once
// signame(): the symbolic name of a signal number, exactly as Supervisor's
// options.signame() prints it in log lines and wait-status descriptions
// ("SIGTERM", "SIGPOLL" for 29, "SIGRTMIN" for 34, "signal 33" when Python's
// signal module has no name for the number). Linux numbering.

#include <string>

namespace process {

std::string signame(int signal);

}  // namespace process
