// The etcd JSON gateway codec: bodies as etcd 3.4.23 sends them (recorded with curl),
// proto3 JSON's absent defaults, and garbage that must become an
// error, never an exception or a crash.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "supervisord/cluster/etcd_json.h"

using namespace cluster;
using nlohmann::json;

namespace {

const std::string kHeader =
    R"("header":{"cluster_id":"3397744812459331135","member_id":"2657891847502279730","revision":"5","raft_term":"2"})";

}  // namespace

TEST_CASE("etcd json: a prefix's range end is the next key after every key with the prefix") {
  CHECK(prefixEnd("/sup/") == "/sup0");
  CHECK(prefixEnd("a") == "b");
  CHECK(prefixEnd(std::string("a\xff", 2)) == "b");
  CHECK(prefixEnd("") == std::string(1, '\0'));
  CHECK(prefixEnd("\xff\xff") == std::string(1, '\0'));
}

TEST_CASE("etcd json: request bodies are what the gateway takes (base64 keys, int64 as strings)") {
  CHECK(json::parse(grantLeaseBody(3)) == json{{"TTL", 3}});
  CHECK(json::parse(leaseIdBody(3761246772350750727)) == json{{"ID", "3761246772350750727"}});
  CHECK(json::parse(putBody("/a/b", std::string("\0\xff", 2), 7)) ==
        json{{"key", "L2EvYg=="}, {"value", "AP8="}, {"lease", "7"}});
  CHECK(json::parse(putBody("/a/b", "", 0)) == json{{"key", "L2EvYg=="}, {"value", ""}});
  CHECK(json::parse(rangePrefixBody("/a/")) == json{{"key", "L2Ev"}, {"range_end", "L2Ew"}});
  CHECK(json::parse(watchPrefixBody("/a/", 6)) ==
        json{{"create_request", {{"key", "L2Ev"}, {"range_end", "L2Ew"}, {"prev_kv", true}, {"start_revision", "6"}}}});
  CHECK(json::parse(watchPrefixBody("/a/", 0))["create_request"].count("start_revision") == 0);
  const json create = json::parse(createIfAbsentBody("/a/c", "n1", 7));
  CHECK(create["compare"] == json::parse(R"([{"target":"CREATE","result":"EQUAL","key":"L2EvYw==","create_revision":"0"}])"));
  CHECK(create["success"] == json::parse(R"([{"request_put":{"key":"L2EvYw==","value":"bjE=","lease":"7"}}])"));
  CHECK(create["failure"] == json::parse(R"([{"request_range":{"key":"L2EvYw=="}}])"));
  const json guarded = json::parse(createIfAbsentBody("/a/c", "n1", 7, Unchanged{"/a/", 41}));
  CHECK(guarded["compare"][1] ==
        json::parse(R"({"target":"MOD","result":"LESS","key":"L2Ev","range_end":"L2Ew","mod_revision":"42"})"));
  CHECK(guarded["failure"][1] == json::parse(R"({"request_range":{"key":"L2Ev","range_end":"L2Ew","keys_only":true}})"));
  const json remove = json::parse(deleteIfCreateRevisionBody("/a/c", 3));
  CHECK(remove["compare"][0]["create_revision"] == "3");
  CHECK(remove["success"] == json::parse(R"([{"request_delete_range":{"key":"L2EvYw=="}}])"));
}

TEST_CASE("etcd json: a lease grant gives the ID and TTL, both sent as strings") {
  auto grant = readLeaseGrant(200, "{" + kHeader + R"(,"ID":"3761246772350750725","TTL":"5"})");
  REQUIRE(grant);
  CHECK(grant->id == 3761246772350750725);
  CHECK(grant->ttl == 5);
  CHECK_FALSE(readLeaseGrant(200, "{" + kHeader + "}"));
}

TEST_CASE("etcd json: a keepalive answers the TTL; one without a TTL means the lease is lost") {
  auto renewed = readKeepAlive(
      200, "{\"result\":{" + kHeader + R"(,"ID":"3761246772350750727","TTL":"5"}})" + "\n");
  REQUIRE(renewed);
  CHECK(*renewed == 5);

  auto lost = readKeepAlive(200, "{\"result\":{" + kHeader + R"(,"ID":"3761246772350750727"}})" + "\n");
  REQUIRE_FALSE(lost);
  CHECK(isLeaseNotFound(lost.error()));
  CHECK(lost.error() == "lease not found: etcd lease 3761246772350750727 has expired or was revoked");

  auto empty = readKeepAlive(200, "");
  REQUIRE_FALSE(empty);
  CHECK_FALSE(isLeaseNotFound(empty.error()));
}

