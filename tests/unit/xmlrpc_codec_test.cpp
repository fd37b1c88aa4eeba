#include "common/xmlrpc_codec.h"

#include <catch2/catch.hpp>

#include <chrono>

using common::xmlrpc::Base64;
using common::xmlrpc::Call;
using common::xmlrpc::DateTime;
using common::xmlrpc::Fault;
using common::xmlrpc::Value;
namespace xmlrpc = common::xmlrpc;

namespace {

// What a client sees after the server answered `value`.
Value roundTrip(const Value& value) {
  auto response = xmlrpc::parseResponse(xmlrpc::encodeResponse(value));
  REQUIRE(response.ok());
  REQUIRE_FALSE(response->isFault());
  return response->value;
}

std::string callWithParam(const std::string& valueXml) {
  return "<?xml version='1.0'?>\n<methodCall>\n<methodName>x.y</methodName>\n<params>\n<param>\n<value>" +
         valueXml + "</value>\n</param>\n</params>\n</methodCall>\n";
}

Value parsedParam(const std::string& valueXml) {
  auto call = xmlrpc::parseCall(callWithParam(valueXml));
  REQUIRE(call.ok());
  REQUIRE(call->params.size() == 1);
  return call->params[0];
}

std::string billionLaughs() {
  std::string body = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 \"lol\">\n";
  for (int level = 1; level <= 9; ++level) {
    body += "<!ENTITY lol" + std::to_string(level) + " \"";
    for (int i = 0; i < 10; ++i) body += "&lol" + std::to_string(level - 1) + ";";
    body += "\">\n";
  }
  return body + "]>\n<methodCall><methodName>&lol9;</methodName><params/></methodCall>\n";
}

}  // namespace

TEST_CASE("xmlrpc: every value type survives a response round trip", "[xmlrpc]") {
  const Value info = Value::Struct{
      {"name", "cat"},
      {"pid", 4242},
      {"big", std::int64_t{1} << 40},
      {"negative", -7},
      {"running", true},
      {"ratio", 0.25},
      {"spawnerr", ""},
      {"nothing", Value()},
      {"bytes", Base64{std::string("\x00\x01\xff", 3)}},
      {"when", DateTime{2024, 1, 2, 3, 4, 5}},
      {"list", Value::Array{1, "two", Value::Array{}, Value::Struct{}}},
  };
  CHECK(roundTrip(info) == info);
}

TEST_CASE("xmlrpc: a 32-bit int is written as <i4>, a larger one as <i8>", "[xmlrpc]") {
  CHECK(xmlrpc::encodeResponse(2147483647).find("<i4>2147483647</i4>") != std::string::npos);
  CHECK(xmlrpc::encodeResponse(std::int64_t{2147483648}).find("<i8>2147483648</i8>") != std::string::npos);
}

TEST_CASE("xmlrpc: struct members are written in name order", "[xmlrpc]") {
  const std::string xml = xmlrpc::encodeResponse(Value::Struct{{"statename", "RUNNING"}, {"statecode", 1}});
  CHECK(xml.find("statecode") < xml.find("statename"));
}

TEST_CASE("xmlrpc: a fault round trips with its code and string", "[xmlrpc]") {
  auto response = xmlrpc::parseResponse(xmlrpc::encodeFault({10, "BAD_NAME: foo"}));
  REQUIRE(response.ok());
  REQUIRE(response->isFault());
  CHECK(*response->fault == Fault{10, "BAD_NAME: foo"});
  CHECK(response->value.isNil());
}

TEST_CASE("xmlrpc: fault codes outside xmlrpc-c's enum range are kept", "[xmlrpc]") {
  auto response = xmlrpc::parseResponse(xmlrpc::encodeFault({7777, "CUSTOM"}));
  REQUIRE(response.ok());
  CHECK(response->fault->code == 7777);
}

TEST_CASE("xmlrpc: a call round trips with its method and parameters", "[xmlrpc]") {
  const Value::Array params{"group:name", true, Value::Struct{{"k", 1}}};
  auto call = xmlrpc::parseCall(xmlrpc::encodeCall("supervisor.startProcess", params));
  REQUIRE(call.ok());
  CHECK(call->method == "supervisor.startProcess");
  CHECK(call->params == params);
}

TEST_CASE("xmlrpc: a call from Python's xmlrpc.client parses, including empty params", "[xmlrpc]") {
  // What xmlrpc.client.dumps((), 'supervisor.getState', ...) sends.
  auto call = xmlrpc::parseCall(
      "<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.getState</methodName>\n<params>\n</params>\n"
      "</methodCall>\n");
  REQUIRE(call.ok());
  CHECK(call->method == "supervisor.getState");
  CHECK(call->params.empty());
}

TEST_CASE("xmlrpc: extension and less common types parse", "[xmlrpc]") {
  CHECK(parsedParam("<i8>1099511627776</i8>") == Value(std::int64_t{1099511627776}));
  CHECK(parsedParam("<int>-5</int>") == Value(-5));
  CHECK(parsedParam("<nil/>").isNil());
  CHECK(parsedParam("<base64>AAEC/w==</base64>") == Value(Base64{std::string("\x00\x01\x02\xff", 4)}));
  CHECK(parsedParam("<dateTime.iso8601>20240102T03:04:05</dateTime.iso8601>") == Value(DateTime{2024, 1, 2, 3, 4, 5}));
  CHECK(parsedParam("<boolean>1</boolean>") == Value(true));
  CHECK(parsedParam("<double>1.5</double>") == Value(1.5));
  CHECK(parsedParam("untyped text") == Value("untyped text"));
}

