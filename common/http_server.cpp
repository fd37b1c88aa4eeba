#include "common/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/sha1.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>

#include "common/base64.h"
#include "common/unique_fd.h"

namespace common {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Protocol = asio::generic::stream_protocol;
using Socket = Protocol::socket;
using Stream = beast::basic_stream<Protocol>;
using Acceptor = asio::basic_socket_acceptor<Protocol>;
using ErrorCode = boost::system::error_code;

namespace {

constexpr std::size_t kHeaderLimit = 16 * 1024;
// After an error answer to a request we did not read to its end, keep reading
// (and discarding) for a while so the client can finish sending and then see
// the answer instead of a connection reset.
constexpr auto kLingerTime = std::chrono::seconds(3);

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string_view toStd(beast::string_view text) { return std::string_view(text.data(), text.size()); }

// Takes time that depends on the lengths only, not on where the texts differ.
bool constantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  const std::size_t length = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < length; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    difference |= static_cast<unsigned char>(x ^ y);
  }
  return difference == 0;
}

std::string sha1Hex(std::string_view text) {
  beast::detail::sha1_context context;
  beast::detail::init(context);
  beast::detail::update(context, text.data(), text.size());
  unsigned char digest[beast::detail::sha1_context::digest_size];
  beast::detail::finish(context, digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : digest) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0xF];
  }
  return hex;
}

std::string systemError(int error) { return std::strerror(error); }

bool connectionCloseRequested(const std::vector<HttpHeader>& headers) {
  for (const HttpHeader& header : headers) {
    if (equalsIgnoringCase(header.name, "Connection") && equalsIgnoringCase(header.value, "close")) return true;
  }
  return false;
}

}  // namespace

std::string_view HttpRequest::header(std::string_view name) const {
  for (const HttpHeader& entry : headers) {
    if (equalsIgnoringCase(entry.name, name)) return entry.value;
  }
  return {};
}

HttpResponse HttpResponse::text(int status, std::string body, std::string contentType) {
  HttpResponse response;
  response.status = status;
  response.headers.push_back({"Content-Type", std::move(contentType)});
  response.body = std::move(body);
  return response;
}

HttpResponse HttpResponse::error(int status) {
  const std::string reason(http::obsolete_reason(static_cast<http::status>(status)));
  return text(status,
              "<head>\r\n<title>Error response</title>\r\n</head>\r\n<body>\r\n<h1>Error response</h1>\r\n"
              "<p>Error code " +
                  std::to_string(status) + ".\r\n<p>Message: " + reason + ".\r\n</body>\r\n",
              "text/html");
}

bool basicAuthorizationMatches(std::string_view authorization, std::string_view username, std::string_view password) {
  const auto space = authorization.find(' ');
  if (space == std::string_view::npos || !equalsIgnoringCase(authorization.substr(0, space), "basic")) return false;
  std::string_view cookie = authorization.substr(space + 1);
  while (!cookie.empty() && cookie.front() == ' ') cookie.remove_prefix(1);
  while (!cookie.empty() && cookie.back() == ' ') cookie.remove_suffix(1);
  auto credentials = base64Decode(cookie);
  if (!credentials) return false;
  const std::string& decoded = *credentials;
  const auto colon = decoded.find(':');
  if (colon == std::string::npos) return false;
  const std::string_view givenUser = std::string_view(decoded).substr(0, colon);
  const std::string_view givenPassword = std::string_view(decoded).substr(colon + 1);
  const bool userMatches = constantTimeEquals(givenUser, username);
  bool passwordMatches;
  if (password.substr(0, 5) == "{SHA}") {
    passwordMatches = constantTimeEquals(sha1Hex(givenPassword), password.substr(5));
  } else {
    passwordMatches = constantTimeEquals(givenPassword, password);
  }
  return userMatches && passwordMatches;
}

class Connection;