TEST_CASE("etcd json: etcd's 404 'requested lease not found' is a lost lease, other errors are not") {
  const std::string notFound =
      R"({"error":"etcdserver: requested lease not found","message":"etcdserver: requested lease not found","code":5})";
  auto revoke = readRevoke(404, notFound);
  REQUIRE_FALSE(revoke);
  CHECK(isLeaseNotFound(revoke.error()));
  CHECK(revoke.error() == "lease not found: etcdserver: requested lease not found");
  auto put = readPut(404, notFound);
  REQUIRE_FALSE(put);
  CHECK(isLeaseNotFound(put.error()));

  auto bad = readPut(400, R"({"error":"unexpected EOF","message":"unexpected EOF","code":3})");
  REQUIRE_FALSE(bad);
  CHECK(bad.error() == "etcd refused the request: unexpected EOF (code 3, HTTP 400)");
  CHECK_FALSE(isLeaseNotFound(bad.error()));

  auto notEtcd = readPut(404, "Not Found\n");
  REQUIRE_FALSE(notEtcd);
  CHECK(notEtcd.error() == "etcd answered HTTP 404: Not Found");
}

TEST_CASE("etcd json: 5xx and gRPC Unavailable (code 14) send the client to another member") {
  CHECK(isUnavailable(503, R"({"error":"etcdserver: no leader","message":"etcdserver: no leader","code":14})"));
  CHECK(isUnavailable(500, "oops"));
  CHECK(isUnavailable(
      200, R"({"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable"}})"
           "\n"));
  CHECK_FALSE(isUnavailable(404, R"({"error":"etcdserver: requested lease not found","code":5})"));
  CHECK_FALSE(isUnavailable(200, "{\"result\":{" + kHeader + R"(,"ID":"1","TTL":"5"}})" + "\n"));
  CHECK_FALSE(isUnavailable(200, ""));
}

TEST_CASE("etcd json: put answers the new revision; range reads kvs with binary values") {
  auto put = readPut(200, "{" + kHeader + "}");
  REQUIRE(put);
  CHECK(*put == 5);

  auto range = readRange(200, "{" + kHeader +
                                  R"(,"kvs":[{"key":"L2EvYg==","create_revision":"2","mod_revision":"2","version":"1",)"
                                  R"("value":"AP8=","lease":"3761246772350750727"}],"count":"1"})");
  REQUIRE(range);
  CHECK(range->revision == 5);
  REQUIRE(range->kvs.size() == 1);
  CHECK(range->kvs[0] == KeyValue{"/a/b", std::string("\0\xff", 2), 2, 2, 1, 3761246772350750727});

  auto none = readRange(200, "{" + kHeader + "}");  // no "kvs", no "count": nothing found
  REQUIRE(none);
  CHECK(none->kvs.empty());
}

TEST_CASE("etcd json: createIfAbsent won, or lost (no \"succeeded\" field) with the holder") {
  auto won = readCreateIfAbsent(
      200, "{" + kHeader + R"(,"succeeded":true,"responses":[{"response_put":{"header":{"revision":"3"}}}]})");
  REQUIRE(won);
  CHECK(won->succeeded);
  CHECK_FALSE(won->holder);

  auto lost = readCreateIfAbsent(
      200, "{" + kHeader +
               R"(,"responses":[{"response_range":{"header":{"revision":"3"},"kvs":[{"key":"L2EvYw==","create_revision":"3",)"
               R"("mod_revision":"3","version":"1","value":"bjE=","lease":"3761246772350750727"}],"count":"1"}}]})");
  REQUIRE(lost);
  CHECK_FALSE(lost->succeeded);
  REQUIRE(lost->holder);
  CHECK(lost->holder->value == "n1");
  CHECK(lost->holder->createRevision == 3);
  CHECK(lost->holder->lease == 3761246772350750727);
  CHECK(lost->newest == 0);

  // Refused by an Unchanged guard: no holder, the newest mod revision under its prefix.
  auto stale = readCreateIfAbsent(
      200, "{" + kHeader +
               R"(,"responses":[{"response_range":{"header":{"revision":"9"}}},)"
               R"({"response_range":{"header":{"revision":"9"},"kvs":[{"key":"L2Ev","create_revision":"2",)"
               R"("mod_revision":"8","version":"3"},{"key":"L2Ew","create_revision":"4","mod_revision":"6","version":"1"}],)"
               R"("count":"2"}}]})");
  REQUIRE(stale);
  CHECK_FALSE(stale->succeeded);
  CHECK_FALSE(stale->holder);
  CHECK(stale->newest == 8);
}

TEST_CASE("etcd json: compare-and-delete tells deleted from refused; deleterange counts") {
  auto refused = readDeleteIfCreateRevision(200, "{" + kHeader + "}");
  REQUIRE(refused);
  CHECK_FALSE(refused->deleted);
  auto deleted = readDeleteIfCreateRevision(
      200, "{" + kHeader + R"(,"succeeded":true,"responses":[{"response_delete_range":{"header":{"revision":"4"},"deleted":"1"}}]})");
  REQUIRE(deleted);
  CHECK(deleted->deleted);
  CHECK(deleted->count == 1);

  auto plain = readDelete(200, "{" + kHeader + R"(,"deleted":"1"})");
  REQUIRE(plain);
  CHECK(plain->count == 1);
  CHECK(plain->revision == 5);
  CHECK_FALSE(readDelete(200, "{" + kHeader + "}")->deleted);
}

