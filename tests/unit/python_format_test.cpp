// How the expected values were produced: every literal on the right-hand side was
// printed by Debian's /usr/bin/python3 (3.11.7) running Supervisor 4.2.5's own
// function on the same input, with the same mapping in the same order:
//   from supervisor.options import expand
//   expand(s, SUPERVISOR_EXPANSIONS, 'command')  # -> result, or str(ValueError)
// and, for formatted()/formatError(), `s % OTHER_VALUES` or
// type(exception).__name__ + ': ' + str(exception).
// Any change to an expected value must come from re-running Python, not by hand.

#include "common/python_format.h"

#include <catch2/catch.hpp>

using common::expand;
using common::FormatError;
using common::FormatErrorKind;
using common::FormatMapping;

namespace {

// In the order Python's dict had them: the order shows in "%s" of the whole dict.
const FormatMapping& supervisorExpansions() {
  static const FormatMapping expansions{
      {"here", std::string("/etc/supervisor")}, {"program_name", std::string("web")},
      {"group_name", std::string("web")},       {"host_node_name", std::string("node1")},
      {"process_num", 3LL},                     {"numprocs", 4LL},
      {"ENV_HOME", std::string("/root")},       {"ENV_LANG", std::string("C.UTF-8")},
      {"ENV_GREETING", std::string("héllo wörld")},
  };
  return expansions;
}

const FormatMapping& otherValues() {
  static const FormatMapping values{
      {"n", -42LL},          {"code", 65LL}, {"letter", std::string("A")}, {"word", std::string("AB")},
      {"snow", std::string("☃")}, {"huge", 0x110000LL}, {"zero", 0LL},
  };
  return values;
}

const std::string kCannotBeExpanded =
    " which cannot be expanded. Available names: ENV_GREETING, ENV_HOME, ENV_LANG, group_name, here, "
    "host_node_name, numprocs, process_num, program_name";

std::string expandIn(std::string_view s, std::string_view name, bool wantError) {
  auto result = expand(s, supervisorExpansions(), name);
  if (result.ok() == wantError) return wantError ? "<no error: " + result.value() + ">" : "<error: " + result.error() + ">";
  return wantError ? result.error() : result.value();
}
std::string expanded(std::string_view s) { return expandIn(s, "command", false); }
std::string expandError(std::string_view s) { return expandIn(s, "command", true); }
std::string expandEnvironmentError(std::string_view s) { return expandIn(s, "environment", true); }

const char* kindName(FormatErrorKind kind) {
  switch (kind) {
    case FormatErrorKind::KeyError: return "KeyError";
    case FormatErrorKind::ValueError: return "ValueError";
    case FormatErrorKind::TypeError: return "TypeError";
    case FormatErrorKind::OverflowError: return "OverflowError";
    case FormatErrorKind::MemoryError: return "MemoryError";
  }
  return "?";
}
std::string formatted(std::string_view s) {
  auto result = common::formatWithMapping(s, otherValues());
  if (auto* error = std::get_if<FormatError>(&result)) return std::string("<error: ") + error->message + ">";
  return std::get<std::string>(result);
}
std::string formatError(std::string_view s) {
  auto result = common::formatWithMapping(s, otherValues());
  if (auto* text = std::get_if<std::string>(&result)) return "<no error: " + *text + ">";
  const auto& error = std::get<FormatError>(result);
  return std::string(kindName(error.kind)) + ": " + error.message;
}

}  // namespace

TEST_CASE("expand: the expansions Supervisor configs use", "[python_format]") {
  CHECK(expanded("/usr/bin/%(program_name)s --port 80%(process_num)02d") == "/usr/bin/web --port 8003");
  CHECK(expanded("%(here)s/logs/%(program_name)s-%(process_num)d.log") == "/etc/supervisor/logs/web-3.log");
  CHECK(expanded("%(group_name)s:%(program_name)s on %(host_node_name)s") == "web:web on node1");
  CHECK(expanded("%(ENV_HOME)s/.cache") == "/root/.cache");
  CHECK(expanded("%(process_num)03d") == "003");
  CHECK(expanded("%(process_num)d of %(numprocs)d") == "3 of 4");
  CHECK(expanded("%(ENV_GREETING)s") == "héllo wörld");
  CHECK(expanded("100%%") == "100%");
  CHECK(expanded("%%(ENV_HOME)s") == "%(ENV_HOME)s");
  CHECK(expanded("no expansion at all") == "no expansion at all");
}

