#include "common/ini_file.h"

#include <catch2/catch.hpp>

using common::IniFile;

namespace {
std::string valueOf(const IniFile& ini, const char* section, const char* key) {
  const auto* e = ini.get(section, key);
  return e ? e->value : "<missing>";
}
}  // namespace

TEST_CASE("ini: keys are lowercased and the first = or : separates key from value", "[ini]") {
  IniFile ini;
  REQUIRE(ini.readString("[program:Foo]\nCommand = /bin/cat a=b\nurl: http://x:1\n", "t.conf").ok());
  REQUIRE(ini.hasSection("program:Foo"));
  CHECK(valueOf(ini, "program:Foo", "command") == "/bin/cat a=b");
  CHECK(valueOf(ini, "program:Foo", "url") == "http://x:1");
}

TEST_CASE("ini: inline comments need whitespace before them", "[ini]") {
  IniFile ini;
  REQUIRE(ini.readString("[a]\nx = val ; comment\ny = a;b\nz = v # c\nw = a#b\n", "t").ok());
  CHECK(valueOf(ini, "a", "x") == "val");
  CHECK(valueOf(ini, "a", "y") == "a;b");
  CHECK(valueOf(ini, "a", "z") == "v");
  CHECK(valueOf(ini, "a", "w") == "a#b");
}

TEST_CASE("ini: continuation lines join with newlines, blank lines inside kept, trailing dropped", "[ini]") {
  IniFile ini;
  REQUIRE(ini.readString("[a]\nenv = A=1,\n  B=2,\n\n  C=3\n\n\nnext = 1\n", "t").ok());
  CHECK(valueOf(ini, "a", "env") == "A=1,\nB=2,\n\nC=3");
  CHECK(valueOf(ini, "a", "next") == "1");
}

TEST_CASE("ini: a repeated section merges and later keys win", "[ini]") {
  IniFile ini;
  REQUIRE(ini.readString("[a]\nx=1\ny=2\n[b]\n[a]\nx=3\n", "t").ok());
  REQUIRE(ini.sections().size() == 2);
  CHECK(valueOf(ini, "a", "x") == "3");
  CHECK(valueOf(ini, "a", "y") == "2");
  CHECK(ini.get("a", "x")->line == 6);
}

TEST_CASE("ini: lines have no length limit", "[ini]") {
  std::string longValue(100000, 'x');
  IniFile ini;
  REQUIRE(ini.readString("[a]\ncommand=" + longValue + "\nafter=1\n", "t").ok());
  CHECK(valueOf(ini, "a", "command") == longValue);
  CHECK(ini.get("a", "after")->line == 3);
}

TEST_CASE("ini: errors name the file and the line", "[ini]") {
  IniFile noHeader;
  auto r1 = noHeader.readString("x=1\n", "/etc/s.conf");
  REQUIRE_FALSE(r1.ok());
  CHECK(r1.error().find("/etc/s.conf:1:") == 0);

  IniFile bad;
  auto r2 = bad.readString("[a]\nx=1\njunk line\n", "/etc/s.conf");
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.error().find("/etc/s.conf:3:") == 0);
  CHECK(r2.error().find("junk line") != std::string::npos);
}

TEST_CASE("ini: DEFAULT values are fallbacks for every section", "[ini]") {
  IniFile ini;
  REQUIRE(ini.readString("[DEFAULT]\nd=1\n[a]\nx=2\n", "t").ok());
  CHECK(ini.sections().size() == 1);
  CHECK(valueOf(ini, "a", "d") == "1");
}

TEST_CASE("ini: a UTF-8 byte-order mark is accepted", "[ini]") {
  IniFile ini;
  REQUIRE(ini.readString("\xEF\xBB\xBF[a]\nx=1\n", "t").ok());
  CHECK(valueOf(ini, "a", "x") == "1");
}
