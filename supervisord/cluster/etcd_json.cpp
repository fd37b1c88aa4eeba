#include "supervisord/cluster/etcd_json.h"

#include <charconv>
#include <nlohmann/json.hpp>

namespace cluster {

namespace {

using common::makeError;
using common::Result;
using nlohmann::json;

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::optional<json> parseObject(std::string_view body) {
  json value = json::parse(body.begin(), body.end(), nullptr, false);
  if (value.is_discarded() || !value.is_object()) return std::nullopt;
  return value;
}

Result<json> object(std::string_view body) {
  auto value = parseObject(body);
  if (!value) {
    std::string start(body.substr(0, 80));
    return makeError("etcd: not a JSON object in the answer: '" + start + "'");
  }
  return *value;
}

// An int64 as etcd writes it: a string of digits (or a number); absent = 0.
std::optional<long long> int64Of(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return 0;
  if (it->is_number_integer()) return it->get<long long>();
  if (it->is_number_unsigned()) return static_cast<long long>(it->get<unsigned long long>());
  if (!it->is_string()) return std::nullopt;
  const std::string& s = it->get_ref<const std::string&>();
  long long value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    unsigned long long u = 0;  // lease IDs beyond 2^63 do not happen, but a big id is no crash
    auto [uptr, uec] = std::from_chars(s.data(), s.data() + s.size(), u);
    if (uec != std::errc() || uptr != s.data() + s.size()) return std::nullopt;
    return static_cast<long long>(u);
  }
  return value;
}

std::optional<std::string> bytesOf(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::string();
  if (!it->is_string()) return std::nullopt;
  return base64Decode(it->get_ref<const std::string&>());
}

const json* member(const json& object, const char* key, json::value_t type) {
  auto it = object.find(key);
  if (it == object.end() || it->type() != type) return nullptr;
  return &*it;
}

Result<KeyValue> keyValue(const json& kv) {
  if (!kv.is_object()) return makeError("etcd: a key-value that is not an object");
  KeyValue out;
  auto key = bytesOf(kv, "key");
  auto value = bytesOf(kv, "value");
  auto create = int64Of(kv, "create_revision");
  auto mod = int64Of(kv, "mod_revision");
  auto version = int64Of(kv, "version");
  auto lease = int64Of(kv, "lease");
  if (!key || !value || !create || !mod || !version || !lease) return makeError("etcd: a malformed key-value");
  out.key = std::move(*key);
  out.value = std::move(*value);
  out.createRevision = *create;
  out.modRevision = *mod;
  out.version = *version;
  out.lease = *lease;
  return out;
}

Result<std::vector<KeyValue>> keyValues(const json& object, const char* key) {
  std::vector<KeyValue> out;
  const json* kvs = member(object, key, json::value_t::array);
  if (!kvs) return out;
  for (const json& kv : *kvs) {
    auto parsed = keyValue(kv);
    if (!parsed) return parsed.takeError();
    out.push_back(std::move(*parsed));
  }
  return out;
}

Result<long long> headerRevision(const json& object) {
  const json* header = member(object, "header", json::value_t::object);
  if (!header) return 0LL;
  auto revision = int64Of(*header, "revision");
  if (!revision) return makeError("etcd: a malformed revision");
  return *revision;
}

std::string dump(const json& value) { return value.dump(); }

}  // namespace

std::string base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == bytes.size()) {
    const unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  auto sextet = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const int pad = last ? (text[i + 3] == '=' ? (text[i + 2] == '=' ? 2 : 1) : 0) : 0;
    int v[4];
    for (int k = 0; k < 4; ++k) {
      if (k >= 4 - pad) {
        v[k] = 0;
        continue;
      }
      v[k] = sextet(text[i + static_cast<size_t>(k)]);
      if (v[k] < 0) return std::nullopt;
    }
    const unsigned n = (static_cast<unsigned>(v[0]) << 18) | (static_cast<unsigned>(v[1]) << 12) |
                       (static_cast<unsigned>(v[2]) << 6) | static_cast<unsigned>(v[3]);
    out += static_cast<char>((n >> 16) & 255);
    if (pad < 2) out += static_cast<char>((n >> 8) & 255);
    if (pad < 1) out += static_cast<char>(n & 255);
  }
  return out;
}

