#pragma once
// The JSON gateway of etcd v3 (3.4: POST /v3/...), as plain values: request bodies
// built, response bodies read (reference/libs.md §6). Pure: no I/O, no clock.
//
// Readers take the HTTP status and body as received and never throw or crash,
// whatever the bytes (a fuzz target): a malformed body, an etcd error body
// ({"error":..,"code":..}) or a stream error line is an Error with a readable
// message. They follow proto3 JSON: an absent field holds its default (0, false,
// empty), int64 values arrive as strings, keys and values as base64.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace cluster {

// One key as etcd stores it. Revisions count from 1; 0 means "absent".
struct KeyValue {
  std::string key;
  std::string value;
  std::int64_t createRevision = 0;  // the revision that created this incarnation of the key
  std::int64_t modRevision = 0;
  std::int64_t version = 0;
  std::int64_t lease = 0;  // 0: no lease
  bool operator==(const KeyValue&) const = default;
};

struct WatchEvent {
  enum class Type { Put, Delete };
  Type type = Type::Put;
  KeyValue kv;  // a Delete carries the key and its modRevision (the deletion's revision)
  std::optional<KeyValue> previous;  // the key before this event, when etcd still had it
  bool operator==(const WatchEvent&) const = default;
};

struct LeaseGrant {
  std::int64_t id = 0;
  std::int64_t ttl = 0;  // seconds, as granted (etcd raises a TTL below its minimum)
};

struct RangeResult {
  std::vector<KeyValue> kvs;  // sorted by key
  std::int64_t revision = 0;  // the store's revision when read
};

struct CreateResult {
  bool succeeded = false;          // the key was absent and now holds our value
  std::optional<KeyValue> holder;  // when not succeeded: the key as it is
  // Not succeeded with no holder: the Unchanged guard failed; the highest mod revision
  // under its prefix (a view that has seen it has seen what the guard missed).
  std::int64_t newest = 0;
  std::int64_t revision = 0;
};

// A guard on a transaction: no key under `prefix` was written (put) after `revision`.
// A decision taken on those keys as read at `revision` still holds when it passes.
struct Unchanged {
  std::string prefix;
  std::int64_t revision = 0;
};

struct DeleteResult {
  bool deleted = false;       // deleteIfCreateRevision: the compare held and the key went
  std::int64_t count = 0;     // keys deleted
  std::int64_t revision = 0;
};

struct EtcdStatus {
  std::uint64_t leader = 0;    // raft leader's member id; 0 = none known to this member
  std::uint64_t memberId = 0;  // the member that answered
  std::int64_t revision = 0;
  std::string version;         // etcd's version, e.g. "3.4.23"
};

// One line of a watch stream.
struct WatchResponse {
  bool created = false;   // the first line: the watch is in place
  bool canceled = false;  // etcd ended the watch (cancelReason; compactRevision when compacted)
  std::string cancelReason;
  std::int64_t compactRevision = 0;
  std::int64_t revision = 0;  // header revision: the store's when sent (history may still follow)
  std::vector<WatchEvent> events;
};

// --- errors ---------------------------------------------------------------------------
// Errors about a lease that no longer exists (expired, revoked, never granted) start
// with this text, so that "the lease is lost" can be told from "etcd is unreachable".
inline constexpr std::string_view kLeaseNotFound = "lease not found";
bool isLeaseNotFound(std::string_view errorMessage);

// Whether an answer says "this member cannot serve now, ask another": HTTP 5xx, or
// gRPC code 14 (Unavailable: "etcdserver: no leader", "request timed out"), which a
// stream (keepalive) reports in an HTTP 200 body.
bool isUnavailable(int httpStatus, std::string_view body);

// --- bytes ----------------------------------------------------------------------------
// The smallest key above every key starting with `prefix` (etcd's range_end for a
// prefix): "a/" -> "a0". "\0" for an empty prefix or one of only 0xff bytes (= no end).
std::string prefixEnd(std::string_view prefix);

// --- request bodies (POST to the path named) ----------------------------------------
std::string grantLeaseBody(std::int64_t ttlSeconds);  // /v3/lease/grant
std::string leaseIdBody(std::int64_t leaseId);         // /v3/lease/keepalive, /v3/lease/revoke
std::string putBody(std::string_view key, std::string_view value, std::int64_t lease);  // /v3/kv/put
std::string rangeBody(std::string_view key);                 // /v3/kv/range
std::string rangePrefixBody(std::string_view prefix);        // /v3/kv/range
std::string deleteBody(std::string_view key);                // /v3/kv/deleterange
// /v3/kv/txn: put `key` under `lease` only if it does not exist (and `unchanged` holds);
// else read it (and the keys under the guard's prefix, without values).
std::string createIfAbsentBody(std::string_view key, std::string_view value, std::int64_t lease,
                               const std::optional<Unchanged>& unchanged = std::nullopt);
// /v3/kv/txn: delete `key` only while it is the incarnation created at `createRevision`.
std::string deleteIfCreateRevisionBody(std::string_view key, std::int64_t createRevision);
std::string statusBody();  // /v3/maintenance/status
// /v3/watch: every key under `prefix`, from `startRevision` (0 = from now), with previous values.
std::string watchPrefixBody(std::string_view prefix, std::int64_t startRevision);

// --- response readers -------------------------------------------------------------------
common::Result<LeaseGrant> readLeaseGrant(int httpStatus, std::string_view body);
// The remaining TTL; a lost lease (etcd answers without a TTL) is a kLeaseNotFound error.
common::Result<std::int64_t> readKeepAlive(int httpStatus, std::string_view body);
common::Result<void> readRevoke(int httpStatus, std::string_view body);
common::Result<std::int64_t> readPut(int httpStatus, std::string_view body);  // the new revision
common::Result<RangeResult> readRange(int httpStatus, std::string_view body);
common::Result<CreateResult> readCreateIfAbsent(int httpStatus, std::string_view body);
common::Result<DeleteResult> readDeleteIfCreateRevision(int httpStatus, std::string_view body);
common::Result<DeleteResult> readDelete(int httpStatus, std::string_view body);
common::Result<EtcdStatus> readStatus(int httpStatus, std::string_view body);
// One line of the watch stream (without its newline).
common::Result<WatchResponse> readWatchLine(std::string_view line);

// Splits a stream of newline-delimited JSON (a watch) into lines as bytes arrive.
// A line longer than maxLine is an error (the stream is not etcd's, or is broken).
class JsonLines {
 public:
  explicit JsonLines(std::size_t maxLine = 64 * 1024 * 1024) : maxLine_(maxLine) {}
  // The complete, non-empty lines `bytes` finished (without their '\n').
  common::Result<std::vector<std::string>> feed(std::string_view bytes);

 private:
  std::size_t maxLine_;
  std::string pending_;
};

}  // namespace cluster
