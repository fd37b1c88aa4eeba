#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "common/xmlrpc_codec.h"
#include "tests/fuzz/fuzz_bodies.h"

// Every input the fuzzers crashed on (tests/fuzz/regressions/<target>/) and every
// seed (tests/fuzz/corpus/<target>/) goes through the same body as in the fuzzer:
// none may crash or break the body's contract (a std::logic_error).

namespace {

std::string readAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int replay(const fuzz::Target& target, const std::string& kind) {
  const std::filesystem::path folder = std::filesystem::path(TESTS_DIR) / "fuzz" / kind / target.name;
  if (!std::filesystem::exists(folder)) return 0;
  int inputs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    INFO(entry.path().string());
    const std::string input = readAll(entry.path());
    CHECK_NOTHROW(target.run(input));
    ++inputs;
  }
  return inputs;
}

}  // namespace

TEST_CASE("fuzz: every regression input and seed runs through its target's body", "[fuzz]") {
  for (const auto& target : fuzz::targets()) {
    SECTION(target.name) {
      replay(target, "regressions");
      CHECK(replay(target, "corpus") > 0);
    }
  }
}

TEST_CASE("fuzz: an <i8> that is not a 64-bit integer is refused, not handed to xmlrpc-c (which crashes)", "[fuzz]") {
  const auto call = [](const std::string& value) {
    return common::xmlrpc::parseCall("<?xml version=\"1.0\"?><methodCall><methodName>a.b</methodName><params>"
                                     "<param><value>" + value + "</value></param></params></methodCall>");
  };
  for (const std::string bad : {"<i8>12a</i8>", "<ex:i8>12a</ex:i8>", "<i8>5 </i8>", "<i8>9223372036854775808</i8>",
                                "<i8>1&#97;</i8>", "<i8>+-5</i8>", "<i8 >-</i8 >"}) {
    INFO(bad);
    auto parsed = call(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().find("is not a 64-bit integer") != std::string::npos);
  }
  auto big = call("<i8>-9223372036854775808</i8>");
  REQUIRE(big);
  CHECK(big->params.at(0).asInt() == INT64_MIN);
  auto plus = call("<i8>+5</i8>");
  REQUIRE(plus);
  CHECK(plus->params.at(0).asInt() == 5);
}
