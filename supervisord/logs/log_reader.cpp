#include "supervisord/logs/log_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

namespace logs {

namespace {

// An open, read-only log file; closes itself.
class ReadOnlyFile {
 public:
  explicit ReadOnlyFile(const std::string& path) {
    do {
      fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd_ < 0 && errno == EINTR);
  }
  ReadOnlyFile(const ReadOnlyFile&) = delete;
  ReadOnlyFile& operator=(const ReadOnlyFile&) = delete;
  ~ReadOnlyFile() {
    if (fd_ >= 0) ::close(fd_);
  }

  bool isOpen() const { return fd_ >= 0; }

  // The size, or -1 on error (a directory is one, as Python's open() says).
  int64_t size() const {
    struct stat status {};
    if (::fstat(fd_, &status) != 0 || S_ISDIR(status.st_mode)) return -1;
    return static_cast<int64_t>(status.st_size);
  }

  // Up to length bytes from offset (fewer at end of file); false on error.
  bool read(int64_t offset, int64_t length, std::string& out) const {
    out.clear();
    out.resize(static_cast<size_t>(length));
    size_t done = 0;
    while (done < out.size()) {
      const ssize_t got = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset) + done);
      if (got < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      if (got == 0) break;
      done += static_cast<size_t>(got);
    }
    out.resize(done);
    return true;
  }

 private:
  int fd_ = -1;
};

}  // namespace

common::Result<std::string> readLogRange(const std::string& path, int64_t offset, int64_t length) {
  ReadOnlyFile file(path);
  if (!file.isOpen()) return common::makeError(common::ErrorKind::Failed, kFailed);
  const int64_t size = file.size();
  if (size < 0) return common::makeError(common::ErrorKind::Failed, kFailed);

  int64_t start = offset;
  int64_t end = size;  // exclusive
  if (offset < 0) {
    if (length != 0) return common::makeError(common::ErrorKind::BadArguments, kBadArguments);
    // Python negates with abs(), which cannot overflow; avoid -INT64_MIN.
    start = offset < -size ? 0 : size + offset;
  } else {
    if (length < 0) return common::makeError(common::ErrorKind::BadArguments, kBadArguments);
    if (length > 0 && length < size - std::min(offset, size)) end = offset + length;
  }
  std::string data;
  if (start < end && !file.read(start, end - start, data)) return common::makeError(common::ErrorKind::Failed, kFailed);
  return data;
}

LogTail tailLog(const std::string& path, int64_t offset, int64_t length) {
  ReadOnlyFile file(path);
  const int64_t size = file.isOpen() ? file.size() : -1;
  if (size < 0) return LogTail{"", offset, false};

  // Supervisor's arithmetic, step by step. Python integers do not overflow;
  // clamping the inputs far beyond any file size keeps ours from overflowing.
  constexpr int64_t kFar = int64_t{1} << 60;
  offset = std::clamp(offset, -kFar, kFar);
  length = std::clamp(length, -kFar, kFar);
  LogTail tail;
  if (size > offset + length) {
    tail.overflow = true;
    offset = size - 1;
  }
  if (offset + length > size) {
    if (offset > size - 1) length = 0;
    offset = size - length;
  }
  offset = std::max<int64_t>(offset, 0);
  length = std::max<int64_t>(length, 0);
  length = std::min(length, std::max<int64_t>(size - offset, 0));  // reading stops at the end anyway
  if (length > 0 && !file.read(offset, length, tail.bytes)) return LogTail{"", offset, false};
  tail.offset = size;
  return tail;
}

}  // namespace logs
