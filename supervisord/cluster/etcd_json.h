#pragma once
// The bodies of etcd 3.4's v3 JSON gateway (reference: libs.md §6), built and parsed.
// Pure, and safe on any input (a fuzz target): a body that is not what etcd sends is
// an error value, never an exception or a crash. Keys and values travel in base64;
// int64s arrive as JSON strings; proto3 JSON leaves out default values (a missing
// "succeeded" is false, a missing "kvs" is none, a PUT event has no "type").

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace cluster {

struct KeyValue {
  std::string key;
  std::string value;
  long long createRevision = 0;
  long long modRevision = 0;
  long long version = 0;
  long long lease = 0;  // 0: none
};

struct Lease {
  long long id = 0;
  long long ttl = 0;
};

struct RangeResult {
  std::vector<KeyValue> kvs;
  long long revision = 0;  // the store's revision when read
};

struct TxnResult {
  bool succeeded = false;
  std::optional<KeyValue> holder;  // create-if-absent lost: who holds the key
  long long revision = 0;          // the store's revision after it
};

struct WatchEvent {
  enum class Type { Put, Delete };
  Type type = Type::Put;
  KeyValue kv;
  std::optional<KeyValue> previous;
};

// One line of a watch stream.
struct WatchResponse {
  bool created = false;
  bool canceled = false;
  std::string cancelReason;
  long long compactRevision = 0;  // set when the start revision was compacted away
  long long revision = 0;
  std::vector<WatchEvent> events;
};

std::string base64Encode(std::string_view bytes);
// nullopt: not base64.
std::optional<std::string> base64Decode(std::string_view text);
// The end of the key range holding every key that starts with `prefix` (etcd's "prefix" option).
std::string prefixRangeEnd(std::string_view prefix);

// ---- Request bodies ----
std::string leaseGrantBody(long long ttl);
std::string leaseIdBody(long long id);  // keepalive, revoke
std::string putBody(std::string_view key, std::string_view value, long long lease);
std::string rangePrefixBody(std::string_view prefix);
std::string createIfAbsentBody(std::string_view key, std::string_view value, long long lease);
std::string deleteIfCreateRevisionBody(std::string_view key, long long createRevision);
std::string deleteBody(std::string_view key);
std::string watchPrefixBody(std::string_view prefix, long long startRevision);

// ---- Responses (the body of an HTTP 200) ----
// The message of an etcd error body {"error": "...", "code": n}, or of a body that is not JSON.
std::string errorMessage(int httpStatus, std::string_view body);
// The message a lost or unknown lease gives (keepalive, put): tell it from "unreachable".
inline constexpr std::string_view kLeaseLost = "etcd: the lease is not found (expired or revoked)";

common::Result<Lease> parseLeaseGrant(std::string_view body);
// The lease's remaining TTL; kLeaseLost when etcd no longer knows it.
common::Result<long long> parseKeepAlive(std::string_view body);
// The header's revision (put, delete, revoke).
common::Result<long long> parseRevision(std::string_view body);
common::Result<RangeResult> parseRange(std::string_view body);
common::Result<TxnResult> parseTxn(std::string_view body);
// deleterange's "deleted" count (a txn's delete: 1 when it succeeded).
common::Result<long long> parseDeleted(std::string_view body);
common::Result<WatchResponse> parseWatchLine(std::string_view line);

}  // namespace cluster
