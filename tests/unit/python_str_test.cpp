// How the expected values were produced: each right-hand literal was printed by
// Debian's /usr/bin/python3 (3.11.7) as repr(s) or ascii(s) of the same string, and
// the surrogateescape case as repr(raw_bytes.decode('utf-8', 'surrogateescape')).
// Any change to an expected value must come from re-running Python, not by hand.

#include "common/python_str.h"

#include <catch2/catch.hpp>

using common::pythonAscii;
using common::pythonRepr;
using namespace std::literals;

TEST_CASE("pythonRepr: quotes like Python, preferring ' unless only ' appears", "[python_str]") {
  CHECK(pythonRepr("web") == "'web'");
  CHECK(pythonRepr("it's") == "\"it's\"");
  CHECK(pythonRepr("say \"hi\"") == "'say \"hi\"'");
  CHECK(pythonRepr("it's \"x\"") == "'it\\'s \"x\"'");
  CHECK(pythonRepr("back\\slash") == "'back\\\\slash'");
  CHECK(pythonRepr("") == "''");
}

TEST_CASE("pythonRepr: escapes control and non-printable characters, keeps printable ones", "[python_str]") {
  CHECK(pythonRepr("tab\tnl\nret\r") == "'tab\\tnl\\nret\\r'");
  CHECK(pythonRepr("\000\037\177"sv) == "'\\x00\\x1f\\x7f'");
  CHECK(pythonRepr("héllo ☃") == "'héllo ☃'");
  CHECK(pythonRepr("😀") == "'😀'");
  // no-break space, soft hyphen, line separator, zero-width space
  CHECK(pythonRepr("\302\240\302\255\342\200\250\342\200\213") == "'\\xa0\\xad\\u2028\\u200b'");
  CHECK(pythonRepr("\356\200\200") == "'\\ue000'");          // private use
  CHECK(pythonRepr("\363\240\200\201") == "'\\U000e0001'");  // language tag (format)
  CHECK(pythonRepr("\315\270") == "'\\u0378'");              // unassigned in Unicode 14
  CHECK(pythonRepr("\364\217\277\277") == "'\\U0010ffff'");
}

TEST_CASE("pythonAscii: escapes everything beyond ASCII", "[python_str]") {
  CHECK(pythonAscii("héllo ☃") == "'h\\xe9llo \\u2603'");
  CHECK(pythonAscii("😀") == "'\\U0001f600'");
  CHECK(pythonAscii("\177\302\200") == "'\\x7f\\x80'");
}

TEST_CASE("decodeUtf8: bytes that are not UTF-8 decode as surrogateescape and encode back", "[python_str]") {
  const auto raw = "ok\377\303(\355\240\200\364\220\200\200"sv;
  CHECK(pythonRepr(raw) == "'ok\\udcff\\udcc3(\\udced\\udca0\\udc80\\udcf4\\udc90\\udc80\\udc80'");
  CHECK(common::encodeUtf8(common::decodeUtf8(raw)) == raw);
  CHECK(common::decodeUtf8("h\303\251\360\237\230\200") == U"h\u00e9\U0001F600");
}

TEST_CASE("padRight: Python's %-*s pads to code points and never truncates", "[python_str]") {
  CHECK(common::pythonLength("héllo ☃") == 7);
  CHECK(common::padRight("héllo", 7) == "héllo  ");  // 5 code points, 6 bytes
  CHECK(common::padRight("db1", 3) == "db1");
  CHECK(common::padRight("toolong", 3) == "toolong");
  CHECK(common::padRight("", 2) == "  ");
}