TEST_CASE("expand: integers take width, precision, flags and the d i u o x X conversions", "[python_format]") {
  CHECK(expanded("%(process_num)5d|") == "    3|");
  CHECK(expanded("%(process_num)-5d|") == "3    |");
  CHECK(expanded("%(process_num)+d") == "+3");
  CHECK(expanded("%(process_num) d") == " 3");
  CHECK(expanded("%(process_num)05d") == "00003");
  CHECK(expanded("%(process_num)-05d|") == "3    |");
  CHECK(expanded("%(process_num)+05d") == "+0003");
  CHECK(expanded("%(process_num).3d") == "003");
  CHECK(expanded("%(process_num)8.3d|") == "     003|");
  CHECK(expanded("%(process_num)08.3d") == "00000003");
  CHECK(expanded("%(process_num)i %(process_num)u") == "3 3");
  CHECK(expanded("%(process_num)ld %(process_num)hd %(process_num)Ld") == "3 3 3");
  CHECK(expanded("%(numprocs)x %(numprocs)X %(numprocs)o") == "4 4 4");
  CHECK(expanded("%(numprocs)#x %(numprocs)#X %(numprocs)#o") == "0x4 0X4 0o4");
  CHECK(expanded("%(numprocs)#08x|") == "0x000004|");
  CHECK(expanded("%(numprocs)#8x|") == "     0x4|");
  CHECK(expanded("%(numprocs)-#8x|") == "0x4     |");
  CHECK(expanded("%(numprocs)+#x") == "+0x4");
  CHECK(expanded("%(numprocs)#d") == "4");
}

TEST_CASE("expand: strings take width and precision in characters, not bytes; r and a quote them", "[python_format]") {
  CHECK(expanded("%(program_name)10s|") == "       web|");
  CHECK(expanded("%(program_name)-10s|") == "web       |");
  CHECK(expanded("%(program_name).2s|") == "we|");
  CHECK(expanded("%(program_name).0s|") == "|");
  CHECK(expanded("%(ENV_GREETING).4s|") == "héll|");
  CHECK(expanded("%(ENV_GREETING)13s|") == "  héllo wörld|");
  CHECK(expanded("%(program_name)05s|") == "  web|");
  CHECK(expanded("%(program_name)+s") == "web");
  CHECK(expanded("%(process_num)s") == "3");
  CHECK(expanded("%(process_num)5s|") == "    3|");
  CHECK(expanded("%(process_num).0s|") == "|");
  CHECK(expanded("%(program_name)r") == "'web'");
  CHECK(expanded("%(ENV_GREETING)r") == "'héllo wörld'");
  CHECK(expanded("%(ENV_GREETING)a") == "'h\\xe9llo w\\xf6rld'");
  CHECK(expanded("%(process_num)r") == "3");
  CHECK(expandError("%(program_name)c") ==
        "Format string '%(program_name)c' for 'command' is badly formatted: %c requires int or char");
}

TEST_CASE("expand: integers format as floats with e E f F g G", "[python_format]") {
  CHECK(expanded("%(process_num)f") == "3.000000");
  CHECK(expanded("%(process_num).2f") == "3.00");
  CHECK(expanded("%(process_num)e") == "3.000000e+00");
  CHECK(expanded("%(process_num)E") == "3.000000E+00");
  CHECK(expanded("%(process_num)g") == "3");
  CHECK(expanded("%(numprocs)G") == "4");
  CHECK(expanded("%(numprocs)#g") == "4.00000");
  CHECK(expanded("%(numprocs)+.1f") == "+4.0");
  CHECK(expanded("%(numprocs)010.2f|") == "0000004.00|");
  CHECK(expanded("%(numprocs)-10.1e|") == "4.0e+00   |");
  CHECK(expanded("%(process_num)#.0f") == "3.");
  CHECK(expanded("%(process_num).0f") == "3");
  CHECK(expanded("%(process_num)F") == "3.000000");
}