class HttpServer::Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& loop, int fd, Protocol protocol, HttpServerOptions options, HttpHandler handler)
      : loop_(loop), acceptor_(loop), pauseTimer_(loop), protocol_(protocol), options_(std::move(options)),
        handler_(std::move(handler)) {
    acceptor_.assign(protocol, fd);
  }

  void start() { acceptNext(); }
  void close();

  const HttpServerOptions& options() const { return options_; }
  const HttpHandler& handler() const { return handler_; }
  void log(const std::string& message) const {
    if (options_.log) options_.log(description_ + ": " + message);
  }
  void remember(Connection* connection, std::weak_ptr<Connection> handle) {
    connections_.emplace(connection, std::move(handle));
  }
  // Called when a connection closes (and again when it is destroyed).
  void forget(Connection* connection) { connections_.erase(connection); }
  std::uint64_t nextConnectionNumber() { return ++connectionsAccepted_; }

  std::string description_;
  unsigned short port_ = 0;
  // The socket file we created (removed on close only if it is still ours).
  std::string socketPath_;
  dev_t socketDevice_ = 0;
  ino_t socketInode_ = 0;

 private:
  void acceptNext();
  void acceptReady(ErrorCode error);
  bool makeRoom();
  void refuse(int fd);

  asio::io_context& loop_;
  Acceptor acceptor_;
  asio::steady_timer pauseTimer_;
  Protocol protocol_;
  HttpServerOptions options_;
  HttpHandler handler_;
  std::map<Connection*, std::weak_ptr<Connection>> connections_;
  std::uint64_t connectionsAccepted_ = 0;
  // At the connection limit since a connection was last accepted below it: logged
  // once when that began, not once per client.
  bool atLimit_ = false;
  bool closed_ = false;
};

// One client connection: reads a request, hands it to the handler, writes the
// answer (whole or streamed), and repeats while keep-alive holds.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<HttpServer::Listener> listener, Socket socket)
      : listener_(std::move(listener)), stream_(std::move(socket)), number_(listener_->nextConnectionNumber()),
        accepted_(std::chrono::steady_clock::now()) {}
  ~Connection() { listener_->forget(this); }

  void start() { awaitRequest(); }
  void close();

  // What an Exchange may do while this connection waits for its answer.
  void respond(HttpResponse response);
  void startStream(int status, std::vector<HttpHeader> headers);
  void writeStream(std::string data);
  void finishStream();
  bool open() const { return phase_ != Phase::closed; }
  bool streaming() const { return phase_ == Phase::streaming; }
  // Waiting for the client to complete a request (the first, or the next on a
  // keep-alive connection), or draining one we refused; not while a request is
  // handled or an answer is written or streamed.
  bool waitingForClient() const {
    return phase_ == Phase::idle || phase_ == Phase::reading || phase_ == Phase::lingering;
  }
  // Since when: the accept, or the end of the last answer.
  std::chrono::steady_clock::time_point waitingSince() const { return waitingSince_; }
  std::size_t pendingBytes() const { return queuedBytes_; }
  void onStreamClose(std::function<void()> callback);

 private:
  enum class Phase { idle, reading, handling, writing, streaming, lingering, closed };

  void awaitRequest();
  void readRequest();
  void headerRead(ErrorCode error);
  void readBody();
  void requestRead(ErrorCode error);
  bool failedRead(ErrorCode error);
  void dispatch();
  void writeResponse(std::unique_ptr<http::response<http::string_body>> response);
  void answerUnreadRequest(HttpResponse response);
  void linger();
  void pumpStream();
  void watchForHangup();
  void closeAfterSending();

  std::shared_ptr<HttpServer::Listener> listener_;
  Stream stream_;
  const std::uint64_t number_;
  const std::chrono::steady_clock::time_point accepted_;
  std::chrono::steady_clock::time_point waitingSince_ = accepted_;
  bool firstRequest_ = true;  // its deadline counts from accepted_
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Phase phase_ = Phase::idle;
  unsigned version_ = 11;
  bool keepAlive_ = false;
  std::unique_ptr<http::response<http::string_body>> response_;
  std::unique_ptr<http::response<http::empty_body>> continueResponse_;
  // Streaming state.
  std::unique_ptr<http::response<http::empty_body>> streamHead_;
  std::unique_ptr<http::response_serializer<http::empty_body>> streamSerializer_;
  bool chunked_ = false;
  bool writing_ = false;
  bool finishing_ = false;
  std::deque<std::string> queue_;
  std::size_t queuedBytes_ = 0;
  std::function<void()> onStreamClose_;
  std::array<char, 4096> discard_{};
};

