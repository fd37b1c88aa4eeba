#pragma once
// Watchdog: a Linux watchdog device (/dev/watchdog: the softdog module or a hardware
// timer) that resets the machine unless it is fed. A primary arms one before it promotes
// and feeds it only when etcd has just renewed its lease, so a node whose supervisord
// stops running (frozen by SIGSTOP, a VM pause, a hung kernel thread) is reset before its
// lease can expire, before any other node can be promoted; [cluster] watchdog_mode
// (README.md, "Cluster mode"). Patroni's watchdog, with the same kernel interface
// (Documentation/watchdog/watchdog-api.rst): any write feeds, "V" then close disarms.

#include <memory>
#include <string>

#include "common/result.h"

namespace cluster {

// The device's timeout for a lease of `leaseTtl` whole seconds: one second less, so
// that it fires before the lease can expire in etcd; the fence (lease_ttl -
// fence_margin, with fence_margin > 1 s) demotes a primary that is merely cut off
// before it fires.
int watchdogTimeout(double leaseTtl);

// A renewal sent at `sentAt` and answered at `answeredAt` (steady seconds) extends the
// lease to at least sentAt + leaseTtl; feeding at answeredAt makes the device fire at
// answeredAt + watchdogTimeout. Feed only when that is still before the lease's end.
bool mayFeed(double sentAt, double answeredAt, double leaseTtl);

class Watchdog {
 public:
  // Opens and arms `device`, asking for `timeoutSeconds`. A character device must take
  // the timeout (WDIOC_SETTIMEOUT) or already have one at most that long; a FIFO (a
  // test's stand-in for the device) takes no ioctl and is used as it is: `note` says so.
  static common::Result<std::unique_ptr<Watchdog>> open(const std::string& device, int timeoutSeconds);
  ~Watchdog();  // disarms
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  common::Result<void> feed();
  // "V" then close: the kernel stops the timer (unless the driver was built nowayout).
  void disarm();

  const std::string& device() const { return device_; }
  int timeout() const { return timeout_; }
  const std::string& note() const { return note_; }  // empty, or what the log should say

 private:
  Watchdog(std::string device, int fd, int timeout, std::string note)
      : device_(std::move(device)), fd_(fd), timeout_(timeout), note_(std::move(note)) {}

  std::string device_;
  int fd_ = -1;
  int timeout_ = 0;
  std::string note_;
};

}  // namespace cluster
