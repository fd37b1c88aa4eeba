#include "common/server_url.h"

#include <catch2/catch.hpp>

using common::parseServerUrl;
using common::ServerUrl;

TEST_CASE("server url: unix:// names a socket file", "[server_url]") {
  auto url = parseServerUrl("unix:///var/run/supervisor.sock");
  REQUIRE(url.ok());
  CHECK(url->scheme == ServerUrl::Scheme::unixSocket);
  CHECK(url->socketPath == "/var/run/supervisor.sock");
  CHECK(url->text == "unix:///var/run/supervisor.sock");
}

TEST_CASE("server url: http:// has a host and a port, 80 by default", "[server_url]") {
  auto url = parseServerUrl("http://LocalHost:9001");
  REQUIRE(url.ok());
  CHECK(url->scheme == ServerUrl::Scheme::http);
  CHECK(url->host == "localhost");
  CHECK(url->port == 9001);
  CHECK(parseServerUrl("http://127.0.0.1")->port == 80);
  CHECK(parseServerUrl("http://127.0.0.1/RPC2")->host == "127.0.0.1");
  CHECK(parseServerUrl("http://user:pw@example.com:1/x?y#z")->host == "example.com");
  auto ipv6 = parseServerUrl("http://[::1]:9001");
  REQUIRE(ipv6.ok());
  CHECK(ipv6->host == "::1");
  CHECK(ipv6->port == 9001);
}

TEST_CASE("server url: other schemes and bad ports are errors", "[server_url]") {
  CHECK(parseServerUrl("ftp://x").error() == "Unknown protocol for serverurl ftp://x");
  CHECK(parseServerUrl("localhost:9001").error() == "Unknown protocol for serverurl localhost:9001");
  CHECK(parseServerUrl("http://h:abc").error() == "serverurl http://h:abc: port could not be cast to integer value as 'abc'");
  CHECK(parseServerUrl("http://h:70000").error() == "serverurl http://h:70000: port out of range 0-65535");
  CHECK(parseServerUrl("http://:9001").error() == "serverurl http://:9001 names no host");
  CHECK_FALSE(parseServerUrl("unix://").ok());
}
