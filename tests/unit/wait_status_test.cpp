#include <catch2/catch.hpp>

#include "supervisord/process/signal_names.h"
#include "supervisord/process/wait_status.h"

using process::decodeWaitStatus;
using process::signame;

// Raw statuses as Linux encodes them: exit code << 8, or signal | 0x80 for a core dump.

TEST_CASE("wait status: an exit is reported with its code, as Supervisor's decode_wait_status", "[reaper]") {
  auto zero = decodeWaitStatus(0);
  CHECK(zero.exitstatus == 0);
  CHECK(zero.message == "exit status 0");

  auto failed = decodeWaitStatus(127 << 8);
  CHECK(failed.exitstatus == 127);
  CHECK(failed.message == "exit status 127");
}

TEST_CASE("wait status: a signal death has exit status -1 and names the signal", "[reaper]") {
  auto killed = decodeWaitStatus(9);
  CHECK(killed.exitstatus == -1);
  CHECK(killed.message == "terminated by SIGKILL");

  auto segv = decodeWaitStatus(11 | 0x80);
  CHECK(segv.exitstatus == -1);
  CHECK(segv.message == "terminated by SIGSEGV (core dumped)");
}

TEST_CASE("wait status: anything else is an unknown termination cause in hex", "[reaper]") {
  CHECK(decodeWaitStatus(0x137f).message == "unknown termination cause 0x137f");
  CHECK(decodeWaitStatus(0x137f).exitstatus == -1);
}

TEST_CASE("wait status: signal names are the ones Python's signal module gives", "[reaper]") {
  CHECK(signame(15) == "SIGTERM");
  CHECK(signame(6) == "SIGABRT");
  CHECK(signame(29) == "SIGPOLL");
  CHECK(signame(34) == "SIGRTMIN");
  CHECK(signame(64) == "SIGRTMAX");
  CHECK(signame(32) == "signal 32");
  CHECK(signame(40) == "signal 40");
  CHECK(signame(99) == "signal 99");
}