namespace http_detail {

// One request and its answer; shared by the copies of its responder and stream.
class Exchange {
 public:
  explicit Exchange(std::shared_ptr<Connection> connection) : connection_(std::move(connection)) {}
  ~Exchange() {
    if (!answered_) connection_->respond(HttpResponse::error(500));
  }
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  void respond(HttpResponse response) {
    if (answered_) return;
    answered_ = true;
    connection_->respond(std::move(response));
  }
  bool startStream(int status, std::vector<HttpHeader> headers) {
    if (answered_) return false;
    answered_ = true;
    streaming_ = true;
    connection_->startStream(status, std::move(headers));
    return true;
  }
  Connection* stream() const { return streaming_ && connection_->streaming() ? connection_.get() : nullptr; }
  bool streamStarted() const { return streaming_; }
  Connection& connection() const { return *connection_; }

 private:
  std::shared_ptr<Connection> connection_;
  bool answered_ = false;
  bool streaming_ = false;
};

}  // namespace http_detail

// --- HttpResponder / HttpStream -------------------------------------------

void HttpResponder::respond(HttpResponse response) { exchange_->respond(std::move(response)); }

HttpStream HttpResponder::stream(int status, std::vector<HttpHeader> headers) {
  if (!exchange_->startStream(status, std::move(headers))) return HttpStream();
  return HttpStream(exchange_);
}

bool HttpResponder::clientConnected() const { return exchange_->connection().open(); }

void HttpStream::write(std::string data) {
  if (Connection* connection = exchange_ ? exchange_->stream() : nullptr) connection->writeStream(std::move(data));
}

void HttpStream::finish() {
  if (Connection* connection = exchange_ ? exchange_->stream() : nullptr) connection->finishStream();
}

bool HttpStream::open() const { return exchange_ && exchange_->stream() != nullptr; }

std::size_t HttpStream::pendingBytes() const {
  Connection* connection = exchange_ ? exchange_->stream() : nullptr;
  return connection ? connection->pendingBytes() : 0;
}

void HttpStream::onClose(std::function<void()> callback) {
  if (Connection* connection = exchange_ ? exchange_->stream() : nullptr) {
    connection->onStreamClose(std::move(callback));
  } else if (callback) {
    callback();
  }
}

// --- Connection --------------------------------------------------------------

void Connection::close() {
  if (phase_ == Phase::closed) return;
  phase_ = Phase::closed;
  listener_->forget(this);
  ErrorCode ignored;
  stream_.socket().shutdown(Socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
  queue_.clear();
  queuedBytes_ = 0;
  if (onStreamClose_) {
    auto callback = std::move(onStreamClose_);
    onStreamClose_ = nullptr;
    callback();
  }
}

void Connection::awaitRequest() {
  phase_ = Phase::idle;
  if (!firstRequest_) waitingSince_ = std::chrono::steady_clock::now();
  if (buffer_.size() > 0) return readRequest();  // the client already sent the next request
  const auto& options = listener_->options();
  const auto idle = options.idleTimeout;
  if (firstRequest_) {
    // A client that connects and sends nothing holds the connection no longer
    // than its first request may take.
    stream_.expires_at(accepted_ + (idle.count() > 0 ? std::min(idle, options.requestTimeout) : options.requestTimeout));
  } else if (idle.count() > 0) {
    stream_.expires_after(idle);
  } else {
    stream_.expires_never();
  }
  stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](ErrorCode error, std::size_t bytes) {
    if (self->phase_ == Phase::closed) return;
    if (error) return self->close();  // the client left, or stayed idle too long
    self->buffer_.commit(bytes);
    self->readRequest();
  });
}

void Connection::readRequest() {
  phase_ = Phase::reading;
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(listener_->options().bodyLimit);
  // One deadline for the whole request, however slowly its bytes trickle in
  // (basic_stream's expiry is a point in time, not a per-read timeout).
  if (firstRequest_) {
    stream_.expires_at(accepted_ + listener_->options().requestTimeout);
  } else {
    stream_.expires_after(listener_->options().requestTimeout);
  }
  http::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](ErrorCode error, std::size_t) {
    self->headerRead(error);
  });
}

