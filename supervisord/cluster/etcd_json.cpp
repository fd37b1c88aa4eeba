#include "supervisord/cluster/etcd_json.h"

#include <array>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "common/base64.h"

namespace cluster {

using common::base64Decode;
using common::base64Encode;
using nlohmann::json;

namespace {

// --- messages -------------------------------------------------------------------------

// Up to 120 bytes of `text` for a message, non-printable bytes as '?', no trailing newline.
std::string snippet(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  std::string out;
  for (unsigned char c : text.substr(0, 120)) out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  if (text.size() > 120) out += "...";
  return out;
}

common::Error malformed(const std::string& why) { return common::makeError("malformed etcd response: " + why); }

// An etcd error, worded for a log line. Lease errors get the kLeaseNotFound prefix.
common::Error etcdError(const std::string& text, std::optional<std::int64_t> code, int httpStatus) {
  if (text.find("lease not found") != std::string::npos)
    return common::makeError(std::string(kLeaseNotFound) + ": " + text);
  std::string message = "etcd refused the request: " + (text.empty() ? std::string("no reason given") : text);
  if (code) message += " (code " + std::to_string(*code);
  if (httpStatus != 0 && httpStatus != 200) message += (code ? ", HTTP " : " (HTTP ") + std::to_string(httpStatus);
  if (code || (httpStatus != 0 && httpStatus != 200)) message += ")";
  return common::makeError(std::move(message));
}

// --- proto3 JSON fields -----------------------------------------------------------------

// Reads the fields of one etcd message, proto3-JSON style, remembering the first
// problem instead of throwing: each accessor returns the field's default on a problem.
class Fields {
 public:
  // The field `name` (or its camelCase spelling) of `object`; nullptr when absent or null.
  const json* find(const json& object, std::string_view name, std::string_view camel = {}) {
    if (!object.is_object()) {
      fail("expected an object holding \"" + std::string(name) + "\"");
      return nullptr;
    }
    for (std::string_view spelling : {name, camel}) {
      if (spelling.empty()) continue;
      auto found = object.find(std::string(spelling));
      if (found != object.end() && !found->is_null()) return &*found;
    }
    return nullptr;
  }

