#include "supervisord/cluster/watchdog.h"

#include <fcntl.h>
#include <linux/watchdog.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cluster {

int watchdogTimeout(double leaseTtl) { return static_cast<int>(leaseTtl) - 1; }

bool mayFeed(double sentAt, double answeredAt, double leaseTtl) {
  return answeredAt + watchdogTimeout(leaseTtl) <= sentAt + leaseTtl;
}

namespace {

common::Error failed(const std::string& device, const std::string& what, int error) {
  return common::makeError("watchdog " + device + ": " + what + ": " + std::strerror(error));
}

bool writeAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

common::Result<std::unique_ptr<Watchdog>> Watchdog::open(const std::string& device, int timeoutSeconds) {
  // O_NONBLOCK: a FIFO nobody reads fails at once (ENXIO) instead of blocking the loop.
  int fd = ::open(device.c_str(), O_WRONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return failed(device, "cannot open it", errno);
  std::unique_ptr<Watchdog> dog(new Watchdog(device, fd, timeoutSeconds, {}));  // armed from here on
  struct stat st {};
  if (::fstat(fd, &st) != 0) return failed(device, "cannot stat it", errno);
  if (S_ISFIFO(st.st_mode)) {
    dog->note_ = "a FIFO, not a device: its reader must act on its own timeout (" + std::to_string(timeoutSeconds) +
                 " s)";
    return dog;
  }
  if (!S_ISCHR(st.st_mode))
    return common::makeError("watchdog " + device + ": not a watchdog device (a character device such as "
                             "/dev/watchdog, from the softdog module or a hardware timer)");
  int asked = timeoutSeconds;
  if (::ioctl(fd, WDIOC_SETTIMEOUT, &asked) == 0 && asked == timeoutSeconds) return dog;
  // Some drivers take no new timeout, or round it: their own must be short enough.
  int current = 0;
  if (::ioctl(fd, WDIOC_GETTIMEOUT, &current) != 0)
    return failed(device, "cannot set or read its timeout", errno);
  if (current > timeoutSeconds || current <= 0)
    return common::makeError("watchdog " + device + ": its timeout is " + std::to_string(current) +
                             " s and it takes no " + std::to_string(timeoutSeconds) +
                             " s: it would fire after the lease expired");
  dog->timeout_ = current;
  dog->note_ = "the driver keeps its own timeout of " + std::to_string(current) + " s";
  return dog;
}

Watchdog::~Watchdog() { disarm(); }

common::Result<void> Watchdog::feed() {
  if (fd_ < 0) return common::makeError("watchdog " + device_ + ": disarmed");
  if (!writeAll(fd_, ".", 1)) return failed(device_, "cannot feed it", errno);
  return {};
}

void Watchdog::disarm() {
  if (fd_ < 0) return;
  writeAll(fd_, "V", 1);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace cluster
