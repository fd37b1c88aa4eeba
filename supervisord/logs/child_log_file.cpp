#include "supervisord/logs/child_log_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "supervisord/logs/os_error.h"

namespace logs {

namespace {

// Device and process files are never renamed or removed: /dev/stdout may be a
// symlink to a regular file when the daemon's stdout is redirected to one.
bool isSystemPath(const std::string& path) {
  return path.rfind("/dev/", 0) == 0 || path.rfind("/proc/", 0) == 0;
}

std::string backupName(const std::string& path, int index) { return path + "." + std::to_string(index); }

// Supervisor's removeAndRename: a missing source is not an error (a cleanup
// script may have removed the active log). rename(2) replaces the destination.
common::Result<void> renameIfPresent(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) {
    return common::makeError(osErrorMessage(errno, from));
  }
  return {};
}

}  // namespace

ChildLogFile::ChildLogFile(std::string path, int64_t maxbytes, int backups)
    : path_(std::move(path)), maxbytes_(maxbytes > 0 ? maxbytes : 0), backups_(backups > 0 ? backups : 0) {}

common::Result<ChildLogFile> ChildLogFile::open(std::string path, int64_t maxbytes, int backups) {
  ChildLogFile file(std::move(path), maxbytes, backups);
  if (auto opened = file.openFile(/*truncate=*/false); !opened) return opened.takeError();
  return common::Result<ChildLogFile>(std::move(file));
}

ChildLogFile::ChildLogFile(ChildLogFile&& other) noexcept
    : path_(std::move(other.path_)),
      maxbytes_(other.maxbytes_),
      backups_(other.backups_),
      fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      rotatable_(other.rotatable_),
      failing_(other.failing_),
      lastError_(std::move(other.lastError_)) {}

ChildLogFile& ChildLogFile::operator=(ChildLogFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    maxbytes_ = other.maxbytes_;
    backups_ = other.backups_;
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
    rotatable_ = other.rotatable_;
    failing_ = other.failing_;
    lastError_ = std::move(other.lastError_);
  }
  return *this;
}

ChildLogFile::~ChildLogFile() {
  if (fd_ >= 0) ::close(fd_);
}

// Opens a new descriptor first and swaps it in only on success, so a failed
// reopen leaves logging where it was.
common::Result<void> ChildLogFile::openFile(bool truncate) {
  int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC;
  if (truncate) flags |= O_TRUNC;
  int fd;
  do {
    fd = ::open(path_.c_str(), flags, 0666);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return common::makeError(osErrorMessage(errno, path_));

  struct stat status {};
  if (::fstat(fd, &status) != 0) {
    const int error = errno;
    ::close(fd);
    return common::makeError(osErrorMessage(error, path_));
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  rotatable_ = S_ISREG(status.st_mode) && !isSystemPath(path_);
  size_ = rotatable_ ? static_cast<int64_t>(status.st_size) : 0;
  return {};
}

common::Result<void> ChildLogFile::writeAll(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd_, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return common::makeError(osErrorMessage(errno, path_));
    }
    size_ += written;
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return {};
}

ChildLogFile::AppendStatus ChildLogFile::append(std::string_view bytes) {
  if (bytes.empty()) return failing_ ? AppendStatus::StillFailing : AppendStatus::Written;
  if (fd_ < 0) {
    if (auto opened = openFile(/*truncate=*/false); !opened) return settle(true, opened.error());
  }
  std::string error;
  if (auto written = writeAll(bytes); !written) error = written.error();

  // Like Supervisor, rotation is checked even after a failed write: rotating
  // drops the oldest backup, which may be what frees the disk.
  if (maxbytes_ > 0 && rotatable_ && size_ >= maxbytes_) {
    // O_APPEND leaves the offset at the real end of file: trust it over the
    // count, which is wrong after an external truncation.
    const off_t end = ::lseek(fd_, 0, SEEK_CUR);
    if (end >= 0 && end < maxbytes_) {
      size_ = end;
    } else if (auto rotated = rotate(); !rotated && error.empty()) {
      error = rotated.error();
    }
  }
  const bool failed = !error.empty();  // before the move below: argument order is unspecified
  return settle(failed, std::move(error));
}

// Supervisor's RotatingFileHandler.doRollover.
common::Result<void> ChildLogFile::rotate() {
  if (backups_ > 0) {
    for (int index = backups_ - 1; index > 0; --index) {
      if (auto moved = renameIfPresent(backupName(path_, index), backupName(path_, index + 1)); !moved) return moved;
    }
    if (auto moved = renameIfPresent(path_, backupName(path_, 1)); !moved) return moved;
  }
  if (auto opened = openFile(/*truncate=*/true); !opened) {
    // The old descriptor now writes to x.log.1 (or to a full file): drop it and
    // let the next append open the path again.
    ::close(fd_);
    fd_ = -1;
    size_ = 0;
    return opened;
  }
  return {};
}

common::Result<void> ChildLogFile::reopen() { return openFile(/*truncate=*/false); }

common::Result<void> ChildLogFile::remove() {
  if (rotatable_ && ::unlink(path_.c_str()) != 0 && errno != ENOENT) {
    return common::makeError(osErrorMessage(errno, path_));
  }
  return {};
}

common::Result<void> ChildLogFile::clear() {
  if (auto removed = remove(); !removed) return removed;
  if (auto opened = openFile(/*truncate=*/false); !opened) {
    // Keeping the old descriptor would log into the removed file unseen.
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    size_ = 0;
    return opened;
  }
  return {};
}

ChildLogFile::AppendStatus ChildLogFile::settle(bool failed, std::string error) {
  if (failed) {
    lastError_ = std::move(error);
    if (failing_) return AppendStatus::StillFailing;
    failing_ = true;
    return AppendStatus::FirstFailure;
  }
  if (failing_) {
    failing_ = false;
    return AppendStatus::Recovered;
  }
  return AppendStatus::Written;
}

}  // namespace logs
