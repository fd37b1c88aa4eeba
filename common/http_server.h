#pragma once
// HttpServer: the daemon's HTTP/1.1 endpoint ([unix_http_server] or
// [inet_http_server]) on Boost.Beast, running on the daemon's one io_context.
//
// Entirely driven by that io_context: no threads. Every callback (the handler,
// a stream's close callback) runs on it, and responders and streams REQUIRE to
// be used on it too. Many clients are served at once; a handler may answer
// later (startProcess with wait=true answers seconds later) or stream
// (/logtail). Close or destroy the server before its io_context.

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace boost::asio {
class io_context;
}

namespace common {

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: "/RPC2", "/logtail/cat/stdout"
  int version = 11;    // 10 for HTTP/1.0, 11 for HTTP/1.1
  std::vector<HttpHeader> headers;
  std::string body;
  std::string username;  // the authenticated user; empty when the server has no auth
  std::uint64_t connection = 0;  // serial number of the client's connection (1, 2, ...), for log lines

  // The first header named `name` (case-insensitive), or "" when absent.
  std::string_view header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<HttpHeader> headers;  // Content-Length is computed; "Connection: close" closes
  std::string body;

  static HttpResponse text(int status, std::string body, std::string contentType = "text/plain");
  // Supervisor's (medusa's) HTML error page: "Error code 404. Message: Not Found."
  static HttpResponse error(int status);
};

namespace http_detail {
class Exchange;
}

// A streamed response body, written as it becomes available (chunked for
// HTTP/1.1, until the connection closes for HTTP/1.0). The connection closes
// after finish(). Copies share one stream; all of them may outlive the client.
class HttpStream {
 public:
  HttpStream() = default;  // a stream that is already closed

  // Queues `data` (empty data is ignored). Does nothing once closed.
  void write(std::string data);
  // Ends the body after the queued data, then closes the connection.
  void finish();
  // False once the client went away, a write failed or timed out, or the
  // stream finished.
  bool open() const;
  // Bytes queued but not yet sent: a producer may wait while this is large.
  std::size_t pendingBytes() const;
  // Called once, on the loop, when the stream closes for any reason (at once if
  // it already has). Replaces an earlier callback.
  void onClose(std::function<void()> callback);

 private:
  friend class HttpResponder;
  explicit HttpStream(std::shared_ptr<http_detail::Exchange> exchange) : exchange_(std::move(exchange)) {}
  std::shared_ptr<http_detail::Exchange> exchange_;
};

// How a handler answers one request: respond() once, or stream() once. Copies
// share one answer. If every copy is dropped unanswered, the client gets 500.
// Calls after the client went away, or after the answer, do nothing.
class HttpResponder {
 public:
  explicit HttpResponder(std::shared_ptr<http_detail::Exchange> exchange) : exchange_(std::move(exchange)) {}

  void respond(HttpResponse response);
  // Sends the status line and headers now; the body follows through the stream.
  HttpStream stream(int status, std::vector<HttpHeader> headers);
  // False once the client closed the connection (as far as the server noticed).
  bool clientConnected() const;

 private:
  std::shared_ptr<http_detail::Exchange> exchange_;
};

using HttpHandler = std::function<void(HttpRequest request, HttpResponder responder)>;

struct HttpServerOptions {
  // Larger request bodies get 413 and the connection closes.
  std::size_t bodyLimit = 2 << 20;
  // A request (headers and body), once its first byte arrived, must be complete
  // within this; a connection's first request within this of the connection
  // (a client trickling a byte every few seconds, or sending nothing, is cut
  // off all the same); a response write must finish within it too. Else: close.
  std::chrono::milliseconds requestTimeout = std::chrono::seconds(30);
  // An idle keep-alive connection is closed after this (Supervisor's medusa:
  // 30 minutes). Zero: never.
  std::chrono::milliseconds idleTimeout = std::chrono::minutes(30);
  // Connections open at once. One more closes the connection that has waited
  // longest for its client to complete a request (so stalled clients cannot
  // lock out one that sends its request); when every connection is busy with a
  // request, the new one is answered "503 Service Unavailable" and closed at once
  // (told, not queued). Logged once each time the limit is reached.
  std::size_t connectionLimit = 128;
  // Basic auth when username is set. password is plain, or "{SHA}" followed by
  // the lowercase hex SHA-1 of the password (Supervisor's http.py).
  std::string username;
  std::string password;
  // Messages about failures no client sees (a handler threw, accept failed).
  std::function<void(const std::string&)> log;
};

struct UnixSocketAddress {
  std::string path;
  mode_t mode = 0700;  // Supervisor's `chmod` default
  std::optional<uid_t> owner;  // `chown`; unset: keep the daemon's user
  std::optional<gid_t> group;
};

struct TcpAddress {
  std::string host;  // "" or "*": all IPv4 interfaces, as Supervisor
  unsigned short port = 0;  // 0: any free port (see HttpServer::port())
};

class HttpServer {
 public:
  // Creates the socket file with `mode` from the start (the process umask is
  // set around bind(), so call it from the daemon's one thread), gives it its
  // owner and group, and only then listens: no client can connect before the
  // file has its final mode and owner. chmod/chown never follow a link put in
  // the socket's place. Removes a stale socket file first; fails if another
  // server answers on it or the path exists and is not a socket.
  static Result<std::unique_ptr<HttpServer>> listenUnix(boost::asio::io_context& loop, const UnixSocketAddress& address,
                                                        HttpServerOptions options, HttpHandler handler);
  static Result<std::unique_ptr<HttpServer>> listenTcp(boost::asio::io_context& loop, const TcpAddress& address,
                                                       HttpServerOptions options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Stops accepting, closes every connection, removes the socket file (if it
  // is still ours). Idempotent; the destructor calls it.
  void close();
  // "unix:///path" or "http://host:port", for log lines.
  const std::string& description() const;
  // The bound TCP port (useful with port 0); 0 for a unix socket.
  unsigned short port() const;

  class Listener;

 private:
  explicit HttpServer(std::shared_ptr<Listener> listener);
  std::shared_ptr<Listener> listener_;
};

// Whether an Authorization header value grants access to username/password
// (password plain or "{SHA}<hex sha1>"). Comparisons take constant time.
bool basicAuthorizationMatches(std::string_view authorization, std::string_view username, std::string_view password);

}  // namespace common