  std::int64_t int64(const json& object, std::string_view name, std::string_view camel = {}) {
    const json* field = find(object, name, camel);
    if (field == nullptr) return 0;
    if (field->is_number_integer() && !field->is_number_unsigned()) return field->get<std::int64_t>();
    if (field->is_number_unsigned() &&
        field->get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return static_cast<std::int64_t>(field->get<std::uint64_t>());
    if (field->is_string()) {
      const std::string& text = field->get_ref<const std::string&>();
      std::int64_t value = 0;
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (!text.empty() && error == std::errc() && end == text.data() + text.size()) return value;
    }
    fail("\"" + std::string(name) + "\" is not a 64-bit integer: " + snippet(field->dump()));
    return 0;
  }

  std::uint64_t uint64(const json& object, std::string_view name) {
    const json* field = find(object, name);
    if (field == nullptr) return 0;
    if (field->is_number_unsigned()) return field->get<std::uint64_t>();
    if (field->is_string()) {
      const std::string& text = field->get_ref<const std::string&>();
      std::uint64_t value = 0;
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (!text.empty() && error == std::errc() && end == text.data() + text.size()) return value;
    }
    fail("\"" + std::string(name) + "\" is not an unsigned 64-bit integer: " + snippet(field->dump()));
    return 0;
  }

  bool boolean(const json& object, std::string_view name) {
    const json* field = find(object, name);
    if (field == nullptr) return false;
    if (field->is_boolean()) return field->get<bool>();
    fail("\"" + std::string(name) + "\" is not a boolean");
    return false;
  }

  std::string text(const json& object, std::string_view name, std::string_view camel = {}) {
    const json* field = find(object, name, camel);
    if (field == nullptr) return {};
    if (field->is_string()) return field->get<std::string>();
    fail("\"" + std::string(name) + "\" is not a string");
    return {};
  }

  std::string bytes(const json& object, std::string_view name) {
    const json* field = find(object, name);
    if (field == nullptr) return {};
    if (field->is_string()) {
      auto decoded = base64Decode(field->get_ref<const std::string&>());
      if (decoded) return std::move(decoded).value();
      fail("\"" + std::string(name) + "\": " + decoded.error());
      return {};
    }
    fail("\"" + std::string(name) + "\" is not a base64 string");
    return {};
  }

  // The object `name` holds; an empty object when absent.
  const json& object(const json& parent, std::string_view name, std::string_view camel = {}) {
    static const json empty = json::object();
    const json* field = find(parent, name, camel);
    if (field == nullptr) return empty;
    if (field->is_object()) return *field;
    fail("\"" + std::string(name) + "\" is not an object");
    return empty;
  }

  // The array `name` holds; an empty array when absent.
  const json& array(const json& parent, std::string_view name, std::string_view camel = {}) {
    static const json empty = json::array();
    const json* field = find(parent, name, camel);
    if (field == nullptr) return empty;
    if (field->is_array()) return *field;
    fail("\"" + std::string(name) + "\" is not an array");
    return empty;
  }

  KeyValue keyValue(const json& object) {
    KeyValue kv;
    kv.key = bytes(object, "key");
    kv.value = bytes(object, "value");
    kv.createRevision = int64(object, "create_revision", "createRevision");
    kv.modRevision = int64(object, "mod_revision", "modRevision");
    kv.version = int64(object, "version");
    kv.lease = int64(object, "lease");
    return kv;
  }

  std::int64_t headerRevision(const json& message) { return int64(object(message, "header"), "revision"); }

  bool failed() const { return !problem_.empty(); }
  common::Error error() const { return malformed(problem_); }

 private:
  void fail(std::string why) {
    if (problem_.empty()) problem_ = std::move(why);
  }
  std::string problem_;
};

// The error an etcd error value carries: a unary error body {"error":"..","code":N,
// "message":".."} or a stream's {"error":{"grpc_code":N,"message":".."}}.
common::Error errorFrom(const json& error, const json& body, int httpStatus) {
  std::string text;
  std::optional<std::int64_t> code;
  const json& holder = error.is_object() ? error : body;
  if (error.is_string()) text = error.get<std::string>();
  auto message = holder.find("message");
  if (text.empty() && message != holder.end() && message->is_string()) text = message->get<std::string>();
  for (const char* name : {"code", "grpc_code"}) {
    auto found = holder.find(name);
    if (found != holder.end() && found->is_number_integer()) code = found->get<std::int64_t>();
  }
  return etcdError(text, code, httpStatus);
}

// The JSON object of an answer, or the error it stands for.
common::Result<json> answer(int httpStatus, std::string_view body) {
  json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    if (httpStatus != 200)
      return common::makeError("etcd answered HTTP " + std::to_string(httpStatus) + ": " + snippet(body));
    return malformed(parsed.is_discarded() ? "not JSON: " + snippet(body) : "not a JSON object: " + snippet(body));
  }
  auto error = parsed.find("error");
  if (error != parsed.end() && !error->is_null()) return errorFrom(*error, parsed, httpStatus);
  if (httpStatus != 200)
    return common::makeError("etcd answered HTTP " + std::to_string(httpStatus) + ": " + snippet(body));
  return parsed;
}

// A line of a gRPC stream through the gateway: {"result":{..}} or {"error":{..}}.
common::Result<json> streamLine(std::string_view line) {
  auto parsed = answer(200, line);
  if (!parsed) return parsed.takeError();
  auto result = parsed->find("result");
  if (result == parsed->end() || result->is_null()) return json::object();  // an empty message
  if (!result->is_object()) return malformed("\"result\" is not an object: " + snippet(line));
  return json(*result);
}

std::string idText(std::int64_t id) { return std::to_string(id); }

std::string dumpBody(const json& body) {
  // Every string in our bodies is base64 or a number: dump cannot meet invalid UTF-8.
  return body.dump();
}

}  // namespace

bool isLeaseNotFound(std::string_view errorMessage) { return errorMessage.substr(0, kLeaseNotFound.size()) == kLeaseNotFound; }

bool isUnavailable(int httpStatus, std::string_view body) {
  if (httpStatus >= 500) return true;
  const std::size_t start = body.find_first_not_of("\r\n \t");
  if (start == std::string_view::npos) return false;
  const std::string_view line = body.substr(start, body.find('\n', start) - start);
  json parsed = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return false;
  auto error = parsed.find("error");
  if (error == parsed.end()) return false;
  const json& holder = error->is_object() ? *error : parsed;
  for (const char* name : {"code", "grpc_code"}) {
    auto code = holder.find(name);
    if (code != holder.end() && *code == 14) return true;
  }
  return false;
}

std::string prefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(end.back());
    if (last < 0xff) {
      ++last;
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');
}

// --- request bodies ---------------------------------------------------------------------

std::string grantLeaseBody(std::int64_t ttlSeconds) { return dumpBody({{"TTL", ttlSeconds}}); }

std::string leaseIdBody(std::int64_t leaseId) { return dumpBody({{"ID", idText(leaseId)}}); }

std::string putBody(std::string_view key, std::string_view value, std::int64_t lease) {
  json body{{"key", base64Encode(key)}, {"value", base64Encode(value)}};
  if (lease != 0) body["lease"] = idText(lease);
  return dumpBody(body);
}

std::string rangeBody(std::string_view key) { return dumpBody({{"key", base64Encode(key)}}); }

std::string rangePrefixBody(std::string_view prefix) {
  const std::string key = prefix.empty() ? std::string(1, '\0') : std::string(prefix);
  return dumpBody({{"key", base64Encode(key)}, {"range_end", base64Encode(prefixEnd(prefix))}});
}

std::string deleteBody(std::string_view key) { return dumpBody({{"key", base64Encode(key)}}); }

std::string createIfAbsentBody(std::string_view key, std::string_view value, std::int64_t lease,
                               const std::optional<Unchanged>& unchanged) {
  const std::string encodedKey = base64Encode(key);
  json put{{"key", encodedKey}, {"value", base64Encode(value)}};
  if (lease != 0) put["lease"] = idText(lease);
  json compare = json::array({{{"target", "CREATE"}, {"result", "EQUAL"}, {"key", encodedKey},
                               {"create_revision", "0"}}});
  json failure = json::array({{{"request_range", {{"key", encodedKey}}}}});
  if (unchanged) {
    // Over a range: every key in it (none: holds) was last written before revision + 1.
    const std::string prefix = unchanged->prefix.empty() ? std::string(1, '\0') : unchanged->prefix;
    const std::string end = base64Encode(prefixEnd(unchanged->prefix));
    compare.push_back({{"target", "MOD"}, {"result", "LESS"}, {"key", base64Encode(prefix)}, {"range_end", end},
                       {"mod_revision", idText(unchanged->revision + 1)}});
    failure.push_back({{"request_range", {{"key", base64Encode(prefix)}, {"range_end", end}, {"keys_only", true}}}});
  }
  return dumpBody({{"compare", compare}, {"success", json::array({{{"request_put", put}}})}, {"failure", failure}});
}

std::string deleteIfCreateRevisionBody(std::string_view key, std::int64_t createRevision) {
  const std::string encodedKey = base64Encode(key);
  return dumpBody({{"compare", json::array({{{"target", "CREATE"}, {"result", "EQUAL"}, {"key", encodedKey},
                                             {"create_revision", idText(createRevision)}}})},
                   {"success", json::array({{{"request_delete_range", {{"key", encodedKey}}}}})}});
}

std::string statusBody() { return "{}"; }

std::string watchPrefixBody(std::string_view prefix, std::int64_t startRevision) {
  const std::string key = prefix.empty() ? std::string(1, '\0') : std::string(prefix);
  json create{{"key", base64Encode(key)}, {"range_end", base64Encode(prefixEnd(prefix))}, {"prev_kv", true}};
  if (startRevision > 0) create["start_revision"] = idText(startRevision);
  return dumpBody({{"create_request", create}});
}

// --- response readers -------------------------------------------------------------------

common::Result<LeaseGrant> readLeaseGrant(int httpStatus, std::string_view body) {
  auto parsed = answer(httpStatus, body);
  if (!parsed) return parsed.takeError();
  Fields fields;
  LeaseGrant grant{fields.int64(*parsed, "ID"), fields.int64(*parsed, "TTL")};
  if (fields.failed()) return fields.error();
  if (grant.id == 0 || grant.ttl <= 0) return malformed("lease grant without ID or TTL: " + snippet(body));
  return grant;
}

common::Result<std::int64_t> readKeepAlive(int httpStatus, std::string_view body) {
  if (httpStatus != 200) {
    auto parsed = answer(httpStatus, body);
    if (!parsed) return parsed.takeError();
  }
  // A stream: one {"result":..} line per request sent; we send one.
  const std::size_t start = body.find_first_not_of("\r\n \t");
  if (start == std::string_view::npos) return common::makeError("etcd ended the lease keepalive without an answer");
  std::string_view line = body.substr(start);
  line = line.substr(0, line.find('\n'));
  auto result = streamLine(line);
  if (!result) return result.takeError();
  Fields fields;
  const std::int64_t id = fields.int64(*result, "ID");
  const std::int64_t ttl = fields.int64(*result, "TTL");
  if (fields.failed()) return fields.error();
  if (ttl <= 0)
    return common::makeError(std::string(kLeaseNotFound) + ": etcd lease " + std::to_string(id) +
                             " has expired or was revoked");
  return ttl;
}

common::Result<void> readRevoke(int httpStatus, std::string_view body) {
  auto parsed = answer(httpStatus, body);
  if (!parsed) return parsed.takeError();
  return {};
}

common::Result<std::int64_t> readPut(int httpStatus, std::string_view body) {
  auto parsed = answer(httpStatus, body);
  if (!parsed) return parsed.takeError();
  Fields fields;
  const std::int64_t revision = fields.headerRevision(*parsed);
  if (fields.failed()) return fields.error();
  return revision;
}

namespace {

RangeResult rangeFrom(Fields& fields, const json& message) {
  RangeResult range;
  range.revision = fields.headerRevision(message);
  for (const json& kv : fields.array(message, "kvs")) range.kvs.push_back(fields.keyValue(kv));
  return range;
}

// The `index`th entry of a txn's "responses", unwrapped from {"response_put": {..}} and the like.
const json& txnResponse(Fields& fields, const json& message, std::string_view kind, std::string_view camel,
                        std::size_t index = 0) {
  static const json empty = json::object();
  const json& responses = fields.array(message, "responses");
  if (responses.size() <= index) return empty;
  return fields.object(responses[index], kind, camel);
}

}  // namespace

common::Result<RangeResult> readRange(int httpStatus, std::string_view body) {
  auto parsed = answer(httpStatus, body);
  if (!parsed) return parsed.takeError();
  Fields fields;
  RangeResult range = rangeFrom(fields, *parsed);
  if (fields.failed()) return fields.error();
  return range;
}

common::Result<CreateResult> readCreateIfAbsent(int httpStatus, std::string_view body) {
  auto parsed = answer(httpStatus, body);
  if (!parsed) return parsed.takeError();
  Fields fields;
  CreateResult created;
  created.succeeded = fields.boolean(*parsed, "succeeded");
  created.revision = fields.headerRevision(*parsed);
  if (!created.succeeded) {
    const json& range = txnResponse(fields, *parsed, "response_range", "responseRange");
    RangeResult holders = rangeFrom(fields, range);
    if (!holders.kvs.empty()) created.holder = std::move(holders.kvs.front());
    if (!created.holder) {  // the guard failed: its keys follow
      const json& guarded = txnResponse(fields, *parsed, "response_range", "responseRange", 1);
      for (const KeyValue& kv : rangeFrom(fields, guarded).kvs) created.newest = std::max(created.newest, kv.modRevision);
    }
  }
  if (fields.failed()) return fields.error();
  return created;
}

common::Result<DeleteResult> readDeleteIfCreateRevision(int httpStatus, std::string_view body) {
  auto parsed = answer(httpStatus, body);
  if (!parsed) return parsed.takeError();
  Fields fields;
  DeleteResult deleted;
  deleted.revision = fields.headerRevision(*parsed);
  if (fields.boolean(*parsed, "succeeded")) {
    deleted.count = fields.int64(txnResponse(fields, *parsed, "response_delete_range", "responseDeleteRange"), "deleted");
    deleted.deleted = deleted.count > 0;
  }
  if (fields.failed()) return fields.error();
  return deleted;
}

common::Result<DeleteResult> readDelete(int httpStatus, std::string_view body) {
  auto parsed = answer(httpStatus, body);
  if (!parsed) return parsed.takeError();
  Fields fields;
  DeleteResult deleted;
  deleted.revision = fields.headerRevision(*parsed);
  deleted.count = fields.int64(*parsed, "deleted");
  deleted.deleted = deleted.count > 0;
  if (fields.failed()) return fields.error();
  return deleted;
}

common::Result<EtcdStatus> readStatus(int httpStatus, std::string_view body) {
  auto parsed = answer(httpStatus, body);
  if (!parsed) return parsed.takeError();
  Fields fields;
  EtcdStatus status;
  const json& header = fields.object(*parsed, "header");
  status.leader = fields.uint64(*parsed, "leader");
  status.memberId = fields.uint64(header, "member_id");
  status.revision = fields.int64(header, "revision");
  status.version = fields.text(*parsed, "version");
  if (fields.failed()) return fields.error();
  return status;
}

common::Result<WatchResponse> readWatchLine(std::string_view line) {
  auto result = streamLine(line);
  if (!result) return result.takeError();
  Fields fields;
  WatchResponse response;
  response.created = fields.boolean(*result, "created");
  response.canceled = fields.boolean(*result, "canceled");
  response.cancelReason = fields.text(*result, "cancel_reason", "cancelReason");
  response.compactRevision = fields.int64(*result, "compact_revision", "compactRevision");
  response.revision = fields.headerRevision(*result);
  for (const json& item : fields.array(*result, "events")) {
    WatchEvent event;
    const json* type = fields.find(item, "type");
    if (type == nullptr || *type == "PUT" || *type == 0) {
      event.type = WatchEvent::Type::Put;
    } else if (*type == "DELETE" || *type == 1) {
      event.type = WatchEvent::Type::Delete;
    } else {
      return malformed("unknown watch event type " + snippet(type->dump()));
    }
    event.kv = fields.keyValue(fields.object(item, "kv"));
    const json* previous = fields.find(item, "prev_kv", "prevKv");
    if (previous != nullptr) event.previous = fields.keyValue(*previous);
    response.events.push_back(std::move(event));
  }
  if (fields.failed()) return fields.error();
  return response;
}

common::Result<std::vector<std::string>> JsonLines::feed(std::string_view bytes) {
  std::vector<std::string> lines;
  while (!bytes.empty()) {
    const std::size_t newline = bytes.find('\n');
    const std::string_view piece = bytes.substr(0, newline);
    if (pending_.size() + piece.size() > maxLine_)
      return common::makeError("a line of the etcd stream is longer than " + std::to_string(maxLine_) + " bytes");
    pending_.append(piece);
    if (newline == std::string_view::npos) break;
    bytes.remove_prefix(newline + 1);
    if (!pending_.empty() && pending_.back() == '\r') pending_.pop_back();
    if (!pending_.empty()) lines.push_back(std::move(pending_));
    pending_.clear();
  }
  return lines;
}

}  // namespace cluster