// Handles a failed read; false when there was no failure.
bool Connection::failedRead(ErrorCode error) {
  if (!error) return false;
  if (phase_ == Phase::closed) return true;
  if (error == http::error::body_limit) {
    answerUnreadRequest(HttpResponse::error(413));
  } else if (error == http::error::header_limit) {
    answerUnreadRequest(HttpResponse::error(431));
  } else if (error == http::error::end_of_stream || error == http::error::partial_message ||
             error.category() != http::make_error_code(http::error::bad_method).category()) {
    close();  // the client left, timed out, or the socket failed
  } else {
    answerUnreadRequest(HttpResponse::error(400));
  }
  return true;
}

void Connection::headerRead(ErrorCode error) {
  if (failedRead(error)) return;
  const auto& options = listener_->options();
  const auto& message = parser_->get();
  if (!options.username.empty()) {
    if (!basicAuthorizationMatches(toStd(message[http::field::authorization]), options.username, options.password)) {
      version_ = message.version();
      HttpResponse denied = HttpResponse::error(401);
      denied.headers.push_back({"WWW-Authenticate", "Basic realm=\"default\""});
      return answerUnreadRequest(std::move(denied));
    }
  }
  if (parser_->is_done()) return requestRead({});
  if (equalsIgnoringCase(toStd(message[http::field::expect]), "100-continue")) {
    continueResponse_ = std::make_unique<http::response<http::empty_body>>(http::status::continue_, message.version());
    http::async_write(stream_, *continueResponse_, [self = shared_from_this()](ErrorCode error, std::size_t) {
      if (self->phase_ == Phase::closed) return;
      if (error) return self->close();
      self->readBody();
    });
    return;
  }
  readBody();
}

void Connection::readBody() {
  http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](ErrorCode error, std::size_t) {
    self->requestRead(error);
  });
}

void Connection::requestRead(ErrorCode error) {
  if (failedRead(error)) return;
  stream_.expires_never();
  dispatch();
}

