// common/base64.h: the one codec (HTTP Basic credentials, etcd's bytes).

#include <catch2/catch.hpp>
#include <string>

#include "common/base64.h"

using common::base64Decode;
using common::base64Encode;

TEST_CASE("base64: round-trips every byte, and the decoder takes both alphabets with or without padding", "[base64]") {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  for (std::size_t length : {0, 1, 2, 3, 4, 5, 255, 256}) {
    const std::string bytes = all.substr(0, length);
    auto decoded = base64Decode(base64Encode(bytes));
    REQUIRE(decoded);
    CHECK(*decoded == bytes);
  }
  CHECK(base64Encode("/a/b") == "L2EvYg==");
  CHECK(base64Encode(std::string("\0\xff", 2)) == "AP8=");
  CHECK(*base64Decode("L2EvYg") == "/a/b");
  CHECK(*base64Decode("__8=") == "\xff\xff");  // URL-safe
  CHECK(*base64Decode("//8") == "\xff\xff");
  CHECK_FALSE(base64Decode("L2E*Yg=="));
  CHECK_FALSE(base64Decode("L"));
  CHECK_FALSE(base64Decode("L2E==="));
  CHECK(base64Decode("L2E*").error().find("invalid base64") != std::string::npos);
}

TEST_CASE("base64: what no encoder writes is an error quoting the text, never a read past it", "[base64]") {
  CHECK(base64Decode("dXNlcjpwYXNz").value() == "user:pass");
  CHECK(base64Decode("dXNlcjpwYXN").value() == "user:pas");  // padding is optional
  CHECK(base64Decode("dXNlcjpwYXNzZ").error() == "invalid base64 (bad length): dXNlcjpwYXNzZ");
  CHECK(base64Decode("dXNlcjpwYXNz===").error() == "invalid base64 (bad length): dXNlcjpwYXNz===");
  CHECK(base64Decode("dXNl=jpw").error() == "invalid base64: dXNl=jpw");  // padding inside
  CHECK(base64Decode("dXN cjpw").error() == "invalid base64: dXN cjpw");
  CHECK(base64Decode(std::string("dXN\0cjpw", 8)).error() == "invalid base64: dXN?cjpw");
  CHECK(base64Decode(std::string(200, '*')).error() == "invalid base64: " + std::string(120, '*') + "...");
  CHECK(base64Decode("").value().empty());
}
