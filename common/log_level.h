#pragma once
// Supervisor's log levels with its numbers (loggers.py LevelsByName), shared by
// the configuration (loglevel=), the daemon log and every layer that logs.

namespace common {

enum class LogLevel : int { Blather = 3, Trace = 5, Debug = 10, Info = 20, Warn = 30, Error = 40, Critical = 50 };

// Supervisor's description of a level: "critical", "error", "warn", "info", "debug", "trace", "blather".
const char* logLevelName(LogLevel level);

}  // namespace common
