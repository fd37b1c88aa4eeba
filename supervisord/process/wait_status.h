#pragma once
// decodeWaitStatus(): what a wait() status means, worded as Supervisor's
// options.decode_wait_status() words it for "exited: …", "stopped: …" and
// "reaped unknown pid …" log lines.

#include <string>

namespace process {

struct WaitStatus {
  int exitstatus;       // the exit code, or -1 when killed by a signal (never in exitcodes)
  std::string message;  // "exit status 1", "terminated by SIGKILL", "terminated by SIGSEGV (core dumped)"
};

WaitStatus decodeWaitStatus(int status);

}  // namespace process
