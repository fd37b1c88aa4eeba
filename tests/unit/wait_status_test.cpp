#include <catch2/catch.hpp>

#include "supervisord/process/reaper.h"

using process::decodeWaitStatus;
using process::signalName;

// Raw statuses as Linux encodes them: exit code << 8, or signal | 0x80 for a core dump.

TEST_CASE("wait status: an exit is reported with its code, as Supervisor's decode_wait_status", "[reaper]") {
  auto zero = decodeWaitStatus(0);
  CHECK(zero.exitStatus == 0);
  CHECK(zero.signal == 0);
  CHECK(zero.message == "exit status 0");

  auto failed = decodeWaitStatus(127 << 8);
  CHECK(failed.exitStatus == 127);
  CHECK(failed.message == "exit status 127");
}

TEST_CASE("wait status: a signal death has exit status -1 and names the signal", "[reaper]") {
  auto killed = decodeWaitStatus(9);
  CHECK(killed.exitStatus == -1);
  CHECK(killed.signal == 9);
  CHECK_FALSE(killed.coreDumped);
  CHECK(killed.message == "terminated by SIGKILL");

  auto segv = decodeWaitStatus(11 | 0x80);
  CHECK(segv.exitStatus == -1);
  CHECK(segv.coreDumped);
  CHECK(segv.message == "terminated by SIGSEGV (core dumped)");
}

TEST_CASE("wait status: anything else is an unknown termination cause in hex", "[reaper]") {
  CHECK(decodeWaitStatus(0x137f).message == "unknown termination cause 0x137f");
  CHECK(decodeWaitStatus(0x137f).exitStatus == -1);
}

TEST_CASE("wait status: signal names are the ones Python's signal module gives", "[reaper]") {
  CHECK(signalName(15) == "SIGTERM");
  CHECK(signalName(6) == "SIGABRT");
  CHECK(signalName(29) == "SIGPOLL");
  CHECK(signalName(34) == "SIGRTMIN");
  CHECK(signalName(64) == "SIGRTMAX");
  CHECK(signalName(32) == "signal 32");
  CHECK(signalName(40) == "signal 40");
  CHECK(signalName(99) == "signal 99");
}
