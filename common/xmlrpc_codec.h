#pragma once
// XML-RPC encoding and decoding of our xmlrpc::Value (xmlrpc-c does the XML,
// inside xmlrpc_codec.cpp only).
//
// What a caller may rely on:
//  - encode*() always produce a document Python's xmlrpc.client parses: every
//    string (and struct member name) goes through sanitizeText() first, and a
//    carriage return is kept (written as &#x0d;);
//  - parse*() never throw and never crash on hostile input: malformed XML, a
//    DOCTYPE (entity expansion, "billion laughs"), a NUL byte, nesting deeper
//    than 64 or a document over kXmlSizeLimit give an Error;
//  - parse*() check the XML-RPC structure only; whether the parameters suit the
//    method is the dispatcher's business.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/xmlrpc_value.h"

namespace common::xmlrpc {

// Largest XML document we encode or parse (xmlrpc-c's default is 512 KiB, too
// small for a log tail). The HTTP layer caps request bodies on its own.
inline constexpr std::size_t kXmlSizeLimit = 16 << 20;

struct Call {
  std::string method;
  Value::Array params;
};

// A server's answer: a value, or the fault it raised.
struct Response {
  Value value;  // nil when fault is set
  std::optional<Fault> fault;

  bool isFault() const { return fault.has_value(); }
};

// A <methodCall> document: e.g. from supervisorctl's POST /RPC2.
Result<Call> parseCall(std::string_view body);
// A <methodResponse> carrying `value`.
std::string encodeResponse(const Value& value);
// A <methodResponse> carrying a fault, e.g. encodeFault({10, "BAD_NAME: foo"}).
std::string encodeFault(const Fault& fault);
// A <methodCall> document.
std::string encodeCall(std::string_view method, const Value::Array& params);
// A <methodResponse> document: the value, or the fault the server raised.
Result<Response> parseResponse(std::string_view body);

// `text` made safe for an XML 1.0 document: invalid UTF-8 sequences become
// U+FFFD (one per maximal ill-formed subsequence, like Python's
// bytes.decode('utf-8', 'replace')), as do C0 controls other than \t \n \r and
// the non-characters U+FFFE/U+FFFF. Valid text comes back unchanged.
std::string sanitizeText(std::string_view text);

}  // namespace common::xmlrpc
