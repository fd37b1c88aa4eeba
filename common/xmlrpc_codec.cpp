#include "common/xmlrpc_codec.h"

#include <xmlrpc-c/base.hpp>
#include <xmlrpc-c/xml.hpp>

#include <charconv>
#include <climits>
#include <exception>
#include <memory>
#include <stdexcept>

namespace common::xmlrpc {
namespace {

// xmlrpc-c's limits are process-wide; raise the size limit once, before the
// first parse (a static local is initialized exactly once, even across threads).
void raiseLibraryLimits() {
  static const bool raised = [] {
    xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, kXmlSizeLimit);
    return true;
  }();
  (void)raised;
}

// xmlrpc-c's bundled expat expands entities without bound (a "billion laughs"
// body never returns) and XML-RPC has no use for a DOCTYPE, so such documents
// are refused before the parser sees them. A NUL byte would let a UTF-16
// document hide its DOCTYPE from this scan.
//
// xmlrpc-c 1.33 also crashes (its error message for a bad <i8> reads a wrong
// argument) when an <i8> element's text is not a 64-bit integer: "12a", "5 ",
// "9223372036854775808". So the text of every <i8> (or <ex:i8>) must be, written
// out literally, an optional sign and digits that fit in 64 bits; anything else
// (a character reference, a comment) is refused here. Found by tests/fuzz.
std::optional<std::string> invalidI8(std::string_view body) {
  const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  for (std::string_view tag : {std::string_view("<i8"), std::string_view("<ex:i8")}) {
    for (std::size_t at = body.find(tag); at != std::string_view::npos; at = body.find(tag, at + 1)) {
      const std::size_t after = at + tag.size();
      if (after < body.size() && body[after] != '>' && body[after] != '/' && !isSpace(body[after])) continue;
      const std::size_t close = body.find('>', after);
      if (close == std::string_view::npos) continue;  // not well-formed: the parser says so
      if (body[close - 1] == '/') continue;           // <i8/>: empty, which xmlrpc-c refuses safely
      const std::size_t end = body.find('<', close + 1);
      std::string_view text = body.substr(close + 1, end == std::string_view::npos ? end : end - close - 1);
      const std::string_view shown = text.substr(0, 40);
      const std::string refusal = "<i8> value '" + std::string(shown) + "' is not a 64-bit integer";
      if (end == std::string_view::npos || body.substr(end, 2) != "</") return refusal;
      std::string number(text);
      if (text.size() > 1 && text[0] == '+' && text[1] != '-') number.erase(0, 1);
      std::int64_t value = 0;
      const char* first = number.data();
      const char* last = number.data() + number.size();
      const auto [stop, error] = std::from_chars(first, last, value);
      const bool digitsOnly = number.find_first_not_of("-0123456789") == std::string::npos &&
                              number.find('-', 1) == std::string::npos;
      if (number.empty() || !digitsOnly || error != std::errc() || stop != last) return refusal;
    }
  }
  return std::nullopt;
}

std::optional<std::string> refuseBeforeParsing(std::string_view body) {
  if (body.size() > kXmlSizeLimit) {
    return "document too large (" + std::to_string(body.size()) + " bytes, at most " +
           std::to_string(kXmlSizeLimit) + ")";
  }
  if (body.find('\0') != std::string_view::npos) return "document contains a NUL byte";
  if (body.find("<!DOCTYPE") != std::string_view::npos) {
    return "document has a DOCTYPE declaration, which XML-RPC does not allow";
  }
  if (auto refusal = invalidI8(body)) return refusal;
  return std::nullopt;
}

void appendReplacementCharacter(std::string& out) { out += "\xEF\xBF\xBD"; }

xmlrpc_c::value toLibraryValue(const Value& value) {
  switch (value.type()) {
    case Value::Type::nil:
      return xmlrpc_c::value_nil();
    case Value::Type::integer: {
      const std::int64_t number = value.asInt();
      if (number >= INT_MIN && number <= INT_MAX) return xmlrpc_c::value_int(static_cast<int>(number));
      return xmlrpc_c::value_i8(number);
    }
    case Value::Type::boolean:
      return xmlrpc_c::value_boolean(value.asBool());
    case Value::Type::real:
      return xmlrpc_c::value_double(value.asDouble());
    case Value::Type::string:
      // nlCode_lf: a CR is a character of its own, written as &#x0d;.
      return xmlrpc_c::value_string(sanitizeText(value.asString()), xmlrpc_c::value_string::nlCode_lf);
    case Value::Type::base64: {
      const std::string& bytes = value.asBytes();
      return xmlrpc_c::value_bytestring(xmlrpc_c::cbytestring(bytes.begin(), bytes.end()));
    }
    case Value::Type::dateTime: {
      const DateTime& time = value.asDateTime();
      xmlrpc_datetime fields{};
      fields.Y = static_cast<unsigned>(time.year);
      fields.M = static_cast<unsigned>(time.month);
      fields.D = static_cast<unsigned>(time.day);
      fields.h = static_cast<unsigned>(time.hour);
      fields.m = static_cast<unsigned>(time.minute);
      fields.s = static_cast<unsigned>(time.second);
      return xmlrpc_c::value_datetime(fields);
    }
    case Value::Type::array: {
      xmlrpc_c::carray items;
      items.reserve(value.asArray().size());
      for (const Value& item : value.asArray()) items.push_back(toLibraryValue(item));
      return xmlrpc_c::value_array(items);
    }
    case Value::Type::structure: {
      xmlrpc_c::cstruct members;
      for (const auto& [name, member] : value.asStruct()) members.emplace(sanitizeText(name), toLibraryValue(member));
      return xmlrpc_c::value_struct(members);
    }
  }
  throw std::logic_error("unknown Value type");
}

// Throws (caught by the parse functions) on a type xmlrpc-c's parser never
// produces.
Value fromLibraryValue(const xmlrpc_c::value& value) {
  switch (value.type()) {
    case xmlrpc_c::value::TYPE_INT:
      return Value(static_cast<int>(xmlrpc_c::value_int(value)));
    case xmlrpc_c::value::TYPE_I8:
      return Value(static_cast<std::int64_t>(xmlrpc_c::value_i8(value)));
    case xmlrpc_c::value::TYPE_BOOLEAN:
      return Value(static_cast<bool>(xmlrpc_c::value_boolean(value)));
    case xmlrpc_c::value::TYPE_DOUBLE:
      return Value(static_cast<double>(xmlrpc_c::value_double(value)));
    case xmlrpc_c::value::TYPE_STRING:
      // xmlrpc-c hands strings out with line ends normalized to LF, as expat
      // does for Python; a CR that was sent as &#x0d; arrives as LF.
      return Value(xmlrpc_c::value_string(value).cvalue());
    case xmlrpc_c::value::TYPE_BYTESTRING: {
      const xmlrpc_c::cbytestring bytes = xmlrpc_c::value_bytestring(value).vectorUcharValue();
      return Value(Base64{std::string(bytes.begin(), bytes.end())});
    }
    case xmlrpc_c::value::TYPE_DATETIME: {
      const xmlrpc_datetime fields = xmlrpc_c::value_datetime(value);
      return Value(DateTime{static_cast<int>(fields.Y), static_cast<int>(fields.M), static_cast<int>(fields.D),
                            static_cast<int>(fields.h), static_cast<int>(fields.m), static_cast<int>(fields.s)});
    }
    case xmlrpc_c::value::TYPE_ARRAY: {
      Value::Array items;
      for (const xmlrpc_c::value& item : xmlrpc_c::value_array(value).vectorValueValue()) {
        items.push_back(fromLibraryValue(item));
      }
      return Value(std::move(items));
    }
    case xmlrpc_c::value::TYPE_STRUCT: {
      Value::Struct members;
      for (const auto& [name, member] : static_cast<xmlrpc_c::cstruct>(xmlrpc_c::value_struct(value))) {
        members.emplace(name, fromLibraryValue(member));
      }
      return Value(std::move(members));
    }
    case xmlrpc_c::value::TYPE_NIL:
      return Value();
    default:
      throw std::runtime_error("unsupported XML-RPC value type");
  }
}

// xmlrpc-c's messages read "Call XML not a proper XML-RPC call.  Call is not
// valid XML.  not well-formed": keep them, with single spaces.
std::string libraryMessage(const std::exception& error) {
  std::string message = error.what();
  std::string::size_type at;
  while ((at = message.find("  ")) != std::string::npos) message.erase(at, 1);
  return message;
}

}  // namespace

