#pragma once
// Reading a log file over the API, with the semantics of Supervisor's
// options.readFile and options.tailFile (readLog, readProcessStdoutLog,
// tailProcessStdoutLog and their stderr twins). Bytes come back raw: turning
// them into an XML-RPC string (invalid UTF-8, control characters) is the RPC
// layer's job.

#include <cstdint>
#include <string>

#include "common/result.h"

namespace logs {

// The two errors readLogRange returns, spelled as Supervisor's fault names
// (ValueError('BAD_ARGUMENTS') / ValueError('FAILED') -> Faults.<name>).
inline constexpr const char* kBadArguments = "BAD_ARGUMENTS";
inline constexpr const char* kFailed = "FAILED";

// readFile(path, offset, length):
//  - offset >= 0, length > 0: up to length bytes from offset;
//  - offset >= 0, length == 0: from offset to the end of the file;
//  - offset < 0, length == 0: the last -offset bytes (all of a shorter file);
//  - offset < 0 with length != 0, or length < 0: error kBadArguments;
//  - a file that cannot be opened or read: error kFailed (checked before the
//    arguments, as Supervisor opens the file first).
// An offset past the end gives "". The RPC layer answers NO_FILE itself for a
// missing file before calling this, as Supervisor does.
common::Result<std::string> readLogRange(const std::string& path, int64_t offset, int64_t length);

// tailFile's [bytes, offset, overflow].
struct LogTail {
  std::string bytes;
  int64_t offset = 0;  // where the next tail should start: the file size
  bool overflow = false;
};

// tailFile(path, offset, length): up to length bytes from offset; when the file
// has grown beyond offset + length, overflow is set and the last length bytes
// come back instead. offset returned = the file size. A file that cannot be read
// gives {"", offset as given, false}.
LogTail tailLog(const std::string& path, int64_t offset, int64_t length);

}  // namespace logs