TEST_CASE("expand: an unknown name lists every available name, sorted", "[python_format]") {
  CHECK(expandError("%(missing)s") ==
        "Format string '%(missing)s' for 'command' contains names ('missing')" + kCannotBeExpanded);
  CHECK(expandError("%(ENV_NOPE)s/bin") ==
        "Format string '%(ENV_NOPE)s/bin' for 'command' contains names ('ENV_NOPE')" + kCannotBeExpanded);
  CHECK(expandError("%(Program_Name)s") ==
        "Format string '%(Program_Name)s' for 'command' contains names ('Program_Name')" + kCannotBeExpanded);
  CHECK(expandError("%(it's)s") ==
        "Format string \"%(it's)s\" for 'command' contains names (\"it's\")" + kCannotBeExpanded);
  CHECK(expandError("%(x)") ==
        "Format string '%(x)' for 'command' contains names ('x')" + kCannotBeExpanded);
  CHECK(expandError("%(héllo)s") ==
        "Format string '%(héllo)s' for 'command' contains names ('héllo')" + kCannotBeExpanded);
  CHECK(expandError("%(missing)Y") ==
        "Format string '%(missing)Y' for 'command' contains names ('missing')" + kCannotBeExpanded);
}

TEST_CASE("expand: a badly formatted string reports Python's message", "[python_format]") {
  CHECK(expandError("%(program_name)") ==
        "Format string '%(program_name)' for 'command' is badly formatted: incomplete format");
  CHECK(expandError("abc%") ==
        "Format string 'abc%' for 'command' is badly formatted: incomplete format");
  CHECK(expandError("%(here)s%") ==
        "Format string '%(here)s%' for 'command' is badly formatted: incomplete format");
  CHECK(expandError("50% done") ==
        "Format string '50% done' for 'command' is badly formatted: %d format: a real number is required, not dict");
  CHECK(expanded("100% sure") == "100{'here': '/etc/supervisor', 'program_name': 'web', 'group_name': 'web', 'host_node_name': 'node1', 'process_num': 3, 'numprocs': 4, 'ENV_HOME': '/root', 'ENV_LANG': 'C.UTF-8', 'ENV_GREETING': 'héllo wörld'}ure");
  CHECK(expandError("%(program_name)Y") ==
        "Format string '%(program_name)Y' for 'command' is badly formatted: unsupported format character 'Y' (0x59) at index 15");
  CHECK(expandError("%(program_name)é") ==
        "Format string '%(program_name)é' for 'command' is badly formatted: unsupported format character '?' (0xe9) at index 15");
  CHECK(expandError("%(program_name)\001") ==
        "Format string '%(program_name)\\x01' for 'command' is badly formatted: unsupported format character '?' (0x1) at index 15");
  CHECK(expandError("%(program_name") ==
        "Format string '%(program_name' for 'command' is badly formatted: incomplete format key");
  CHECK(expandError("%(process_num)02") ==
        "Format string '%(process_num)02' for 'command' is badly formatted: incomplete format");
  CHECK(expandError("%(process_num).") ==
        "Format string '%(process_num).' for 'command' is badly formatted: incomplete format");
  CHECK(expandError("%(program_name)d") ==
        "Format string '%(program_name)d' for 'command' is badly formatted: %d format: a real number is required, not str");
  CHECK(expandError("%(ENV_HOME)i") ==
        "Format string '%(ENV_HOME)i' for 'command' is badly formatted: %i format: a real number is required, not str");
  CHECK(expandError("%(ENV_HOME)x") ==
        "Format string '%(ENV_HOME)x' for 'command' is badly formatted: %x format: an integer is required, not str");
  CHECK(expandError("%(ENV_HOME)f") ==
        "Format string '%(ENV_HOME)f' for 'command' is badly formatted: must be real number, not str");
  CHECK(expandError("%(program_name)*d") ==
        "Format string '%(program_name)*d' for 'command' is badly formatted: * wants int");
  CHECK(expandError("%(process_num)*d") ==
        "Format string '%(process_num)*d' for 'command' is badly formatted: not enough arguments for format string");
  CHECK(expandError("%(process_num)%") ==
        "Format string '%(process_num)%' for 'command' is badly formatted: unsupported format character '%' (0x25) at index 14");
  CHECK(expandError("%(program_name)c") ==
        "Format string '%(program_name)c' for 'command' is badly formatted: %c requires int or char");
  CHECK(expandError("%(ENV_HOME)c") ==
        "Format string '%(ENV_HOME)c' for 'command' is badly formatted: %c requires int or char");
  CHECK(expandError("%(program_name)99999999999999999999s") ==
        "Format string '%(program_name)99999999999999999999s' for 'command' is badly formatted: width too big");
  CHECK(expandError("%(program_name).99999999999s") ==
        "Format string '%(program_name).99999999999s' for 'command' is badly formatted: precision too big");
}