void Connection::dispatch() {
  firstRequest_ = false;
  auto message = parser_->release();
  parser_.reset();
  version_ = message.version();
  keepAlive_ = message.keep_alive();
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  request.version = static_cast<int>(version_);
  for (const auto& field : message) {
    request.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  request.body = std::move(message.body());
  request.username = listener_->options().username;
  request.connection = number_;
  phase_ = Phase::handling;
  auto exchange = std::make_shared<http_detail::Exchange>(shared_from_this());
  try {
    listener_->handler()(std::move(request), HttpResponder(exchange));
  } catch (const std::exception& error) {
    // A bug in a handler must not take the daemon down with it.
    listener_->log(std::string("request handler failed: ") + error.what());
    exchange->respond(HttpResponse::error(500));
  }
}

void Connection::respond(HttpResponse answer) {
  if (phase_ != Phase::handling) return;
  auto response = std::make_unique<http::response<http::string_body>>();
  response->version(version_);
  response->result(static_cast<unsigned>(answer.status));
  for (HttpHeader& header : answer.headers) {
    if (equalsIgnoringCase(header.name, "Connection") || equalsIgnoringCase(header.name, "Content-Length")) continue;
    response->insert(header.name, header.value);
  }
  response->keep_alive(keepAlive_ && !connectionCloseRequested(answer.headers));
  response->body() = std::move(answer.body);
  response->prepare_payload();
  writeResponse(std::move(response));
}

void Connection::writeResponse(std::unique_ptr<http::response<http::string_body>> response) {
  phase_ = Phase::writing;
  response_ = std::move(response);
  stream_.expires_after(listener_->options().requestTimeout);
  http::async_write(stream_, *response_, [self = shared_from_this()](ErrorCode error, std::size_t) {
    if (self->phase_ == Phase::closed) return;
    if (error) return self->close();  // the client went away mid-response
    const bool keepAlive = self->response_->keep_alive();
    self->response_.reset();
    if (keepAlive) return self->awaitRequest();
    self->closeAfterSending();
  });
}

void Connection::closeAfterSending() {
  ErrorCode ignored;
  stream_.socket().shutdown(Socket::shutdown_send, ignored);
  close();
}

// Answers a request whose body (or header) we did not read, then closes; the
// client may still be sending, so linger() drains it first.
void Connection::answerUnreadRequest(HttpResponse answer) {
  parser_.reset();
  auto response = std::make_unique<http::response<http::string_body>>();
  response->version(version_);
  response->result(static_cast<unsigned>(answer.status));
  for (HttpHeader& header : answer.headers) response->insert(header.name, header.value);
  response->keep_alive(false);
  response->body() = std::move(answer.body);
  response->prepare_payload();
  phase_ = Phase::writing;
  response_ = std::move(response);
  stream_.expires_after(listener_->options().requestTimeout);
  http::async_write(stream_, *response_, [self = shared_from_this()](ErrorCode error, std::size_t) {
    if (self->phase_ == Phase::closed) return;
    if (error) return self->close();
    ErrorCode ignored;
    self->stream_.socket().shutdown(Socket::shutdown_send, ignored);
    self->phase_ = Phase::lingering;
    self->stream_.expires_after(kLingerTime);  // one deadline for all of the draining
    self->linger();
  });
}

void Connection::linger() {
  stream_.async_read_some(asio::buffer(discard_), [self = shared_from_this()](ErrorCode error, std::size_t) {
    if (self->phase_ == Phase::closed) return;
    if (error) return self->close();
    self->linger();
  });
}

void Connection::startStream(int status, std::vector<HttpHeader> headers) {
  if (phase_ != Phase::handling) return;
  phase_ = Phase::streaming;
  streamHead_ = std::make_unique<http::response<http::empty_body>>();
  streamHead_->version(version_);
  streamHead_->result(static_cast<unsigned>(status));
  for (HttpHeader& header : headers) {
    if (equalsIgnoringCase(header.name, "Connection") || equalsIgnoringCase(header.name, "Content-Length") ||
        equalsIgnoringCase(header.name, "Transfer-Encoding")) {
      continue;
    }
    streamHead_->insert(header.name, header.value);
  }
  // A stream ends its connection: chunked for HTTP/1.1, delimited by the
  // close for HTTP/1.0.
  streamHead_->keep_alive(false);
  chunked_ = version_ >= 11;
  if (chunked_) streamHead_->chunked(true);
  streamSerializer_ = std::make_unique<http::response_serializer<http::empty_body>>(*streamHead_);
  writing_ = true;
  stream_.expires_after(listener_->options().requestTimeout);
  http::async_write_header(stream_, *streamSerializer_, [self = shared_from_this()](ErrorCode error, std::size_t) {
    if (self->phase_ == Phase::closed) return;
    if (error) return self->close();
    self->writing_ = false;
    self->pumpStream();
  });
  watchForHangup();
}

// The client sends nothing during a stream; a read completes only when it
// closes the connection (or breaks it), which ends the stream at once instead
// of at the next write.
void Connection::watchForHangup() {
  stream_.socket().async_read_some(asio::buffer(discard_), [self = shared_from_this()](ErrorCode error, std::size_t) {
    if (self->phase_ == Phase::closed) return;
    if (error) return self->close();
    self->watchForHangup();
  });
}

void Connection::writeStream(std::string data) {
  if (phase_ != Phase::streaming || finishing_ || data.empty()) return;
  queuedBytes_ += data.size();
  queue_.push_back(std::move(data));
  pumpStream();
}

void Connection::finishStream() {
  if (phase_ != Phase::streaming || finishing_) return;
  finishing_ = true;
  pumpStream();
}

void Connection::onStreamClose(std::function<void()> callback) {
  if (phase_ == Phase::closed) {
    if (callback) callback();
    return;
  }
  onStreamClose_ = std::move(callback);
}

void Connection::pumpStream() {
  if (phase_ != Phase::streaming || writing_) return;
  if (queue_.empty()) {
    if (!finishing_) return;
    if (!chunked_) return closeAfterSending();
    writing_ = true;
    stream_.expires_after(listener_->options().requestTimeout);
    asio::async_write(stream_, http::make_chunk_last(), [self = shared_from_this()](ErrorCode error, std::size_t) {
      if (self->phase_ == Phase::closed) return;
      if (error) return self->close();
      self->closeAfterSending();
    });
    return;
  }
  writing_ = true;
  stream_.expires_after(listener_->options().requestTimeout);
  auto written = [self = shared_from_this()](ErrorCode error, std::size_t) {
    if (self->phase_ == Phase::closed) return;
    if (error) return self->close();  // the client went away or stopped reading
    self->writing_ = false;
    self->queuedBytes_ -= self->queue_.front().size();
    self->queue_.pop_front();
    self->pumpStream();
  };
  if (chunked_) {
    asio::async_write(stream_, http::make_chunk(asio::buffer(queue_.front())), std::move(written));
  } else {
    asio::async_write(stream_, asio::buffer(queue_.front()), std::move(written));
  }
}

// --- Listener ------------------------------------------------------------------

void HttpServer::Listener::acceptNext() {
  acceptor_.async_wait(Acceptor::wait_read, [self = shared_from_this()](ErrorCode error) { self->acceptReady(error); });
}

void HttpServer::Listener::acceptReady(ErrorCode error) {
  if (closed_) return;
  if (error) {
    log("waiting for connections failed: " + error.message());
    return;
  }
  for (;;) {
    // accept4: the new socket is close-on-exec from the start, so no child
    // spawned in between can inherit it.
    const int fd = ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      const int failure = errno;
      if (failure == EINTR || failure == ECONNABORTED) continue;
      if (failure == EAGAIN || failure == EWOULDBLOCK) break;
      // Out of descriptors or memory: the listening socket stays readable, so
      // pause instead of spinning.
      log("accepting a connection failed: " + systemError(failure));
      pauseTimer_.expires_after(std::chrono::milliseconds(100));
      pauseTimer_.async_wait([self = shared_from_this()](ErrorCode error) {
        if (!error && !self->closed_) self->acceptNext();
      });
      return;
    }
    if (connections_.size() < options_.connectionLimit) {
      atLimit_ = false;
    } else if (!makeRoom()) {
      refuse(fd);
      continue;
    }
    Socket socket(loop_);
    ErrorCode assignError;
    socket.assign(protocol_, fd, assignError);
    if (assignError) {
      ::close(fd);
      continue;
    }
    auto connection = std::make_shared<Connection>(shared_from_this(), std::move(socket));
    remember(connection.get(), connection);
    connection->start();
  }
  acceptNext();
}

