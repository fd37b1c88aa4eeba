#pragma once
// ChildLogFile: the log file of one output channel of a child, with the semantics
// of Supervisor's loggers.RotatingFileHandler (and FileHandler when maxbytes is 0).
// Entirely passive: the caller hands it bytes; it writes them and rotates.
//
// What a caller may rely on:
//  - append() writes the bytes as they are (no timestamps, no per-line work) with
//    one write(2) per call, then rotates when the file size is >= maxbytes
//    (maxbytes 0 = never): x.log -> x.log.1, x.log.1 -> x.log.2 ... up to
//    x.log.<backups>, the oldest dropped; with backups 0 the file is truncated.
//  - The size is counted, not asked for: one extra lseek only when the count
//    reaches maxbytes, which also notices an external truncation (copytruncate).
//  - Errors (disk full, a directory removed) never throw and are reported once:
//    append() says FirstFailure once, StillFailing after, Recovered when writes
//    succeed again. Bytes that could not be written are dropped.
//  - Targets that are not regular files (/dev/stdout, a pipe, a tty) work and are
//    never rotated, renamed or removed, whatever maxbytes says. (Supervisor fails
//    with "Illegal seek" there unless maxbytes=0, and its clear would unlink
//    /dev/stdout.) The same holds for any path under /dev/ or /proc/.
//  - The descriptor is O_CLOEXEC: children never inherit another child's log.
//  - Files are created 0666 & ~umask, as Python's open() does.
// The main log (daemon_log.h) rotates with this same class: both are Supervisor's
// RotatingFileHandler.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace logs {

class ChildLogFile {
 public:
  // Opens path for appending, creating it. Errors read like Python's OSError:
  // "[Errno 2] No such file or directory: '/no/dir/x.log'".
  static common::Result<ChildLogFile> open(std::string path, int64_t maxbytes, int backups);

  ChildLogFile(ChildLogFile&& other) noexcept;
  ChildLogFile& operator=(ChildLogFile&& other) noexcept;
  ChildLogFile(const ChildLogFile&) = delete;
  ChildLogFile& operator=(const ChildLogFile&) = delete;
  ~ChildLogFile();

  // What append() means for the caller's log: only changes of health are news.
  enum class AppendStatus {
    Written,       // all is well
    FirstFailure,  // the first failure after a healthy stretch: log lastError() once
    StillFailing,  // failing as before: say nothing
    Recovered,     // healthy again after failures
  };

  // Writes bytes (nothing for an empty view), then rotates if due. If the file
  // could not be (re)opened earlier, tries to open it again first.
  AppendStatus append(std::string_view bytes);

  // Closes and reopens the path (SIGUSR2, or after an external rotation moved the
  // file away). On failure the old descriptor stays in use.
  common::Result<void> reopen();

  // Supervisor's removelogs (clearProcessLogs, clearLog): removes the file and
  // reopens it empty. Rotated backups stay.
  common::Result<void> clear();
  // The first half of clear(): unlinks the path (a missing file is fine) unless it
  // is not rotatable(); writes keep going to the removed file until reopen().
  common::Result<void> remove();

  const std::string& path() const { return path_; }
  // Bytes in the current file as counted by this object.
  int64_t size() const { return size_; }
  // The message of the latest failure, e.g. "[Errno 28] No space left on device: '/x.log'".
  const std::string& lastError() const { return lastError_; }
  // False for /dev/stdout-like targets: never rotated nor removed.
  bool rotatable() const { return rotatable_; }

 private:
  ChildLogFile(std::string path, int64_t maxbytes, int backups);

  common::Result<void> openFile(bool truncate);
  common::Result<void> rotate();
  common::Result<void> writeAll(std::string_view bytes);
  AppendStatus settle(bool failed, std::string error);

  std::string path_;
  int64_t maxbytes_ = 0;
  int backups_ = 0;
  int fd_ = -1;
  int64_t size_ = 0;
  bool rotatable_ = false;
  bool failing_ = false;
  std::string lastError_;
};

}  // namespace logs