TEST_CASE("expand: errors quote the format string as Python's repr() does", "[python_format]") {
  CHECK(expandError("it's %(x)s") ==
        "Format string \"it's %(x)s\" for 'command' contains names ('x')" + kCannotBeExpanded);
  CHECK(expandError("say \"hi\" to %(x)s") ==
        "Format string 'say \"hi\" to %(x)s' for 'command' contains names ('x')" + kCannotBeExpanded);
  CHECK(expandError("it's \"%(x)s\"") ==
        "Format string 'it\\'s \"%(x)s\"' for 'command' contains names ('x')" + kCannotBeExpanded);
  CHECK(expandError("line\n%(x)s") ==
        "Format string 'line\\n%(x)s' for 'command' contains names ('x')" + kCannotBeExpanded);
  CHECK(expandError("tab\t\001%(x)s") ==
        "Format string 'tab\\t\\x01%(x)s' for 'command' contains names ('x')" + kCannotBeExpanded);
  CHECK(expandError("héllo %(x)s") ==
        "Format string 'héllo %(x)s' for 'command' contains names ('x')" + kCannotBeExpanded);
  CHECK(expandError("back\\slash %(x)s") ==
        "Format string 'back\\\\slash %(x)s' for 'command' contains names ('x')" + kCannotBeExpanded);
  CHECK(expandEnvironmentError("A=%(x)s") ==
        "Format string 'A=%(x)s' for 'environment' contains names ('x')" + kCannotBeExpanded);
}

TEST_CASE("expand: a conversion without a name formats the whole mapping, once", "[python_format]") {
  CHECK(expanded("%s") == "{'here': '/etc/supervisor', 'program_name': 'web', 'group_name': 'web', 'host_node_name': 'node1', 'process_num': 3, 'numprocs': 4, 'ENV_HOME': '/root', 'ENV_LANG': 'C.UTF-8', 'ENV_GREETING': 'héllo wörld'}");
  CHECK(expanded("%r") == "{'here': '/etc/supervisor', 'program_name': 'web', 'group_name': 'web', 'host_node_name': 'node1', 'process_num': 3, 'numprocs': 4, 'ENV_HOME': '/root', 'ENV_LANG': 'C.UTF-8', 'ENV_GREETING': 'héllo wörld'}");
  CHECK(expandError("%(program_name)s %s") ==
        "Format string '%(program_name)s %s' for 'command' is badly formatted: not enough arguments for format string");
  CHECK(expandError("%s %s") ==
        "Format string '%s %s' for 'command' is badly formatted: not enough arguments for format string");
  CHECK(expandError("%d") ==
        "Format string '%d' for 'command' is badly formatted: %d format: a real number is required, not dict");
  CHECK(expandError("%x") ==
        "Format string '%x' for 'command' is badly formatted: %x format: an integer is required, not dict");
  CHECK(expandError("%c") ==
        "Format string '%c' for 'command' is badly formatted: %c requires int or char");
  CHECK(expandError("%f") ==
        "Format string '%f' for 'command' is badly formatted: must be real number, not dict");
  CHECK(expandError("%Y") ==
        "Format string '%Y' for 'command' is badly formatted: unsupported format character 'Y' (0x59) at index 1");
}