// At the limit, a new client is served in place of the connection that has waited
// longest for its client to complete a request: clients that connect and stall
// (slowly or on purpose) cannot lock out one that sends its request, however many
// they are, and memory stays bounded by the limit. Connections busy with a request
// (handled, answered, streamed) are never closed for room. False when every one is.
bool HttpServer::Listener::makeRoom() {
  std::shared_ptr<Connection> longest;
  for (auto& [pointer, handle] : connections_) {
    auto connection = handle.lock();
    if (!connection || !connection->waitingForClient()) continue;
    if (!longest || connection->waitingSince() < longest->waitingSince()) longest = std::move(connection);
  }
  if (!longest) return false;
  if (!atLimit_) {
    atLimit_ = true;
    log("connection limit reached (" + std::to_string(connections_.size()) +
        " open): closing the connections that waited longest for a request");
  }
  longest->close();
  return true;
}

// Tells a client over the connection limit so at once, without reading its
// request or keeping its descriptor: a non-blocking send of a few bytes to a new
// socket, then close. (A client that already sent its request may see a reset
// instead of the answer; either way it is not served.)
void HttpServer::Listener::refuse(int fd) {
  if (!atLimit_) {
    atLimit_ = true;
    log("refusing connections: " + std::to_string(connections_.size()) +
        " are open, the limit, all busy with requests");
  }
  const HttpResponse busy = HttpResponse::error(503);
  std::string answer = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html\r\nContent-Length: " +
                       std::to_string(busy.body.size()) + "\r\nConnection: close\r\n\r\n" + busy.body;
  [[maybe_unused]] const ssize_t sent = ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(fd, SHUT_WR);
  ::close(fd);
}

