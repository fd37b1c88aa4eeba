#pragma once
// Resolving a program name to the file to execute, as Supervisor 4.2.5 does in
// Subprocess.get_execv_args and ServerOptions.check_execv_args, with its messages.
// Reads the file system (stat, access) in the calling process; forks nothing.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "supervisord/config/config_model.h"

namespace process {

// The directories searched for a program without '/': PATH from the child's
// environment when it is set and not empty (split on ':', an empty entry meaning
// our current directory), else Supervisor's default /bin, /usr/bin, /usr/local/bin.
// (Supervisor reads the program's environment= PATH first, then its own; an empty
// daemon PATH falls back to the default, which is what we do for any empty PATH.)
std::vector<std::string> searchPath(const config::Environment& childEnvironment);

// The file to execve for argv[0] == `program`.
//  - With a '/' in it, `program` itself (relative to our current directory).
//  - Otherwise the first directory of searchPath() where `program` exists (any kind
//    of file: like Supervisor, a directory found first stops the search).
// Errors, with Supervisor's wording (%r quoting):
//   "can't find command 'x'", "command at '/x' is a directory",
//   "command at '/x' is not executable", "no permission to run command '/x'",
//   "command is empty" (empty program).
common::Result<std::string> resolveCommand(std::string_view program,
                                           const config::Environment& childEnvironment);


}  // namespace process
