#include <string>

#include "common/base64.h"
#include "supervisord/cluster/etcd_json.h"
#include "tests/fuzz/bodies/contract.h"
#include "tests/fuzz/fuzz_bodies.h"

namespace fuzz {

using common::base64Decode;
using common::base64Encode;

namespace {

template <typename T>
void refusedWithMessage(const common::Result<T>& result, const char* reader) {
  if (!result) require(!result.error().empty(), std::string(reader) + ": an error has a message");
}

}  // namespace

// The input is a response body (or a watch stream) as etcd's gateway might send it:
// every reader takes it as an answer with HTTP 200 and 404, the watch stream splitter
// takes it in pieces cut at \x01 bytes, and base64 and prefixEnd get it as bytes.
void etcdJson(std::string_view input) {
  using namespace cluster;
  for (int status : {200, 404}) {
    refusedWithMessage(readLeaseGrant(status, input), "readLeaseGrant");
    refusedWithMessage(readRevoke(status, input), "readRevoke");
    refusedWithMessage(readPut(status, input), "readPut");
    refusedWithMessage(readRange(status, input), "readRange");
    refusedWithMessage(readDelete(status, input), "readDelete");
    refusedWithMessage(readDeleteIfCreateRevision(status, input), "readDeleteIfCreateRevision");
    refusedWithMessage(readStatus(status, input), "readStatus");
    auto renewed = readKeepAlive(status, input);
    refusedWithMessage(renewed, "readKeepAlive");
    if (renewed) require(*renewed > 0, "a renewed lease has a positive TTL");
    auto created = readCreateIfAbsent(status, input);
    refusedWithMessage(created, "readCreateIfAbsent");
    if (created && created->succeeded) require(!created->holder, "a won createIfAbsent has no other holder");
    (void)isUnavailable(status, input);
    auto grant = readLeaseGrant(status, input);
    if (grant) require(grant->id != 0 && grant->ttl > 0, "a granted lease has an ID and a TTL");
  }

  JsonLines lines(4096);
  std::size_t start = 0;
  for (std::size_t i = 0; i <= input.size(); ++i) {
    if (i < input.size() && input[i] != '\x01') continue;
    auto complete = lines.feed(input.substr(start, i - start));
    start = i + 1;
    if (!complete) break;
    for (const std::string& line : *complete) {
      require(!line.empty() && line.find('\n') == std::string::npos, "a stream line is whole and without newline");
      auto message = readWatchLine(line);
      refusedWithMessage(message, "readWatchLine");
    }
  }

  auto decoded = base64Decode(input);
  refusedWithMessage(decoded, "base64Decode");
  if (decoded) require(base64Decode(base64Encode(*decoded)).value() == *decoded, "base64 round-trips decoded bytes");
  auto roundTrip = base64Decode(base64Encode(input));
  require(roundTrip && *roundTrip == input, "base64 round-trips any bytes");

  const std::string end = prefixEnd(input);
  require(end == std::string(1, '\0') || input < std::string_view(end), "a prefix's range end sorts after it");
}

}  // namespace fuzz
