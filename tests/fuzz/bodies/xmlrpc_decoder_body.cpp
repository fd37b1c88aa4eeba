#include "common/xmlrpc_codec.h"
#include "tests/fuzz/bodies/contract.h"
#include "tests/fuzz/fuzz_bodies.h"

namespace fuzz {

using common::xmlrpc::parseCall;
using common::xmlrpc::parseResponse;

// The input is a request body (and, read the other way, a response body). Whatever
// parses encodes into a document that parses again (encode*() sanitize every string).
void xmlrpcDecoder(std::string_view input) {
  if (auto call = parseCall(input)) {
    const std::string again = common::xmlrpc::encodeCall(call->method, call->params);
    auto reparsed = parseCall(again);
    require(reparsed.ok(), "an encoded call parses again: " + (reparsed ? "" : reparsed.error()));
    require(reparsed->method == common::xmlrpc::sanitizeText(call->method), "the method name survives a round trip");
    require(reparsed->params.size() == call->params.size(), "the parameter count survives a round trip");
    for (const auto& param : call->params) {
      auto response = parseResponse(common::xmlrpc::encodeResponse(param));
      require(response.ok() && !response->isFault(), "an encoded response value parses again");
    }
  } else {
    require(!call.error().empty(), "a parse error has a message");
  }

  if (auto response = parseResponse(input)) {
    if (response->isFault()) {
      auto fault = parseResponse(common::xmlrpc::encodeFault(*response->fault));
      require(fault.ok() && fault->isFault() && fault->fault->code == response->fault->code,
              "an encoded fault parses again with its code");
    } else {
      auto value = parseResponse(common::xmlrpc::encodeResponse(response->value));
      require(value.ok() && !value->isFault(), "an encoded response parses again");
    }
  }
}

}  // namespace fuzz