TEST_CASE("formatWithMapping: signs, %c and the kind of exception Python raises", "[python_format]") {
  CHECK(formatted("%(n)d") == "-42");
  CHECK(formatted("%(n)5d|") == "  -42|");
  CHECK(formatted("%(n)-5d|") == "-42  |");
  CHECK(formatted("%(n)05d") == "-0042");
  CHECK(formatted("%(n)+d") == "-42");
  CHECK(formatted("%(n).4d") == "-0042");
  CHECK(formatted("%(n)#x") == "-0x2a");
  CHECK(formatted("%(n)#010x") == "-0x000002a");
  CHECK(formatted("%(n)#X") == "-0X2A");
  CHECK(formatted("%(n)o") == "-52");
  CHECK(formatted("%(n)f") == "-42.000000");
  CHECK(formatted("%(n)+.1e") == "-4.2e+01");
  CHECK(formatted("%(code)c") == "A");
  CHECK(formatted("%(letter)c") == "A");
  CHECK(formatted("%(snow)c") == "☃");
  CHECK(formatted("%(code)3c|") == "  A|");
  CHECK(formatted("%(code)-3c|") == "A  |");
  CHECK(formatError("%(word)c") == "TypeError: %c requires int or char");
  CHECK(formatError("%(huge)c") == "OverflowError: %c arg not in range(0x110000)");
  CHECK(formatted("%(zero)5.0d|") == "    0|");
  CHECK(formatted("%(snow)3s|") == "  ☃|");
  CHECK(formatted("%(snow)r") == "'☃'");
  CHECK(formatted("%(snow)a") == "'\\u2603'");
  CHECK(formatError("%(missing)s") == "KeyError: 'missing'");
  CHECK(formatError("%(n)") == "ValueError: incomplete format");
  CHECK(formatError("%(n)*d") == "TypeError: not enough arguments for format string");
  CHECK(formatError("%(n).*d") == "TypeError: not enough arguments for format string");
  CHECK(formatError("%(letter)d") == "TypeError: %d format: a real number is required, not str");
  CHECK(formatError("%(letter)X") == "TypeError: %X format: an integer is required, not str");
  CHECK(formatError("%(letter)e") == "TypeError: must be real number, not str");
  CHECK(formatError("%(n)999999999999999s") == "MemoryError: ");
  CHECK(formatError("%(n)q") == "ValueError: unsupported format character 'q' (0x71) at index 4");
  CHECK(formatted("%(n)s and %(letter)s and %%") == "-42 and A and %");
}

TEST_CASE("FormatMapping: setting a name again replaces its value in place, like a dict", "[python_format]") {
  FormatMapping mapping{{"a", std::string("1")}, {"b", 2LL}};
  mapping.set("a", 3LL);
  mapping.set("c", std::string("x"));
  REQUIRE(mapping.items().size() == 3);
  CHECK(mapping.items()[0].first == "a");
  CHECK(std::get<long long>(*mapping.find("a")) == 3);
  CHECK(mapping.find("missing") == nullptr);
  // Python: '%s' % {'a': 3, 'b': 2, 'c': 'x'}
  CHECK(std::get<std::string>(common::formatWithMapping("%s", mapping)) == "{'a': 3, 'b': 2, 'c': 'x'}");
}
