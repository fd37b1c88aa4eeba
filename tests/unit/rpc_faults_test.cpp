// rpc/faults.h: Supervisor's fault names and codes, and the one table from the lower
// layers' error kinds (common/result.h) to faults.

#include <catch2/catch.hpp>

#include "supervisord/rpc/faults.h"

using common::ErrorKind;
using namespace rpc;

TEST_CASE("faults: every error kind has its fault, the unknown ones FAILED", "[rpc][faults]") {
  CHECK(faultName(faultFor(ErrorKind::Failed)) == "FAILED");
  CHECK(faultName(faultFor(ErrorKind::NoSuchProcess)) == "BAD_NAME");
  CHECK(faultName(faultFor(ErrorKind::BadArguments)) == "BAD_ARGUMENTS");
  CHECK(faultName(faultFor(ErrorKind::NotRunning)) == "NOT_RUNNING");
  CHECK(faultName(faultFor(ErrorKind::NoFile)) == "NO_FILE");
  CHECK(faultName(faultFor(ErrorKind::NotExecutable)) == "NOT_EXECUTABLE");
  CHECK(faultName(faultFor(ErrorKind::NotPromotable)) == "NOT_PROMOTABLE");
  CHECK(faultName(faultFor(ErrorKind::ClusterManaged)) == "CLUSTER_MANAGED");
  CHECK(faultName(faultFor(ErrorKind::Busy)) == "BUSY");
}

TEST_CASE("faults: an error keeps its kind through Result<T> and Result<void>", "[rpc][faults]") {
  common::Result<int> value = common::makeError(ErrorKind::Busy, "a promote or demote of it is running");
  CHECK(value.errorKind() == ErrorKind::Busy);
  CHECK(value.error() == "a promote or demote of it is running");
  common::Result<void> none = common::makeError("plain");
  CHECK(none.errorKind() == ErrorKind::Failed);
  common::Result<void> moved = value.takeError();
  CHECK(moved.errorKind() == ErrorKind::Busy);
  CHECK(faultName(3) == "BAD_ARGUMENTS");
  CHECK(faultCode("NOT_RUNNING") == 70);
  CHECK(rpcError(faultFor(ErrorKind::NoSuchProcess), "db").string == "BAD_NAME: db");
}