std::string prefixRangeEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    if (static_cast<unsigned char>(end.back()) < 0xff) {
      end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // every key
}

std::string leaseGrantBody(long long ttl) { return dump({{"TTL", std::to_string(ttl)}}); }
std::string leaseIdBody(long long id) { return dump({{"ID", std::to_string(id)}}); }

std::string putBody(std::string_view key, std::string_view value, long long lease) {
  json body = {{"key", base64Encode(key)}, {"value", base64Encode(value)}};
  if (lease != 0) body["lease"] = std::to_string(lease);
  return dump(body);
}

std::string rangePrefixBody(std::string_view prefix) {
  return dump({{"key", base64Encode(prefix)}, {"range_end", base64Encode(prefixRangeEnd(prefix))}});
}

std::string createIfAbsentBody(std::string_view key, std::string_view value, long long lease) {
  json put = {{"key", base64Encode(key)}, {"value", base64Encode(value)}};
  if (lease != 0) put["lease"] = std::to_string(lease);
  return dump({{"compare", json::array({{{"target", "CREATE"}, {"key", base64Encode(key)}, {"create_revision", "0"}}})},
               {"success", json::array({{{"request_put", put}}})},
               {"failure", json::array({{{"request_range", {{"key", base64Encode(key)}}}}})}});
}

std::string deleteIfCreateRevisionBody(std::string_view key, long long createRevision) {
  return dump({{"compare", json::array({{{"target", "CREATE"},
                                         {"key", base64Encode(key)},
                                         {"create_revision", std::to_string(createRevision)}}})},
               {"success", json::array({{{"request_delete_range", {{"key", base64Encode(key)}}}}})}});
}

std::string deleteBody(std::string_view key) { return dump({{"key", base64Encode(key)}}); }

std::string watchPrefixBody(std::string_view prefix, long long startRevision) {
  json create = {{"key", base64Encode(prefix)}, {"range_end", base64Encode(prefixRangeEnd(prefix))}, {"prev_kv", true}};
  if (startRevision > 0) create["start_revision"] = std::to_string(startRevision);
  return dump({{"create_request", create}});
}

std::string errorMessage(int httpStatus, std::string_view body) {
  auto value = parseObject(body);
  if (value) {
    const json* error = member(*value, "error", json::value_t::string);
    if (!error) error = member(*value, "message", json::value_t::string);
    if (error) {
      const std::string& text = error->get_ref<const std::string&>();
      if (text.find("lease not found") != std::string::npos) return std::string(kLeaseLost);
      return "etcd: " + text;
    }
  }
  return "etcd: HTTP " + std::to_string(httpStatus) + " " + std::string(body.substr(0, 80));
}

Result<Lease> parseLeaseGrant(std::string_view body) {
  auto value = object(body);
  if (!value) return value.takeError();
  if (const json* error = member(*value, "error", json::value_t::string))
    return makeError("etcd: " + error->get<std::string>());
  auto id = int64Of(*value, "ID");
  auto ttl = int64Of(*value, "TTL");
  if (!id || !ttl || *id == 0) return makeError("etcd: no lease in the answer");
  return Lease{*id, *ttl};
}

Result<long long> parseKeepAlive(std::string_view body) {
  // One NDJSON line per request sent: {"result": {...}} (or {"error": ...}).
  const auto newline = body.find('\n');
  auto value = object(newline == std::string_view::npos ? body : body.substr(0, newline));
  if (!value) return value.takeError();
  if (const json* error = member(*value, "error", json::value_t::object)) {
    const json* message = member(*error, "message", json::value_t::string);
    return makeError("etcd: " + (message ? message->get<std::string>() : std::string("keepalive failed")));
  }
  const json* result = member(*value, "result", json::value_t::object);
  if (!result) return makeError("etcd: no result in the keepalive answer");
  auto ttl = int64Of(*result, "TTL");
  if (!ttl) return makeError("etcd: a malformed TTL");
  if (*ttl <= 0) return makeError(std::string(kLeaseLost));  // proto3: an absent TTL is 0 = lost
  return *ttl;
}

