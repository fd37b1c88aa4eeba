#include "common/http_client.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <limits>

#include "common/base64.h"

namespace common {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Protocol = asio::generic::stream_protocol;
using Stream = beast::basic_stream<Protocol>;
using ErrorCode = boost::system::error_code;

namespace {

// A memory guard only: our server's XML-RPC answers stay under 16 MiB.
constexpr std::uint64_t kResponseBodyLimit = 64 << 20;
// What a non-200 answer to get() may carry back.
constexpr std::size_t kErrorBodyLimit = 1 << 20;
constexpr auto kUserAgent = "supervisor-ha";

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string seconds(std::chrono::milliseconds duration) {
  const auto count = duration.count();
  if (count % 1000 == 0) return std::to_string(count / 1000) + " s";
  return std::to_string(count) + " ms";
}

// A connection the server closed while it sat idle in keep-alive: the request
// never reached a reader, so sending it again on a new connection is safe.
bool closedWhileIdle(ErrorCode error) {
  return error == http::error::end_of_stream || error == asio::error::eof || error == asio::error::connection_reset ||
         error == asio::error::broken_pipe;
}

}  // namespace

std::string_view HttpClientResponse::header(std::string_view name) const {
  for (const HttpHeader& entry : headers) {
    if (equalsIgnoringCase(entry.name, name)) return entry.value;
  }
  return {};
}

// One connected socket with its own io_context, run only while a call waits.
class HttpClient::Connection {
 public:
  Connection() : stream_(io_) {}

  // Starts an operation with `start(handler)` and runs the loop until it
  // completes (a timeout set on the stream completes it with error::timeout).
  template <typename Start>
  ErrorCode run(Start start) {
    ErrorCode result;
    bool done = false;
    start([&](ErrorCode error, auto&&...) {
      result = error;
      done = true;
    });
    io_.restart();
    while (!done && io_.run_one() > 0) {
    }
    return result;
  }

  void setTimeout(std::chrono::milliseconds timeout) {
    if (timeout.count() > 0) {
      stream_.expires_after(timeout);
    } else {
      stream_.expires_never();
    }
  }

