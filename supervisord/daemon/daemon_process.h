#pragma once
// The daemon's own process set-up, as Supervisor's options.py does it: resource
// limits (minfds/minprocs), dropping privileges (user=), daemonizing and the
// pidfile. Each returns Supervisor's message on failure; messages for the log go
// into `infos` / `criticals` so they can be logged once the log is open.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace supervisord {

struct StartupMessages {
  std::vector<std::string> infos;
  std::vector<std::string> criticals;
};

// Raises RLIMIT_NOFILE / RLIMIT_NPROC to at least minfds / minprocs, or fails
// with Supervisor's explanation.
common::Result<void> raiseResourceLimits(int minfds, int minprocs, StartupMessages& messages);

// setgroups/setgid/setuid to `user` (name or uid). Nothing to do when already
// that user; an error when not root.
common::Result<void> dropPrivileges(const std::string& user);

// Supervisor's set_uid_or_exit: drop to `user` if set, else note running as root.
common::Result<void> setUserOrNote(const std::optional<std::string>& user, StartupMessages& messages);

// fork (the parent exits 0), setsid, chdir (when `directory` is set), stdio to
// /dev/null, umask. Returns in the child only.
void daemonize(const std::optional<std::string>& directory, mode_t umask, StartupMessages& messages);

// Writes "<pid>\n"; false when it could not (Supervisor logs it as critical and goes on).
bool writePidfile(const std::string& path);

}  // namespace supervisord