Result<long long> parseRevision(std::string_view body) {
  auto value = object(body);
  if (!value) return value.takeError();
  return headerRevision(*value);
}

Result<RangeResult> parseRange(std::string_view body) {
  auto value = object(body);
  if (!value) return value.takeError();
  RangeResult out;
  auto revision = headerRevision(*value);
  if (!revision) return revision.takeError();
  out.revision = *revision;
  auto kvs = keyValues(*value, "kvs");
  if (!kvs) return kvs.takeError();
  out.kvs = std::move(*kvs);
  return out;
}

Result<TxnResult> parseTxn(std::string_view body) {
  auto value = object(body);
  if (!value) return value.takeError();
  TxnResult out;
  auto revision = headerRevision(*value);
  if (!revision) return revision.takeError();
  out.revision = *revision;
  const json* succeeded = member(*value, "succeeded", json::value_t::boolean);
  out.succeeded = succeeded && succeeded->get<bool>();
  if (const json* responses = member(*value, "responses", json::value_t::array)) {
    for (const json& response : *responses) {
      if (!response.is_object()) continue;
      const json* range = member(response, "response_range", json::value_t::object);
      if (!range) continue;
      auto kvs = keyValues(*range, "kvs");
      if (!kvs) return kvs.takeError();
      if (!kvs->empty()) out.holder = kvs->front();
    }
  }
  return out;
}

Result<long long> parseDeleted(std::string_view body) {
  auto value = object(body);
  if (!value) return value.takeError();
  if (member(*value, "responses", json::value_t::array) || value->contains("succeeded") ||
      value->contains("responses")) {
    const json* succeeded = member(*value, "succeeded", json::value_t::boolean);
    return static_cast<long long>(succeeded && succeeded->get<bool>() ? 1 : 0);
  }
  auto deleted = int64Of(*value, "deleted");
  if (!deleted) return makeError("etcd: a malformed deleted count");
  return *deleted;
}

Result<WatchResponse> parseWatchLine(std::string_view line) {
  auto value = object(line);
  if (!value) return value.takeError();
  if (const json* error = member(*value, "error", json::value_t::object)) {
    const json* message = member(*error, "message", json::value_t::string);
    return makeError("etcd: " + (message ? message->get<std::string>() : std::string("watch failed")));
  }
  const json* result = member(*value, "result", json::value_t::object);
  if (!result) return makeError("etcd: no result in the watch answer");
  WatchResponse out;
  auto flag = [&](const char* key) {
    const json* b = member(*result, key, json::value_t::boolean);
    return b && b->get<bool>();
  };
  out.created = flag("created");
  out.canceled = flag("canceled");
  if (const json* reason = member(*result, "cancel_reason", json::value_t::string)) out.cancelReason = *reason;
  auto compact = int64Of(*result, "compact_revision");
  auto revision = headerRevision(*result);
  if (!compact || !revision) return makeError("etcd: a malformed watch revision");
  out.compactRevision = *compact;
  out.revision = *revision;
  if (const json* events = member(*result, "events", json::value_t::array)) {
    for (const json& e : *events) {
      if (!e.is_object()) return makeError("etcd: a watch event that is not an object");
      WatchEvent event;
      const json* type = member(e, "type", json::value_t::string);
      event.type = type && *type == "DELETE" ? WatchEvent::Type::Delete : WatchEvent::Type::Put;
      auto kv = keyValue(e.value("kv", json::object()));
      if (!kv) return kv.takeError();
      event.kv = std::move(*kv);
      if (auto prev = e.find("prev_kv"); prev != e.end() && prev->is_object()) {
        auto previous = keyValue(*prev);
        if (!previous) return previous.takeError();
        event.previous = std::move(*previous);
      }
      out.events.push_back(std::move(event));
    }
  }
  return out;
}

}  // namespace cluster