TEST_CASE("etcd json: status names the raft leader and the answering member") {
  auto status = readStatus(200, "{" + kHeader +
                                    R"(,"version":"3.4.23","dbSize":"20480","leader":"2657891847502279730",)"
                                    R"("raftIndex":"15","raftTerm":"2","raftAppliedIndex":"15","dbSizeInUse":"16384"})");
  REQUIRE(status);
  CHECK(status->leader == 2657891847502279730u);
  CHECK(status->memberId == 2657891847502279730u);
  CHECK(status->revision == 5);
  CHECK(status->version == "3.4.23");
}

TEST_CASE("etcd json: watch lines: created, a PUT without \"type\", a DELETE with its previous value, canceled") {
  auto created = readWatchLine("{\"result\":{" + kHeader + ",\"created\":true}}");
  REQUIRE(created);
  CHECK(created->created);
  CHECK(created->events.empty());

  auto events = readWatchLine(
      "{\"result\":{" + kHeader +
      R"(,"events":[{"kv":{"key":"L2EvYw==","create_revision":"3","mod_revision":"3","version":"1","value":"bjE=",)"
      R"("lease":"3761246772350750727"}},{"type":"DELETE","kv":{"key":"L2EvYw==","mod_revision":"4"},)"
      R"("prev_kv":{"key":"L2EvYw==","create_revision":"3","mod_revision":"3","version":"1","value":"bjE=",)"
      R"("lease":"3761246772350750727"}}]}})");
  REQUIRE(events);
  CHECK(events->revision == 5);
  REQUIRE(events->events.size() == 2);
  CHECK(events->events[0].type == WatchEvent::Type::Put);
  CHECK(events->events[0].kv.value == "n1");
  CHECK_FALSE(events->events[0].previous);
  CHECK(events->events[1].type == WatchEvent::Type::Delete);
  CHECK(events->events[1].kv.key == "/a/c");
  CHECK(events->events[1].kv.modRevision == 4);
  REQUIRE(events->events[1].previous);
  CHECK(events->events[1].previous->value == "n1");

  auto canceled = readWatchLine(
      R"({"result":{"header":{"revision":"9"},"canceled":true,"compact_revision":"7","cancel_reason":"mvcc: required revision has been compacted"}})");
  REQUIRE(canceled);
  CHECK(canceled->canceled);
  CHECK(canceled->compactRevision == 7);
  CHECK(canceled->cancelReason == "mvcc: required revision has been compacted");

  auto streamError = readWatchLine(
      R"({"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable"}})");
  REQUIRE_FALSE(streamError);
  CHECK(streamError.error() == "etcd refused the request: etcdserver: no leader (code 14)");

  CHECK_FALSE(readWatchLine(R"({"result":{"events":[{"type":"SQUASH","kv":{}}]}})"));
}

TEST_CASE("etcd json: garbage is an error naming what is wrong, never an exception") {
  CHECK(readPut(200, "").error().rfind("malformed etcd response: not JSON", 0) == 0);
  CHECK(readPut(200, "[1]").error().rfind("malformed etcd response: not a JSON object", 0) == 0);
  CHECK(readRange(200, R"({"kvs":[{"key":"***"}]})").error() == "malformed etcd response: \"key\": invalid base64: ***");
  CHECK(readRange(200, R"({"kvs":{}})").error() == "malformed etcd response: \"kvs\" is not an array");
  CHECK(readRange(200, R"({"kvs":[7]})").error().rfind("malformed etcd response: expected an object", 0) == 0);
  CHECK(readPut(200, R"({"header":{"revision":"12x"}})").error() ==
        "malformed etcd response: \"revision\" is not a 64-bit integer: \"12x\"");
  CHECK(readPut(200, R"({"header":{"revision":"99999999999999999999"}})").error().find("not a 64-bit integer") !=
        std::string::npos);
  CHECK(*readPut(200, R"({"header":{"revision":12}})") == 12);  // numbers are fine too
  CHECK_FALSE(readPut(200, R"({"header":{"revision":1.5}})"));
  CHECK_FALSE(readCreateIfAbsent(200, R"({"succeeded":"yes"})"));
  CHECK_FALSE(readKeepAlive(200, "{\"result\":7}\n"));
  CHECK_FALSE(readWatchLine(std::string("{\"result\":\xff}")));
  CHECK_FALSE(readStatus(200, R"({"leader":-1})"));
  const std::string deep(100000, '[');
  CHECK_FALSE(readRange(200, deep));
}

TEST_CASE("etcd json: stream lines are split as bytes arrive, whatever the pieces") {
  JsonLines lines;
  auto first = lines.feed("{\"a\":1}\n{\"b\"");
  REQUIRE(first);
  CHECK(*first == std::vector<std::string>{"{\"a\":1}"});
  auto second = lines.feed(":2}\r\n\n{\"c\":3}\n");
  REQUIRE(second);
  CHECK(*second == std::vector<std::string>{"{\"b\":2}", "{\"c\":3}"});

  JsonLines small(8);
  CHECK(small.feed("12345678\n"));
  auto tooLong = small.feed("1234");
  REQUIRE(tooLong);
  CHECK_FALSE(small.feed("56789"));
}
