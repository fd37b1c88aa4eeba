#include "supervisord/process/process_description.h"

#include <climits>
#include <cstdint>
#include <cstdio>
#include <ctime>

namespace process {

namespace {

// xmlrpc.capped_int(): int(value), clamped to the XML-RPC int range.
int64_t cappedInt(WallTime value) {
  if (value >= static_cast<WallTime>(INT_MAX)) return INT_MAX;
  if (value <= static_cast<WallTime>(INT_MIN)) return INT_MIN;
  return static_cast<int64_t>(value);  // truncates toward zero, as int() does
}

// str(datetime.timedelta(seconds=n)) for n >= 0: "0:01:02", "1 day, 2:03:04".
std::string formatUptime(int64_t seconds) {
  const int64_t days = seconds / 86400;
  seconds %= 86400;
  char clock[32];
  std::snprintf(clock, sizeof clock, "%d:%02d:%02d", static_cast<int>(seconds / 3600),
                static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60));
  if (days == 0) return clock;
  return std::to_string(days) + (days == 1 ? " day, " : " days, ") + clock;
}

// datetime(*time.localtime(stop)).strftime('%b %d %I:%M %p'), C locale.
std::string formatStopTime(int64_t stop) {
  const std::time_t when = static_cast<std::time_t>(stop);
  std::tm local{};
  localtime_r(&when, &local);
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const int hour12 = local.tm_hour % 12 == 0 ? 12 : local.tm_hour % 12;
  char text[32];
  std::snprintf(text, sizeof text, "%s %02d %02d:%02d %s", kMonths[local.tm_mon], local.tm_mday, hour12,
                local.tm_min, local.tm_hour < 12 ? "AM" : "PM");
  return text;
}

}  // namespace

std::string processDescription(const ProcessRecord& record, const std::string& name, WallTime now) {
  switch (record.state) {
    case ProcessState::Running: {
      // Both ends go through gmtime() at whole seconds, so the uptime is the
      // difference of the truncated times; a clock set back shows 0:00:00.
      const int64_t uptime = cappedInt(now) - cappedInt(record.laststart);
      return "pid " + std::to_string(record.pid) + ", uptime " + formatUptime(uptime < 0 ? 0 : uptime);
    }
    case ProcessState::Fatal:
    case ProcessState::Backoff:
      if (!record.spawnerr.empty()) return record.spawnerr;
      return "unknown error (try \"tail " + name + "\")";
    case ProcessState::Stopped:
    case ProcessState::Exited:
      if (cappedInt(record.laststart) != 0) return formatStopTime(cappedInt(record.laststop));
      return "Not started";
    case ProcessState::Starting:
    case ProcessState::Stopping:
    case ProcessState::Unknown:
      return "";
  }
  return "";
}

}  // namespace process