  asio::io_context io_;
  Stream stream_;
  beast::flat_buffer buffer_;
};

HttpClient::HttpClient(ServerUrl server, HttpClientOptions options)
    : server_(std::move(server)), options_(std::move(options)) {}

HttpClient::~HttpClient() = default;

void HttpClient::close() {
  if (!connection_) return;
  ErrorCode ignored;
  connection_->stream_.socket().shutdown(Protocol::socket::shutdown_both, ignored);
  connection_->stream_.socket().close(ignored);
  connection_.reset();
}

namespace {

struct Target {
  std::vector<Protocol::endpoint> endpoints;
  std::string failure;  // why there are none
};

Target endpointsOf(const ServerUrl& server) {
  Target target;
  if (server.scheme == ServerUrl::Scheme::unixSocket) {
    if (server.socketPath.size() >= sizeof(sockaddr_un::sun_path)) {
      target.failure = "socket path is longer than " + std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes";
      return target;
    }
    target.endpoints.emplace_back(asio::local::stream_protocol::endpoint(server.socketPath));
    return target;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const int lookup = ::getaddrinfo(server.host.c_str(), std::to_string(server.port).c_str(), &hints, &found);
  if (lookup != 0) {
    target.failure = ::gai_strerror(lookup);
    return target;
  }
  for (const addrinfo* entry = found; entry != nullptr; entry = entry->ai_next) {
    target.endpoints.emplace_back(entry->ai_addr, entry->ai_addrlen, entry->ai_protocol);
  }
  ::freeaddrinfo(found);
  return target;
}

// Connects to the first endpoint that answers; sets `*lastErrno` on failure.
Result<std::unique_ptr<HttpClient::Connection>> connectTo(const ServerUrl& server, std::chrono::milliseconds timeout,
                                                          int* lastErrno) {
  const std::string prefix = "could not connect to " + server.text + ": ";
  Target target = endpointsOf(server);
  if (target.endpoints.empty()) return makeError(prefix + target.failure);
  ErrorCode failure;
  for (const Protocol::endpoint& endpoint : target.endpoints) {
    auto connection = std::make_unique<HttpClient::Connection>();
    // Our own socket() so that it is close-on-exec from the start.
    const int fd = ::socket(endpoint.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      failure = ErrorCode(errno, boost::system::system_category());
      continue;
    }
    ErrorCode assignError;
    connection->stream_.socket().assign(Protocol(endpoint.protocol().family(), 0), fd, assignError);
    if (assignError) {
      ::close(fd);
      failure = assignError;
      continue;
    }
    connection->setTimeout(timeout);
    failure = connection->run([&](auto handler) { connection->stream_.async_connect(endpoint, std::move(handler)); });
    if (!failure) return connection;
  }
  if (failure == beast::error::timeout) {
    *lastErrno = ETIMEDOUT;
    return makeError(prefix + "timed out after " + seconds(timeout));
  }
  if (failure.category() == boost::system::system_category()) *lastErrno = failure.value();
  return makeError(prefix + failure.message());
}

template <typename Message>
void addCommonHeaders(Message& request, const ServerUrl& server, const HttpClientOptions& options) {
  if (server.scheme == ServerUrl::Scheme::unixSocket) {
    request.set(http::field::host, "localhost");
  } else {
    const std::string host = server.host.find(':') != std::string::npos ? "[" + server.host + "]" : server.host;
    request.set(http::field::host, server.port == 80 ? host : host + ":" + std::to_string(server.port));
  }
  request.set(http::field::user_agent, kUserAgent);
  if (!options.username.empty()) {
    request.set(http::field::authorization, "Basic " + base64Encode(options.username + ":" + options.password));
  }
  request.keep_alive(true);
}

template <typename Fields>
void copyHeader(HttpClientResponse& response, const http::response_header<Fields>& header) {
  response.status = static_cast<int>(header.result_int());
  response.reason = std::string(header.reason());
  for (const auto& field : header) {
    response.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
}

}  // namespace

// What a failed request means to the user; remembers the errno for lastErrno().
common::Error HttpClient::requestFailure(const boost::system::error_code& error) {
  if (error == beast::error::timeout) {
    lastErrno_ = ETIMEDOUT;
    return makeError("no answer from " + server_.text + " within " + seconds(options_.responseTimeout));
  }
  if (error.category() == boost::system::system_category()) lastErrno_ = error.value();
  return makeError("lost the connection to " + server_.text + ": " + error.message());
}

Result<HttpClientResponse> HttpClient::post(std::string_view target, std::string body, std::string_view contentType) {
  lastErrno_ = 0;
  for (int attempt = 0;; ++attempt) {
    const bool reused = connection_ != nullptr;
    if (!connection_) {
      auto connected = connectTo(server_, options_.connectTimeout, &lastErrno_);
      if (!connected) return connected.takeError();
      connection_ = std::move(connected.value());
    }
    Connection& connection = *connection_;
    http::request<http::string_body> request{http::verb::post, beast::string_view(target.data(), target.size()), 11};
    addCommonHeaders(request, server_, options_);
    request.set(http::field::content_type, beast::string_view(contentType.data(), contentType.size()));
    request.set(http::field::accept, "text/xml");
    request.body() = body;
    request.prepare_payload();

    connection.setTimeout(options_.responseTimeout);
    ErrorCode error = connection.run([&](auto handler) {
      http::async_write(connection.stream_, request, std::move(handler));
    });
    http::response_parser<http::string_body> parser;
    parser.body_limit(kResponseBodyLimit);
    if (!error) {
      error = connection.run([&](auto handler) {
        http::async_read(connection.stream_, connection.buffer_, parser, std::move(handler));
      });
    }
    if (error) {
      close();
      if (reused && attempt == 0 && closedWhileIdle(error)) continue;
      return requestFailure(error);
    }
    HttpClientResponse response;
    copyHeader(response, parser.get().base());
    response.body = std::move(parser.get().body());
    if (!parser.get().keep_alive()) close();
    return response;
  }
}

Result<HttpClientResponse> HttpClient::get(std::string_view target,
                                           const std::function<bool(std::string_view)>& onData) {
  lastErrno_ = 0;
  for (int attempt = 0;; ++attempt) {
    const bool reused = connection_ != nullptr;
    if (!connection_) {
      auto connected = connectTo(server_, options_.connectTimeout, &lastErrno_);
      if (!connected) return connected.takeError();
      connection_ = std::move(connected.value());
    }
    Connection& connection = *connection_;
    http::request<http::empty_body> request{http::verb::get, beast::string_view(target.data(), target.size()), 11};
    addCommonHeaders(request, server_, options_);
    request.set(http::field::accept, "*/*");

    connection.setTimeout(options_.responseTimeout);
    ErrorCode error = connection.run([&](auto handler) {
      http::async_write(connection.stream_, request, std::move(handler));
    });
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    if (!error) {
      error = connection.run([&](auto handler) {
        http::async_read_header(connection.stream_, connection.buffer_, parser, std::move(handler));
      });
    }
    if (error) {
      close();
      if (reused && attempt == 0 && closedWhileIdle(error)) continue;
      return requestFailure(error);
    }

    HttpClientResponse response;
    copyHeader(response, parser.get().base());
    const bool streamed = response.status == 200;
    std::array<char, 16 * 1024> piece;
    while (!parser.is_done()) {
      parser.get().body().data = piece.data();
      parser.get().body().size = piece.size();
      connection.stream_.expires_never();  // a tail -f body may pause for hours
      error = connection.run([&](auto handler) {
        http::async_read_some(connection.stream_, connection.buffer_, parser, std::move(handler));
      });
      if (error == http::error::need_buffer) error = {};
      if (error) {
        close();
        if (error.category() == boost::system::system_category()) lastErrno_ = error.value();
        return makeError("lost the connection to " + server_.text + ": " + error.message());
      }
      const std::size_t received = piece.size() - parser.get().body().size;
      if (received == 0) continue;
      const std::string_view data(piece.data(), received);
      if (streamed) {
        if (!onData(data)) {
          close();
          return response;
        }
      } else if (response.body.size() < kErrorBodyLimit) {
        response.body.append(data.substr(0, kErrorBodyLimit - response.body.size()));
      }
    }
    if (!parser.get().keep_alive()) close();
    return response;
  }
}

}  // namespace common
