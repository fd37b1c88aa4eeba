#pragma once
// processDescription(): the `description` field of getProcessInfo, which
// supervisorctl prints after the state ("pid 123, uptime 0:01:02"), worded as
// Supervisor's rpcinterface._interpretProcessInfo() words it:
//   RUNNING           "pid 123, uptime 0:01:02" ("1 day, 2:03:04" past a day)
//   BACKOFF, FATAL    spawnerr ("Exited too quickly (process log may have details)"),
//                     else 'unknown error (try "tail x")'
//   STOPPED, EXITED   the stop time as "Jun 05 03:04 PM" in the daemon's local time
//                     zone (TZ), or "Not started" if it never started
//   STARTING, STOPPING, UNKNOWN  ""
// Times are truncated to whole seconds first, as the XML-RPC integers are.

#include <string>

#include "supervisord/process/process_state_machine.h"

namespace process {

// `name` is the process name (not group:name), as Supervisor shows it.
std::string processDescription(const ProcessRecord& record, const std::string& name, WallTime now);

}  // namespace process
