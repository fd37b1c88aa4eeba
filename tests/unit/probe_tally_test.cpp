// ProbeTally: which checks of a probe make a verdict.

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "supervisord/policy/probe_tally.h"

using policy::ProbeTally;
using policy::ProbeVerdict;

namespace {

// The verdicts a sequence of check results makes, one entry per check.
std::vector<std::optional<ProbeVerdict>> verdicts(ProbeTally& tally, std::vector<bool> results) {
  std::vector<std::optional<ProbeVerdict>> made;
  for (bool ok : results) made.push_back(tally.record(ok));
  return made;
}

constexpr std::optional<ProbeVerdict> none = std::nullopt;

}  // namespace

TEST_CASE("probe tally: the first success is Ready, later successes say nothing", "[probe]") {
  ProbeTally tally;
  CHECK(verdicts(tally, {true, true, true}) == std::vector{std::optional{ProbeVerdict::Ready}, none, none});
  CHECK(tally.ready);
  CHECK(tally.checks == 3);
  CHECK(tally.consecutiveSuccesses == 3);
}

TEST_CASE("probe tally: Ready comes on the first success even after failures", "[probe]") {
  ProbeTally tally;
  tally.failureThreshold = 5;
  CHECK(verdicts(tally, {false, false, true}) == std::vector{none, none, std::optional{ProbeVerdict::Ready}});
  CHECK(tally.consecutiveFailures == 0);
}

TEST_CASE("probe tally: failureThreshold consecutive failures are Failed, and again after as many more", "[probe]") {
  ProbeTally tally;
  tally.failureThreshold = 3;
  const auto failed = std::optional{ProbeVerdict::Failed};
  CHECK(verdicts(tally, {false, false, false, false, false, false, false}) ==
        std::vector{none, none, failed, none, none, failed, none});
  // The snapshot keeps the real count: the API shows 7 failures in a row.
  CHECK(tally.consecutiveFailures == 7);
  CHECK_FALSE(tally.ready);
}

TEST_CASE("probe tally: a success in between starts the failure count again", "[probe]") {
  ProbeTally tally;
  tally.failureThreshold = 2;
  const auto failed = std::optional{ProbeVerdict::Failed};
  const auto ready = std::optional{ProbeVerdict::Ready};
  CHECK(verdicts(tally, {false, true, false, true, false, false}) == std::vector{none, ready, none, none, none, failed});
  CHECK(tally.consecutiveSuccesses == 0);
  CHECK(tally.consecutiveFailures == 2);
}

TEST_CASE("probe tally: a threshold of 1 or less fails on every failure", "[probe]") {
  for (int threshold : {1, 0, -2}) {
    ProbeTally tally;
    tally.failureThreshold = threshold;
    const auto failed = std::optional{ProbeVerdict::Failed};
    CHECK(verdicts(tally, {false, false}) == std::vector{failed, failed});
  }
}

TEST_CASE("probe tally: verdicts have names for the log", "[probe]") {
  CHECK(std::string(policy::verdictName(ProbeVerdict::Ready)) == "ready");
  CHECK(std::string(policy::verdictName(ProbeVerdict::Failed)) == "failed");
}
