// Capture mode (Supervisor's POutputDispatcher): what goes to the log file, what is
// captured, and which PROCESS_COMMUNICATION payloads come out.

#include "supervisord/process/output_capture.h"

#include <catch2/catch.hpp>

using process::OutputCapture;

namespace {

std::string logged(const OutputCapture::Result& r) {
  std::string out;
  for (const auto& p : r.pieces)
    if (!p.captured) out += p.data;
  return out;
}

}  // namespace

TEST_CASE("capture: without capture_maxbytes every byte is logged at once", "[capture]") {
  OutputCapture c(0);
  auto r = c.feed("a <!--XSUPERVISOR:BEGIN-->b<!--XSUPERVISOR:END-->");
  CHECK(logged(r) == "a <!--XSUPERVISOR:BEGIN-->b<!--XSUPERVISOR:END-->");
  CHECK(r.communications.empty());
}

TEST_CASE("capture: text between the tokens becomes one communication and is kept out of the log", "[capture]") {
  OutputCapture c(1024);
  auto r = c.feed("before\n<!--XSUPERVISOR:BEGIN-->payload 1\npayload 2<!--XSUPERVISOR:END-->after\n");
  CHECK(logged(r) == "before\nafter\n");
  REQUIRE(r.communications.size() == 1);
  CHECK(r.communications[0] == "payload 1\npayload 2");
  CHECK_FALSE(c.capturing());
}

TEST_CASE("capture: tokens split across reads are recognised", "[capture]") {
  OutputCapture c(1024);
  std::string logText, captured;
  std::vector<std::string> comms;
  for (std::string_view chunk : {"x<!--XSUPER", "VISOR:BEG", "IN-->da", "ta<!--XSUPERVISOR:E", "ND-->y"}) {
    auto r = c.feed(chunk);
    logText += logged(r);
    for (auto& m : r.communications) comms.push_back(m);
  }
  CHECK(logText == "xy");
  CHECK(comms == std::vector<std::string>{"data"});
}

TEST_CASE("capture: a partial token at the end is held back, then flushed at EOF", "[capture]") {
  OutputCapture c(1024);
  CHECK(logged(c.feed("line\n<!--XSUP")) == "line\n");
  CHECK(logged(c.finish()) == "<!--XSUP");
}

TEST_CASE("capture: the capture buffer is bounded like Supervisor's BoundIO", "[capture]") {
  OutputCapture c(10);
  c.feed("<!--XSUPERVISOR:BEGIN-->");
  c.feed("12345678");
  c.feed("abcd");  // 8 + 4 > 10: the first 4 bytes are dropped
  auto r = c.feed("<!--XSUPERVISOR:END-->");
  REQUIRE(r.communications.size() == 1);
  CHECK(r.communications[0] == "5678abcd");
}

TEST_CASE("capture: two captures in one read both complete", "[capture]") {
  OutputCapture c(100);
  auto r = c.feed("<!--XSUPERVISOR:BEGIN-->one<!--XSUPERVISOR:END--><!--XSUPERVISOR:BEGIN-->two<!--XSUPERVISOR:END-->");
  CHECK(r.communications == std::vector<std::string>{"one", "two"});
  CHECK(logged(r).empty());
}