TEST_CASE("xmlrpc: DateTime prints like Python's xmlrpc.client.DateTime", "[xmlrpc]") {
  CHECK(DateTime::fromUnixTime(0).iso8601() == "19700101T00:00:00");
  CHECK(DateTime{2024, 1, 2, 3, 4, 5}.iso8601() == "20240102T03:04:05");
}

TEST_CASE("xmlrpc: invalid UTF-8 from a child's log becomes U+FFFD", "[xmlrpc]") {
  CHECK(xmlrpc::sanitizeText("x\xffy") == "x\xEF\xBF\xBDy");
  // A truncated 3-byte sequence is one replacement, like Python's 'replace'.
  CHECK(xmlrpc::sanitizeText("a\xE2\x82z") == "a\xEF\xBF\xBDz");
  // Overlong encodings and UTF-16 surrogates are not UTF-8.
  CHECK(xmlrpc::sanitizeText("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(xmlrpc::sanitizeText("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(roundTrip("log \xff\xfe line") == Value("log \xEF\xBF\xBD\xEF\xBF\xBD line"));
}

TEST_CASE("xmlrpc: valid UTF-8 passes through unchanged", "[xmlrpc]") {
  const std::string text = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \x7F";
  CHECK(xmlrpc::sanitizeText(text) == text);
}

TEST_CASE("xmlrpc: control characters other than tab and newlines are replaced", "[xmlrpc]") {
  CHECK(xmlrpc::sanitizeText("\x1b[31mred\x01\tok\n") == "\xEF\xBF\xBD[31mred\xEF\xBF\xBD\tok\n");
  CHECK(xmlrpc::sanitizeText("\xEF\xBF\xBF") == "\xEF\xBF\xBD");  // U+FFFF
  const std::string xml = xmlrpc::encodeResponse("\x01\x02\x1f");
  for (char c : xml) CHECK((static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\r' || c == '\t'));
}

TEST_CASE("xmlrpc: a carriage return is written as a character reference", "[xmlrpc]") {
  const std::string xml = xmlrpc::encodeResponse("50%\r100%\n");
  CHECK(xml.find("50%&#x0d;100%") != std::string::npos);
}

TEST_CASE("xmlrpc: struct member names are sanitized too", "[xmlrpc]") {
  CHECK(roundTrip(Value::Struct{{"a\xff", 1}}) == Value(Value::Struct{{"a\xEF\xBF\xBD", 1}}));
}

TEST_CASE("xmlrpc: a response larger than xmlrpc-c's default 512 KiB parses", "[xmlrpc]") {
  const std::string big(3 << 20, 'x');
  CHECK(roundTrip(big) == Value(big));
}

TEST_CASE("xmlrpc: malformed calls are errors, not crashes", "[xmlrpc]") {
  for (const char* body : {"", "garbage<<", "<methodCall>", "<methodCall><params/></methodCall>",
                           "<?xml version='1.0'?><methodCall><methodName>x</methodName><params><param>"
                           "<value><i4>99999999999</i4></value></param></params></methodCall>",
                           "<methodResponse><params/></methodResponse>"}) {
    auto call = xmlrpc::parseCall(body);
    CHECK_FALSE(call.ok());
    if (!call.ok()) CHECK(call.error().rfind("invalid XML-RPC call: ", 0) == 0);
  }
  auto notWellFormed = xmlrpc::parseCall("garbage<<");
  CHECK(notWellFormed.error().find("not well-formed") != std::string::npos);
}

TEST_CASE("xmlrpc: a raw control character in a call is refused", "[xmlrpc]") {
  CHECK_FALSE(xmlrpc::parseCall(callWithParam("<string>a\x01b</string>")).ok());
  CHECK_FALSE(xmlrpc::parseCall(std::string("<methodCall>\0</methodCall>", 26)).ok());
}

TEST_CASE("xmlrpc: a billion-laughs body is refused at once", "[xmlrpc]") {
  const auto started = std::chrono::steady_clock::now();
  auto call = xmlrpc::parseCall(billionLaughs());
  REQUIRE_FALSE(call.ok());
  CHECK(call.error() == "invalid XML-RPC call: document has a DOCTYPE declaration, which XML-RPC does not allow");
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(1));
  CHECK_FALSE(xmlrpc::parseResponse(billionLaughs()).ok());
}

TEST_CASE("xmlrpc: too deep nesting is an error", "[xmlrpc]") {
  std::string deep;
  for (int i = 0; i < 70; ++i) deep += "<array><data><value>";
  for (int i = 0; i < 70; ++i) deep += "</value></data></array>";
  auto call = xmlrpc::parseCall(callWithParam(deep));
  REQUIRE_FALSE(call.ok());
  CHECK(call.error().find("too deep") != std::string::npos);
}

TEST_CASE("xmlrpc: malformed responses are errors", "[xmlrpc]") {
  CHECK_FALSE(xmlrpc::parseResponse("").ok());
  CHECK_FALSE(xmlrpc::parseResponse("<html>502 Bad Gateway</html>").ok());
  CHECK_FALSE(xmlrpc::parseResponse(std::string(xmlrpc::kXmlSizeLimit + 1, ' ')).ok());
}