void HttpServer::Listener::close() {
  if (closed_) return;
  closed_ = true;
  ErrorCode ignored;
  acceptor_.close(ignored);
  pauseTimer_.cancel();
  std::vector<std::shared_ptr<Connection>> live;
  for (auto& [pointer, handle] : connections_) {
    if (auto connection = handle.lock()) live.push_back(std::move(connection));
  }
  for (auto& connection : live) connection->close();
  if (!socketPath_.empty()) {
    struct stat status {};
    if (::lstat(socketPath_.c_str(), &status) == 0 && status.st_dev == socketDevice_ && status.st_ino == socketInode_) {
      ::unlink(socketPath_.c_str());
    }
  }
}

// --- Creating the listening sockets -------------------------------------------

namespace {

// A unix socket file that accepts a connection belongs to a live server.
bool someoneListensOn(const sockaddr_un& address) {
  const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return false;
  const bool listening = ::connect(probe, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(probe);
  return listening;
}

std::string userName(uid_t uid) {
  if (const passwd* entry = ::getpwuid(uid)) return entry->pw_name;
  return std::to_string(uid);
}

struct ListeningSocket {
  int fd = -1;
  Protocol protocol{AF_UNIX, 0};
};

Result<ListeningSocket> listenOnUnixSocket(const UnixSocketAddress& address, dev_t* device, ino_t* inode) {
  const std::string& path = address.path;
  sockaddr_un socketAddress{};
  socketAddress.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof socketAddress.sun_path) {
    return makeError("cannot use unix socket path '" + path + "': it must be 1 to " +
                     std::to_string(sizeof socketAddress.sun_path - 1) + " bytes long");
  }
  std::memcpy(socketAddress.sun_path, path.data(), path.size());

  struct stat existing {};
  if (::lstat(path.c_str(), &existing) == 0) {
    if (!S_ISSOCK(existing.st_mode)) {
      return makeError("cannot create unix socket " + path + ": the file exists and is not a socket");
    }
    if (someoneListensOn(socketAddress)) {
      return makeError("another program is already listening on unix socket " + path);
    }
    ::unlink(path.c_str());  // stale: left behind by a server that died
  }

  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return makeError("cannot create unix socket " + path + ": " + systemError(errno));
  // bind() creates the file with 0777 & ~umask: with this umask it has the
  // wanted mode from its first moment.
  const mode_t previousUmask = ::umask(~address.mode & 0777);
  const int bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&socketAddress), sizeof socketAddress);
  const int bindError = errno;
  ::umask(previousUmask);
  if (bound != 0) {
    ::close(fd);
    return makeError("cannot bind unix socket " + path + ": " + systemError(bindError));
  }
  const auto fail = [&](std::string message) -> Result<ListeningSocket> {
    ::close(fd);
    ::unlink(path.c_str());
    return makeError(std::move(message));
  };
  // chmod and chown by path would follow a link someone put in the socket's
  // place (a world-writable directory such as /tmp): work through a descriptor
  // of what is there, and only if it is the socket we just made.
  const UniqueFd file(::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  struct stat created {};
  if (!file.valid() || ::fstat(file.get(), &created) != 0) {
    return fail("cannot open unix socket " + path + ": " + systemError(errno));
  }
  if (!S_ISSOCK(created.st_mode) || created.st_uid != ::geteuid()) {
    return fail("cannot secure unix socket " + path + ": the file was replaced while it was being created");
  }
  *device = created.st_dev;
  *inode = created.st_ino;
  // The umask gave the mode already, unless a default ACL of the directory
  // overrode it or the mode has bits beyond 0777. No client can connect before
  // listen() below, so fixing it now leaves no window.
  if ((created.st_mode & 07777) != address.mode) {
    const std::string byDescriptor = "/proc/self/fd/" + std::to_string(file.get());
    if (::chmod(byDescriptor.c_str(), address.mode) != 0) {
      return fail("cannot chmod unix socket " + path + ": " + systemError(errno));
    }
  }
  if (address.owner || address.group) {
    const uid_t owner = address.owner.value_or(static_cast<uid_t>(-1));
    const gid_t group = address.group.value_or(static_cast<gid_t>(-1));
    if (::fchownat(file.get(), "", owner, group, AT_EMPTY_PATH) != 0) {
      if (errno == EPERM) {
        return fail("Not permitted to chown " + path + " to uid/gid (" + std::to_string(static_cast<int>(owner)) +
                    ", " + std::to_string(static_cast<int>(group)) +
                    "); adjust \"sockchown\" value in config file or on command line to values that the current "
                    "user (" +
                    userName(::geteuid()) + ") can successfully chown");
      }
      return fail("cannot chown unix socket " + path + ": " + systemError(errno));
    }
  }
  if (::listen(fd, SOMAXCONN) != 0) return fail("cannot listen on unix socket " + path + ": " + systemError(errno));
  return ListeningSocket{fd, Protocol(AF_UNIX, 0)};
}

