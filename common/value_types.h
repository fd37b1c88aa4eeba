#pragma once
// Supervisor's value types (datatypes.py), as pure parsers. Each accepts exactly
// what Python Supervisor accepts and returns an error message saying what was
// expected; callers add the file, line, section and key.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace common {

// Python int(): optional sign, digits with single underscores between them, surrounding whitespace.
Result<long long> parseInteger(std::string_view text);
// true/yes/on/1, false/no/off/0, any case.
Result<bool> parseBoolean(std::string_view text);
// A duration in seconds (ours, for the restart-policy keys): a number, optionally
// fractional, with an optional unit ms, s, m or h (any case): "10", "2.5", "500ms",
// "10s", "5m", "1h". Never negative; callers check any stricter bound.
Result<double> parseDuration(std::string_view text);
// A number of seconds as log lines and messages show it: "60", "0.5", "2.25".
std::string secondsText(double seconds);
// N, NKB, NMB, NGB (1024-based, any case).
Result<long long> parseByteSize(std::string_view text);
// Python int(text, 8): "022", "0o22", "22".
Result<long long> parseOctal(std::string_view text);
// A signal by name (TERM, SIGTERM, term) or number (15): the signal number.
Result<int> parseSignal(std::string_view text);
// "0,2" -> {0, 2}; each 0..255.
Result<std::vector<int>> parseExitCodes(std::string_view text);
// "a, b ,c" -> {"a","b","c"}; empty text -> {}.
std::vector<std::string> parseListOfStrings(std::string_view text);
// "host:port", "*:port", ":port" or "port" -> (host lowercased, "" for all interfaces; port 1..65535).
Result<std::pair<std::string, int>> parseInetAddress(std::string_view text);
// A user name or uid that exists on this system.
Result<uid_t> resolveUser(std::string_view nameOrId);
Result<gid_t> resolveGroup(std::string_view nameOrId);
// "user" -> (uid, -1); "user:group" -> (uid, gid).
Result<std::pair<uid_t, gid_t>> parseUserGroup(std::string_view text);
// The primary group of a uid.
std::optional<gid_t> primaryGroupOf(uid_t uid);
// critical error warn info debug trace blather (any case): Supervisor's level number.
Result<int> parseLogLevel(std::string_view text);
// A process or group name may not contain space, ':' or '/'. Returns it stripped.
Result<std::string> parseProcessOrGroupName(std::string_view text);

// Paths as Python's os.path does them.
std::string expandUser(std::string_view path);         // "~" and "~user" prefixes
std::string normalizePath(std::string_view path);      // expanduser + abspath + normpath
std::string directoryOf(std::string_view path);        // os.path.dirname
bool isDirectory(const std::string& path);
// existing_directory: expanduser'd path that is a directory.
Result<std::string> parseExistingDirectory(std::string_view text);
// existing_dirpath: expanduser'd path whose directory part (if any) exists.
Result<std::string> parseExistingDirPath(std::string_view text);
// tempfile.gettempdir(): $TMPDIR, $TEMP, $TMP, then /tmp.
std::string tempDirectory();

}  // namespace common
