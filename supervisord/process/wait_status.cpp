#include "supervisord/process/wait_status.h"

#include <sys/wait.h>

#include <cstdio>

#include "supervisord/process/signal_names.h"

namespace process {

WaitStatus decodeWaitStatus(int status) {
  if (WIFEXITED(status)) {
    int code = WEXITSTATUS(status) & 0xffff;
    return {code, "exit status " + std::to_string(code)};
  }
  if (WIFSIGNALED(status)) {
    std::string message = "terminated by " + signame(WTERMSIG(status));
    if (WCOREDUMP(status)) message += " (core dumped)";
    return {-1, message};
  }
  char text[64];
  std::snprintf(text, sizeof text, "unknown termination cause 0x%04x", static_cast<unsigned>(status));
  return {-1, text};
}

}  // namespace process