Result<ListeningSocket> listenOnTcp(const TcpAddress& address, unsigned short* boundPort) {
  const bool allInterfaces = address.host.empty() || address.host == "*";
  const std::string shown = (allInterfaces ? "*" : address.host) + ":" + std::to_string(address.port);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  // IPv4 first, like Supervisor (gethostbyname); IPv6 only for a host that
  // has no IPv4 address.
  addrinfo* found = nullptr;
  const std::string service = std::to_string(address.port);
  const char* host = allInterfaces ? nullptr : address.host.c_str();
  hints.ai_family = AF_INET;
  int lookup = ::getaddrinfo(host, service.c_str(), &hints, &found);
  if (lookup != 0 && !allInterfaces) {
    hints.ai_family = AF_UNSPEC;
    lookup = ::getaddrinfo(host, service.c_str(), &hints, &found);
  }
  if (lookup != 0 || found == nullptr) {
    return makeError("cannot listen on " + shown + ": " + ::gai_strerror(lookup));
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> addresses(found, ::freeaddrinfo);

  const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, found->ai_protocol);
  if (fd < 0) return makeError("cannot listen on " + shown + ": " + systemError(errno));
  const int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
    const int failure = errno;
    ::close(fd);
    return makeError("cannot listen on " + shown + ": " + systemError(failure));
  }
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  if (bound.ss_family == AF_INET) {
    *boundPort = ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
  } else {
    *boundPort = ntohs(reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port);
  }
  return ListeningSocket{fd, Protocol(found->ai_family, found->ai_protocol)};
}

}  // namespace

// --- HttpServer -------------------------------------------------------------

HttpServer::HttpServer(std::shared_ptr<Listener> listener) : listener_(std::move(listener)) {}

HttpServer::~HttpServer() { close(); }

void HttpServer::close() { listener_->close(); }

const std::string& HttpServer::description() const { return listener_->description_; }

unsigned short HttpServer::port() const { return listener_->port_; }

Result<std::unique_ptr<HttpServer>> HttpServer::listenUnix(asio::io_context& loop, const UnixSocketAddress& address,
                                                           HttpServerOptions options, HttpHandler handler) {
  dev_t device = 0;
  ino_t inode = 0;
  auto socket = listenOnUnixSocket(address, &device, &inode);
  if (!socket) return socket.takeError();
  auto listener = std::make_shared<Listener>(loop, socket->fd, socket->protocol, std::move(options), std::move(handler));
  listener->description_ = "unix://" + address.path;
  listener->socketPath_ = address.path;
  listener->socketDevice_ = device;
  listener->socketInode_ = inode;
  listener->start();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(listener)));
}

Result<std::unique_ptr<HttpServer>> HttpServer::listenTcp(asio::io_context& loop, const TcpAddress& address,
                                                          HttpServerOptions options, HttpHandler handler) {
  unsigned short port = 0;
  auto socket = listenOnTcp(address, &port);
  if (!socket) return socket.takeError();
  auto listener = std::make_shared<Listener>(loop, socket->fd, socket->protocol, std::move(options), std::move(handler));
  const bool allInterfaces = address.host.empty() || address.host == "*";
  listener->description_ = "http://" + (allInterfaces ? std::string("*") : address.host) + ":" + std::to_string(port);
  listener->port_ = port;
  listener->start();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(listener)));
}

}  // namespace common
