// How the expected values were produced: every literal on the right-hand side was
// printed by Debian's /usr/bin/python3 (3.11.7) on the same input:
//   split(text)  <- shlex.split(text)                           (or str(ValueError))
//   pairs(text)  <- supervisor.datatypes.dict_of_key_value_pairs(text).items()
//                   from Supervisor 4.2.5                       (or str(ValueError))
// Any change to an expected value must come from re-running Python, not by hand.

#include "common/shell_words.h"

#define CATCH_CONFIG_ENABLE_PAIR_STRINGMAKER  // readable failures for Pairs
#include <catch2/catch.hpp>

using Words = std::vector<std::string>;
using Pairs = common::KeyValuePairs;

namespace {

Words split(std::string_view text) {
  auto result = common::shlexSplit(text);
  if (!result) return {"<error: " + result.error() + ">"};
  return *result;
}
std::string splitError(std::string_view text) {
  auto result = common::shlexSplit(text);
  return result ? "<no error>" : result.error();
}
Pairs pairs(std::string_view text) {
  auto result = common::parseKeyValuePairs(text);
  if (!result) return {{"<error>", result.error()}};
  return *result;
}
std::string pairsError(std::string_view text) {
  auto result = common::parseKeyValuePairs(text);
  return result ? "<no error>" : result.error();
}

}  // namespace

TEST_CASE("shlexSplit: whitespace separates words, and nothing else does", "[shell_words]") {
  CHECK(split("cat -n /var/log/syslog") == Words{"cat", "-n", "/var/log/syslog"});
  CHECK(split("  leading and   trailing  ") == Words{"leading", "and", "trailing"});
  CHECK(split("") == Words{});
  CHECK(split("   ") == Words{});
  CHECK(split("a\tb\nc\rd") == Words{"a", "b", "c", "d"});
  CHECK(split("/usr/bin/%(program_name)s --port 8003") == Words{"/usr/bin/%(program_name)s", "--port", "8003"});
  CHECK(split("echo # is not a comment") == Words{"echo", "#", "is", "not", "a", "comment"});
}

TEST_CASE("shlexSplit: quotes join words and may make an empty word", "[shell_words]") {
  CHECK(split("echo 'hello world'") == Words{"echo", "hello world"});
  CHECK(split("echo \"hello world\"") == Words{"echo", "hello world"});
  CHECK(split("sh -c 'echo $HOME; exit 1'") == Words{"sh", "-c", "echo $HOME; exit 1"});
  CHECK(split("/usr/bin/python3 -c \"import sys; print(sys.argv)\"") == Words{"/usr/bin/python3", "-c", "import sys; print(sys.argv)"});
  CHECK(split("a\"b c\"d") == Words{"ab cd"});
  CHECK(split("a'b'c") == Words{"abc"});
  CHECK(split("\"\"") == Words{""});
  CHECK(split("''") == Words{""});
  CHECK(split("a \"\" b") == Words{"a", "", "b"});
  CHECK(split("x'' y") == Words{"x", "y"});
  CHECK(split("\"it's\"") == Words{"it's"});
  CHECK(split("'say \"hi\"'") == Words{"say \"hi\""});
}

TEST_CASE("shlexSplit: backslash escapes anything outside quotes, only \\ and \" inside double quotes", "[shell_words]") {
  CHECK(split("a\\ b") == Words{"a b"});
  CHECK(split("\\\"not quoted\\\"") == Words{"\"not", "quoted\""});
  CHECK(split("\\'") == Words{"'"});
  CHECK(split("\\\\") == Words{"\\"});
  CHECK(split("a\\\nb") == Words{"a\nb"});
  CHECK(split("\"a\\\"b\"") == Words{"a\"b"});
  CHECK(split("\"a\\\\b\"") == Words{"a\\b"});
  CHECK(split("\"a\\$b\"") == Words{"a\\$b"});
  CHECK(split("\"a\\`b\"") == Words{"a\\`b"});
  CHECK(split("\"a\\nb\"") == Words{"a\\nb"});
  CHECK(split("\"a\\\nb\"") == Words{"a\\\nb"});
  CHECK(split("'a\\b'") == Words{"a\\b"});
  CHECK(split("'a\\'") == Words{"a\\"});
}

TEST_CASE("shlexSplit: non-ASCII characters and other whitespace belong to words", "[shell_words]") {
  CHECK(split("echo héllo ☃") == Words{"echo", "héllo", "☃"});
  CHECK(split("a\302\240b") == Words{"a\302\240b"});
  CHECK(split("a\013b\014c") == Words{"a\013b\014c"});
}

TEST_CASE("shlexSplit: an open quote or a final backslash is an error", "[shell_words]") {
  CHECK(splitError("\"unterminated") == "No closing quotation");
  CHECK(splitError("'unterminated") == "No closing quotation");
  CHECK(splitError("it's") == "No closing quotation");
  CHECK(splitError("trailing\\") == "No escaped character");
  CHECK(splitError("\"a\\") == "No escaped character");
}

