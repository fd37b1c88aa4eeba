#pragma once
// AUTO child log files (stdout_logfile=AUTO), named and cleaned up as Supervisor's
// options.get_autochildlog_name and options.clear_autochildlogdir do.

#include <string>
#include <vector>

#include "common/result.h"

namespace logs {

// Creates an empty file <childlogdir>/<processName>-<channel>---<identifier>-XXXXXXXX.log
// (8 random characters from [a-z0-9_], mode 0600, never an existing file: Python's
// tempfile.mkstemp) and returns its path. Supervisor creates the file too, which is
// why AUTO logs are 0600 whatever the umask. channel is "stdout" or "stderr".
common::Result<std::string> autoChildLogName(const std::string& childlogdir, const std::string& processName,
                                             const std::string& identifier, const std::string& channel);

// Deletes AUTO logs left by an earlier run with this identifier, and their rotated
// backups: every entry of childlogdir whose name matches, from its start, Supervisor's
// pattern `.+?---<identifier>-\S+\.log`. (Supervisor puts the identifier into
// the pattern unescaped; we match it literally, which differs only for
// identifiers holding regular-expression characters.) Returns the warnings to log, worded
// as Supervisor's: "Could not clear childlog dir", "Failed to clean up '<path>'".
std::vector<std::string> clearAutoChildLogDir(const std::string& childlogdir, const std::string& identifier);

}  // namespace logs
