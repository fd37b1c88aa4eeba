// cluster/watchdog.h: when a primary may feed its watchdog, and what the device sees
// (a real FIFO stands in for /dev/watchdog: any byte feeds, "V" then close disarms).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "supervisord/cluster/watchdog.h"
#include "tests/support/temp_directory.h"

using cluster::Watchdog;

namespace {

// The reader's end of a FIFO; everything written so far, and whether the writer closed.
struct FifoReader {
  int fd = -1;
  explicit FifoReader(const std::string& path) {
    REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
    fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
    REQUIRE(fd >= 0);
  }
  ~FifoReader() { ::close(fd); }
  std::pair<std::string, bool> drain() {
    std::string got;
    char buffer[64];
    while (true) {
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n > 0) got.append(buffer, static_cast<size_t>(n));
      else return {got, n == 0};  // 0: end of file, the writer closed; -1 EAGAIN: still open
    }
  }
};

}  // namespace

TEST_CASE("watchdog: it fires one second before the lease could expire", "[cluster][watchdog]") {
  CHECK(cluster::watchdogTimeout(10) == 9);
  CHECK(cluster::watchdogTimeout(3) == 2);
}

TEST_CASE("watchdog: a renewal feeds it only when answered soon enough to fire before the lease ends",
          "[cluster][watchdog]") {
  // lease_ttl 10: the device fires 9 s after a feed, the lease ends 10 s after the send.
  CHECK(cluster::mayFeed(100.0, 100.2, 10));
  CHECK(cluster::mayFeed(100.0, 101.0, 10));
  CHECK_FALSE(cluster::mayFeed(100.0, 101.01, 10));  // fed then, it would fire after the lease ended
}

TEST_CASE("watchdog: armed on open, fed by any byte, disarmed by V then close", "[cluster][watchdog]") {
  TempDirectory dir("watchdog");
  const std::string path = dir.file("wd");
  FifoReader reader(path);
  auto dog = Watchdog::open(path, 2);
  REQUIRE(dog.ok());
  CHECK((*dog)->timeout() == 2);
  CHECK((*dog)->note().find("a FIFO, not a device") != std::string::npos);
  REQUIRE((*dog)->feed().ok());
  REQUIRE((*dog)->feed().ok());
  auto [fed, closed] = reader.drain();
  CHECK(fed == "..");
  CHECK_FALSE(closed);
  (*dog)->disarm();
  auto [last, closedNow] = reader.drain();
  CHECK(last == "V");
  CHECK(closedNow);
  CHECK_FALSE((*dog)->feed().ok());
}

TEST_CASE("watchdog: going away disarms it", "[cluster][watchdog]") {
  TempDirectory dir("watchdog");
  const std::string path = dir.file("wd");
  FifoReader reader(path);
  {
    auto dog = Watchdog::open(path, 2);
    REQUIRE(dog.ok());
  }
  auto [got, closed] = reader.drain();
  CHECK(got == "V");
  CHECK(closed);
}

TEST_CASE("watchdog: what cannot be armed says why, naming the device", "[cluster][watchdog]") {
  TempDirectory dir("watchdog");
  auto missing = Watchdog::open(dir.file("none"), 2);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error() == "watchdog " + dir.file("none") + ": cannot open it: No such file or directory");
  // A FIFO nobody reads: no device behind it (and the loop does not block on it).
  REQUIRE(::mkfifo(dir.file("unread").c_str(), 0600) == 0);
  auto unread = Watchdog::open(dir.file("unread"), 2);
  REQUIRE_FALSE(unread.ok());
  CHECK(unread.error() == "watchdog " + dir.file("unread") + ": cannot open it: No such device or address");
  const std::string file = dir.write("file", "");
  auto regular = Watchdog::open(file, 2);
  REQUIRE_FALSE(regular.ok());
  CHECK(regular.error() == "watchdog " + file + ": not a watchdog device (a character device such as "
                                                "/dev/watchdog, from the softdog module or a hardware timer)");
  // A character device that is no watchdog takes no timeout.
  auto null = Watchdog::open("/dev/null", 2);
  REQUIRE_FALSE(null.ok());
  CHECK(null.error().starts_with("watchdog /dev/null: cannot set or read its timeout: "));
}