TEST_CASE("parseKeyValuePairs: KEY=value pairs in order, a repeated key keeps its place", "[shell_words]") {
  CHECK(pairs("A=1,B=2") == Pairs{{"A", "1"}, {"B", "2"}});
  CHECK(pairs("A=1, B=2") == Pairs{{"A", "1"}, {"B", "2"}});
  CHECK(pairs("A = 1 , B = 2") == Pairs{{"A", "1"}, {"B", "2"}});
  CHECK(pairs("PATH=/usr/local/bin:/usr/bin,HOME=/root") == Pairs{{"PATH", "/usr/local/bin:/usr/bin"}, {"HOME", "/root"}});
  CHECK(pairs("A=-1,B=+2.5,C=(x)") == Pairs{{"A", "-1"}, {"B", "+2.5"}, {"C", "(x)"}});
  CHECK(pairs("my.key-1=v") == Pairs{{"my.key-1", "v"}});
  CHECK(pairs("") == Pairs{});
  CHECK(pairs("   ") == Pairs{});
  CHECK(pairs("A=1,B=2,A=3") == Pairs{{"A", "3"}, {"B", "2"}});
}

TEST_CASE("parseKeyValuePairs: quotes protect commas and = and are stripped from values", "[shell_words]") {
  CHECK(pairs("A=\"x, y\",B=2") == Pairs{{"A", "x, y"}, {"B", "2"}});
  CHECK(pairs("A='a=b'") == Pairs{{"A", "a=b"}});
  CHECK(pairs("A=\"\"") == Pairs{{"A", ""}});
  CHECK(pairs("A=''") == Pairs{{"A", ""}});
  CHECK(pairs("A=\" spaced out \"") == Pairs{{"A", " spaced out "}});
  CHECK(pairs("A=\"'both'\"") == Pairs{{"A", "both"}});
  CHECK(pairs("A=x\"y") == Pairs{{"A", "x\"y"}});
  CHECK(pairs("A=\"a\"b") == Pairs{{"A", "a"}});
  CHECK(pairs("\"A\"=1") == Pairs{{"\"A\"", "1"}});
  CHECK(pairs("A=\"héllo wörld\"") == Pairs{{"A", "héllo wörld"}});
}

TEST_CASE("parseKeyValuePairs: any one token separates pairs, so newlines alone do not", "[shell_words]") {
  CHECK(pairs("A=1,\nB=2") == Pairs{{"A", "1"}, {"B", "2"}});
  CHECK(pairs("A=1,\n  B=2,\n  C=3") == Pairs{{"A", "1"}, {"B", "2"}, {"C", "3"}});
  CHECK(pairs("A=1,\r\nB=2") == Pairs{{"A", "1"}, {"B", "2"}});
  CHECK(pairs("A=1,") == Pairs{{"A", "1"}});
  CHECK(pairs("A=1;B=2") == Pairs{{"A", "1"}, {"B", "2"}});
  CHECK(pairsError("A=1 B=2") ==
        "Unexpected end of key/value pairs in value 'A=1 B=2'");
  CHECK(pairsError("A=1\nB=2") ==
        "Unexpected end of key/value pairs in value 'A=1\nB=2'");
  CHECK(pairsError("A=1,,B=2") ==
        "Unexpected end of key/value pairs in value 'A=1,,B=2'");
  CHECK(pairs("KEY=a b") == Pairs{{"KEY", "a"}});
}

TEST_CASE("parseKeyValuePairs: unquoted characters outside [A-Za-z0-9_/.+-():] end a value", "[shell_words]") {
  CHECK(pairs("X=$PATH") == Pairs{{"X", "$"}});
  CHECK(pairs("URL=http://host:80/x?y=1") == Pairs{{"URL", "http://host:80/x"}, {"y", "1"}});
  CHECK(pairs("A=café") == Pairs{{"A", "caf"}});
  CHECK(pairs("NAME=é") == Pairs{{"NAME", "é"}});
  CHECK(pairs("A=éa") == Pairs{{"A", "é"}});
  CHECK(pairs("A=1,#comment\nB=2") == Pairs{{"A", "1"}, {"B", "2"}});
  CHECK(pairs("A=x#y") == Pairs{{"A", "x"}});
  CHECK(pairs("A=x#y\nz,B=2") == Pairs{{"A", "xz"}, {"B", "2"}});
}

TEST_CASE("parseKeyValuePairs: incomplete pairs and open quotes are errors", "[shell_words]") {
  CHECK(pairsError("A") ==
        "Unexpected end of key/value pairs in value 'A'");
  CHECK(pairsError("A=") ==
        "Unexpected end of key/value pairs in value 'A='");
  CHECK(pairsError("=1") ==
        "Unexpected end of key/value pairs in value '=1'");
  CHECK(pairsError("A=1,B") ==
        "Unexpected end of key/value pairs in value 'A=1,B'");
  CHECK(pairsError("A:1") ==
        "Unexpected end of key/value pairs in value 'A:1'");
  CHECK(pairsError("A=\"x") ==
        "No closing quotation");
  CHECK(pairsError("A='x,B=2") ==
        "No closing quotation");
}
