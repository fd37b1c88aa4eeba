#include "common/log_level.h"

namespace common {

const char* logLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::Blather: return "blather";
    case LogLevel::Trace: return "trace";
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warn: return "warn";
    case LogLevel::Error: return "error";
    case LogLevel::Critical: return "critical";
  }
  return "info";
}

}  // namespace common