std::string sanitizeText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto byteAt = [&](std::size_t index) { return static_cast<unsigned char>(text[index]); };
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char lead = byteAt(i);
    if (lead < 0x80) {
      if (lead < 0x20 && lead != '\t' && lead != '\n' && lead != '\r') {
        appendReplacementCharacter(out);
      } else {
        out += static_cast<char>(lead);
      }
      ++i;
      continue;
    }
    // Well-formed sequences (Unicode table 3-7): the second byte's range
    // depends on the lead byte; later bytes are 80..BF.
    std::size_t length = 0;
    unsigned char secondLow = 0x80, secondHigh = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) secondLow = 0xA0;
      if (lead == 0xED) secondHigh = 0x9F;  // no UTF-16 surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) secondLow = 0x90;
      if (lead == 0xF4) secondHigh = 0x8F;  // nothing above U+10FFFF
    }
    if (length == 0) {
      appendReplacementCharacter(out);
      ++i;
      continue;
    }
    std::size_t valid = 1;
    while (valid < length && i + valid < text.size()) {
      const unsigned char next = byteAt(i + valid);
      const unsigned char low = valid == 1 ? secondLow : 0x80;
      const unsigned char high = valid == 1 ? secondHigh : 0xBF;
      if (next < low || next > high) break;
      ++valid;
    }
    if (valid < length) {
      appendReplacementCharacter(out);  // the maximal ill-formed prefix is one U+FFFD
      i += valid;
      continue;
    }
    const bool nonCharacter = length == 3 && lead == 0xEF && byteAt(i + 1) == 0xBF && byteAt(i + 2) >= 0xBE;
    if (nonCharacter) {
      appendReplacementCharacter(out);  // U+FFFE and U+FFFF are not XML characters
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

Result<Call> parseCall(std::string_view body) {
  raiseLibraryLimits();
  if (auto refusal = refuseBeforeParsing(body)) return makeError("invalid XML-RPC call: " + *refusal);
  try {
    std::string method;
    xmlrpc_c::paramList params;
    xmlrpc_c::xml::parseCall(std::string(body), &method, &params);
    Call call{std::move(method), {}};
    call.params.reserve(params.size());
    for (std::size_t index = 0; index < params.size(); ++index) call.params.push_back(fromLibraryValue(params[index]));
    return call;
  } catch (const std::exception& error) {
    return makeError("invalid XML-RPC call: " + libraryMessage(error));
  }
}

std::string encodeResponse(const Value& value) {
  raiseLibraryLimits();
  try {
    std::string xml;
    xmlrpc_c::xml::generateResponse(xmlrpc_c::rpcOutcome(toLibraryValue(value)), &xml);
    return xml;
  } catch (const std::exception& error) {
    // Only a value xmlrpc-c refuses (e.g. a DateTime outside its calendar)
    // gets here; answer with a fault rather than no answer.
    return encodeFault({-500, "cannot encode the response: " + libraryMessage(error)});
  }
}

std::string encodeFault(const Fault& fault) {
  raiseLibraryLimits();
  // The C API takes any int as the code; the C++ fault::code_t enum only
  // spans -512..511.
  xmlrpc_env env;
  xmlrpc_env_init(&env);
  xmlrpc_env faultEnv;
  xmlrpc_env_init(&faultEnv);
  xmlrpc_env_set_fault(&faultEnv, fault.code, sanitizeText(fault.string).c_str());
  std::unique_ptr<xmlrpc_mem_block, void (*)(xmlrpc_mem_block*)> block(xmlrpc_mem_block_new(&env, 0),
                                                                        xmlrpc_mem_block_free);
  std::string xml;
  if (!env.fault_occurred) {
    xmlrpc_serialize_fault(&env, block.get(), &faultEnv);
    if (!env.fault_occurred) {
      xml.assign(static_cast<const char*>(xmlrpc_mem_block_contents(block.get())), xmlrpc_mem_block_size(block.get()));
    }
  }
  xmlrpc_env_clean(&faultEnv);
  xmlrpc_env_clean(&env);
  if (xml.empty()) throw std::bad_alloc();  // xmlrpc-c fails here only when out of memory
  return xml;
}

std::string encodeCall(std::string_view method, const Value::Array& params) {
  raiseLibraryLimits();
  xmlrpc_c::paramList list;
  for (const Value& param : params) list.add(toLibraryValue(param));
  std::string xml;
  xmlrpc_c::xml::generateCall(sanitizeText(method), list, &xml);
  return xml;
}

Result<Response> parseResponse(std::string_view body) {
  raiseLibraryLimits();
  if (auto refusal = refuseBeforeParsing(body)) return makeError("invalid XML-RPC response: " + *refusal);
  try {
    xmlrpc_c::rpcOutcome outcome;
    xmlrpc_c::xml::parseResponse(std::string(body), &outcome);
    Response response;
    if (outcome.succeeded()) {
      response.value = fromLibraryValue(outcome.getResult());
    } else {
      const xmlrpc_c::fault fault = outcome.getFault();
      response.fault = Fault{static_cast<int>(fault.getCode()), fault.getDescription()};
    }
    return response;
  } catch (const std::exception& error) {
    return makeError("invalid XML-RPC response: " + libraryMessage(error));
  }
}

}  // namespace common::xmlrpc
