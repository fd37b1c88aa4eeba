#include "supervisord/cluster/etcd_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <optional>

namespace cluster {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// The internals, in a named namespace: EtcdClient::Shared and EtcdWatch::Stream use them.
namespace gateway {

struct Endpoint {
  std::string host;  // IPv6 without brackets
  unsigned short port = 2379;
  std::string text;  // "http://host:port", for messages
};

common::Error badEndpoint(std::string_view text, const std::string& why) {
  return common::makeError("invalid etcd endpoint '" + std::string(text) + "': " + why);
}

common::Result<Endpoint> parseEndpoint(std::string_view text) {
  std::string_view rest = text;
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front()))) rest.remove_prefix(1);
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.back()))) rest.remove_suffix(1);
  if (rest.substr(0, 7) == "http://") {
    rest.remove_prefix(7);
  } else if (rest.find("://") != std::string_view::npos) {
    return badEndpoint(text, "only http:// is supported");
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) return badEndpoint(text, "expected host:port without a path");
  Endpoint endpoint;
  std::string_view portText;
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return badEndpoint(text, "unclosed '[' in an IPv6 address");
    endpoint.host = std::string(rest.substr(1, close - 1));
    std::string_view after = rest.substr(close + 1);
    if (!after.empty() && after.front() != ':') return badEndpoint(text, "expected ':port' after ']'");
    if (!after.empty()) portText = after.substr(1);
    if (!after.empty() && portText.empty()) return badEndpoint(text, "empty port");
  } else {
    const std::size_t colon = rest.find(':');
    if (colon != rest.rfind(':')) return badEndpoint(text, "an IPv6 address needs brackets: http://[::1]:2379");
    endpoint.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) {
      portText = rest.substr(colon + 1);
      if (portText.empty()) return badEndpoint(text, "empty port");
    }
  }
  if (endpoint.host.empty()) return badEndpoint(text, "no host");
  if (!portText.empty()) {
    unsigned long port = 0;
    for (char c : portText) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return badEndpoint(text, "the port is not a number");
      if (port > 65535) return badEndpoint(text, "port out of range");
      port = port * 10 + static_cast<unsigned long>(c - '0');
    }
    if (port == 0 || port > 65535) return badEndpoint(text, "port out of range");
    endpoint.port = static_cast<unsigned short>(port);
  }
  const bool v6 = endpoint.host.find(':') != std::string::npos;
  endpoint.text = "http://" + (v6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + std::to_string(endpoint.port);
  return endpoint;
}

struct Answer {
  int status = 0;
  std::string body;
};

// A short, printable excerpt of an answer's body for a message.
std::string excerpt(const std::string& body) {
  std::string out;
  for (unsigned char c : body.substr(0, 200)) out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : ' ';
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Something in flight the client's destructor must stop.
class Abortable {
 public:
  virtual ~Abortable() = default;
  virtual void abort() = 0;
};

}  // namespace gateway

using gateway::Abortable;
using gateway::Answer;
using gateway::Endpoint;

// What the client and everything it has in flight share. Outlives the client while
// requests hold it; `closed` tells them the client is gone.
struct EtcdClient::Shared {
  Shared(asio::io_context& context, std::vector<Endpoint> list, std::chrono::milliseconds timeout)
      : io(context), endpoints(std::move(list)), requestTimeout(timeout), idle(endpoints.size()) {}

  asio::io_context& io;
  std::vector<Endpoint> endpoints;
  std::chrono::milliseconds requestTimeout;
  std::size_t preferred = 0;  // the endpoint that answered last
  bool closed = false;        // the client is gone: no callback may run
  std::vector<std::vector<std::unique_ptr<tcp::socket>>> idle;  // kept-alive connections per endpoint
  std::vector<std::weak_ptr<Abortable>> inFlight;

  void track(const std::shared_ptr<Abortable>& item) {
    std::erase_if(inFlight, [](const std::weak_ptr<Abortable>& entry) { return entry.expired(); });
    inFlight.push_back(item);
  }
};

namespace gateway {

constexpr std::size_t kIdlePerEndpoint = 4;

// One exchange with etcd, tried on each endpoint in turn from the preferred one: an
// attempt connects (or reuses a kept-alive connection), then exchange() takes over.
// Attempts never overlap: the next starts from the failed one's completion handler.
class Attempts : public Abortable, public std::enable_shared_from_this<Attempts> {
 public:
  explicit Attempts(std::shared_ptr<EtcdClient::Shared> shared)
      : shared_(std::move(shared)), timer_(shared_->io), resolver_(shared_->io) {}

  // Begins the first attempt; nothing when aborted or the client is gone meanwhile.
  void start() {
    if (done_ || shared_->closed) return;
    shared_->track(shared_from_this());
    first_ = shared_->preferred;
    startAttempt();
  }

  void abort() override {
    done_ = true;
    ++generation_;
    timer_.cancel();
    resolver_.cancel();
    closeSocket();
  }

 protected:
  // The attempt `generation` is connected: exchange the request on socket_.
  virtual void exchange(unsigned generation) = 0;
  // Every endpoint failed once; `message` names them.
  virtual void exhausted(std::string message) = 0;

  // Whether a handler of attempt `generation` may go on.
  bool current(unsigned generation) const { return generation == generation_ && !done_ && !shared_->closed; }

  // The attempt failed: a kept-alive connection etcd closed meanwhile (no answer, no
  // timeout) is replaced once on the same endpoint; otherwise the next endpoint gets
  // its turn. `answeredUnavailable`: the member answered that it cannot serve.
  void attemptFailed(const std::string& why, bool answeredUnavailable = false) {
    const bool staleConnection = reused_ && !timedOut_ && !answeredUnavailable;
    closeSocket();
    if (staleConnection) {
      allowReuse_ = false;
      startAttempt();
      return;
    }
    failures_ += (failures_.empty() ? "" : "; ") + endpoint().text + ": " + (timedOut_ ? timeoutText() : why);
    ++tried_;
    startAttempt();
  }

  // The endpoint answered: prefer it from now on; the attempt's deadline no longer applies.
  void answered() {
    timer_.cancel();
    shared_->preferred = index_;
  }

  // Done with the exchange: returns a kept-alive connection for the next request.
  void keepConnection() {
    auto& idle = shared_->idle[index_];
    if (socket_ && socket_->is_open() && !shared_->closed && idle.size() < kIdlePerEndpoint)
      idle.push_back(std::move(socket_));
    socket_.reset();
  }

  void closeSocket() {
    if (!socket_) return;
    error_code ignored;
    socket_->close(ignored);
  }

  const Endpoint& endpoint() const { return shared_->endpoints[index_]; }
  std::string hostHeader() const {
    const Endpoint& e = endpoint();
    return (e.host.find(':') != std::string::npos ? "[" + e.host + "]" : e.host) + ":" + std::to_string(e.port);
  }

  std::shared_ptr<EtcdClient::Shared> shared_;
  std::unique_ptr<tcp::socket> socket_;
  beast::flat_buffer buffer_;
  bool done_ = false;

 private:
  std::string timeoutText() const {
    return "no answer within " + std::to_string(shared_->requestTimeout.count()) + " ms";
  }

  void startAttempt() {
    if (done_) return;
    if (tried_ >= shared_->endpoints.size()) {
      done_ = true;
      timer_.cancel();
      exhausted("etcd unreachable: " + failures_);
      return;
    }
    index_ = (first_ + tried_) % shared_->endpoints.size();
    const unsigned generation = ++generation_;
    timedOut_ = false;
    buffer_.consume(buffer_.size());
    auto self = shared_from_this();
    timer_.expires_after(shared_->requestTimeout);
    timer_.async_wait([self, generation](const error_code& error) {
      if (error || !self->current(generation)) return;
      // The pending operation completes with an error and reports the timeout.
      self->timedOut_ = true;
      self->resolver_.cancel();
      self->closeSocket();
    });
    auto& idle = shared_->idle[index_];
    reused_ = allowReuse_ && !idle.empty();
    allowReuse_ = true;
    if (reused_) {
      socket_ = std::move(idle.back());
      idle.pop_back();
      exchange(generation);
      return;
    }
    socket_ = std::make_unique<tcp::socket>(shared_->io);
    error_code notAddress;
    const auto address = asio::ip::make_address(endpoint().host, notAddress);
    if (!notAddress) {
      socket_->async_connect(tcp::endpoint(address, endpoint().port), [self, generation](const error_code& error) {
        self->connected(generation, error);
      });
      return;
    }
    resolver_.async_resolve(
        endpoint().host, std::to_string(endpoint().port),
        [self, generation](const error_code& error, const tcp::resolver::results_type& results) {
          if (!self->current(generation)) return;
          if (error) return self->attemptFailed("cannot resolve " + self->endpoint().host + ": " + error.message());
          asio::async_connect(*self->socket_, results, [self, generation](const error_code& error, const tcp::endpoint&) {
            self->connected(generation, error);
          });
        });
  }

  void connected(unsigned generation, const error_code& error) {
    if (!current(generation)) return;
    if (error) return attemptFailed(error.message());
    error_code ignored;
    socket_->set_option(tcp::no_delay(true), ignored);
    exchange(generation);
  }

  asio::steady_timer timer_;
  tcp::resolver resolver_;
  std::size_t first_ = 0;
  std::size_t tried_ = 0;
  std::size_t index_ = 0;
  unsigned generation_ = 0;
  bool timedOut_ = false;
  bool reused_ = false;
  bool allowReuse_ = true;
  std::string failures_;
};

// One request and its whole answer (a unary call, or a stream we close after one request).
class Call final : public Attempts {
 public:
  using Answered = std::function<void(common::Result<Answer>)>;

  Call(std::shared_ptr<EtcdClient::Shared> shared, const std::string& target, std::string body, Answered answered)
      : Attempts(std::move(shared)), answered_(std::move(answered)) {
    request_.method(http::verb::post);
    request_.target(target);
    request_.version(11);
    request_.set(http::field::content_type, "application/json");
    request_.keep_alive(true);
    request_.body() = std::move(body);
    request_.prepare_payload();
  }

 private:
  std::shared_ptr<Call> self() { return std::static_pointer_cast<Call>(shared_from_this()); }

  void exchange(unsigned generation) override {
    request_.set(http::field::host, hostHeader());
    parser_.emplace();
    parser_->body_limit(64 * 1024 * 1024);
    http::async_write(*socket_, request_, [self = self(), generation](const error_code& error, std::size_t) {
      if (!self->current(generation)) return;
      if (error) return self->attemptFailed(error.message());
      http::async_read(*self->socket_, self->buffer_, *self->parser_,
                       [self, generation](const error_code& error, std::size_t) { self->read(generation, error); });
    });
  }

  void read(unsigned generation, const error_code& error) {
    if (!current(generation)) return;
    if (error) return attemptFailed(error == http::error::end_of_stream ? "connection closed" : error.message());
    auto& response = parser_->get();
    const int status = response.result_int();
    if (isUnavailable(status, response.body()))
      return attemptFailed("HTTP " + std::to_string(status) + " " + excerpt(response.body()), true);
    answered();
    if (parser_->keep_alive()) {
      keepConnection();
    } else {
      closeSocket();
    }
    finish(Answer{status, std::move(response.body())});
  }

  void exhausted(std::string message) override { finish(common::makeError(std::move(message))); }

  void finish(common::Result<Answer> answer) {
    done_ = true;
    asio::post(shared_->io, [shared = shared_, answered = std::move(answered_), answer = std::move(answer)]() mutable {
      if (!shared->closed) answered(std::move(answer));
    });
  }

  Answered answered_;
  http::request<http::string_body> request_;
  std::optional<http::response_parser<http::string_body>> parser_;
};

void send(const std::shared_ptr<EtcdClient::Shared>& shared, const std::string& target, std::string body,
          Call::Answered answered) {
  auto call = std::make_shared<Call>(shared, target, std::move(body), std::move(answered));
  // Started from the loop, so that even an immediate failure answers after the call returned.
  asio::post(shared->io, [call] { call->start(); });
}

// Reads an answer with `read` into the caller's callback.
template <typename T, typename Read>
Call::Answered reading(EtcdClient::Callback<T> done, Read read) {
  return [done = std::move(done), read](common::Result<Answer> answer) {
    if (!answer) return done(answer.takeError());
    done(read(answer->status, answer->body));
  };
}

}  // namespace gateway

using gateway::reading;
using gateway::send;

// --- the watch ----------------------------------------------------------------------------

class EtcdWatch::Stream final : public gateway::Attempts {
 public:
  Stream(std::shared_ptr<EtcdClient::Shared> shared, std::string body, EtcdClient::WatchEvents onEvents,
         EtcdClient::WatchBroken onBroken)
      : Attempts(std::move(shared)), onEvents_(std::move(onEvents)), onBroken_(std::move(onBroken)) {
    request_.method(http::verb::post);
    request_.target("/v3/watch");
    request_.version(11);
    request_.set(http::field::content_type, "application/json");
    request_.body() = std::move(body);
    request_.prepare_payload();
    // Beast takes the chunk callback by reference: it lives here, as long as the parser.
    onChunk_ = [this](std::uint64_t, beast::string_view data, error_code& error) -> std::size_t {
      if (!takeChunk(std::string_view(data.data(), data.size()))) error = asio::error::operation_aborted;
      return data.size();
    };
  }

  // The handle is gone: no callback from now on.
  void stop() {
    stopped_ = true;
    abort();
  }

 private:
  std::shared_ptr<Stream> self() { return std::static_pointer_cast<Stream>(shared_from_this()); }

  void exchange(unsigned generation) override {
    request_.set(http::field::host, hostHeader());
    parser_.emplace();
    parser_->body_limit(boost::none);
    parser_->on_chunk_body(onChunk_);
    http::async_write(*socket_, request_, [self = self(), generation](const error_code& error, std::size_t) {
      if (!self->current(generation)) return;
      if (error) return self->attemptFailed(error.message());
      http::async_read_header(*self->socket_, self->buffer_, *self->parser_,
                              [self, generation](const error_code& error, std::size_t) {
                                self->headerRead(generation, error);
                              });
    });
  }

  void headerRead(unsigned generation, const error_code& error) {
    if (!current(generation)) return;
    if (error) return attemptFailed(error == http::error::end_of_stream ? "connection closed" : error.message());
    const int status = parser_->get().result_int();
    if (status >= 500) return attemptFailed("HTTP " + std::to_string(status), true);
    answered();
    if (status != 200) return broken("etcd refused the watch: HTTP " + std::to_string(status));
    http::async_read(*socket_, buffer_, *parser_, [self = self(), generation](const error_code& error, std::size_t) {
      if (!self->current(generation)) return;
      if (!self->reason_.empty()) return self->broken(self->reason_);
      self->broken(error && error != http::error::end_of_stream ? "the watch stream failed: " + error.message()
                                                                 : "etcd ended the watch stream");
    });
  }

  // False when the stream must end (reason_ says why).
  bool takeChunk(std::string_view data) {
    auto lines = lines_.feed(data);
    if (!lines) {
      reason_ = lines.error();
      return false;
    }
    for (const std::string& line : *lines) {
      auto message = readWatchLine(line);
      if (!message) {
        reason_ = "the watch stream failed: " + message.error();
        return false;
      }
      if (!message->events.empty()) {
        // Not the header revision: catching up on history, etcd sends it with the
        // first batch, before later batches.
        const std::int64_t last = message->events.back().kv.modRevision;
        deliver(std::move(message->events), last);
      }
      if (message->canceled) {
        reason_ = "etcd canceled the watch";
        if (!message->cancelReason.empty()) reason_ += ": " + message->cancelReason;
        if (message->compactRevision > 0)
          reason_ += " (compacted up to revision " + std::to_string(message->compactRevision) + ")";
        return false;
      }
    }
    return true;
  }

  void deliver(std::vector<WatchEvent> events, std::int64_t revision) {
    asio::post(shared_->io, [self = self(), events = std::move(events), revision]() mutable {
      if (self->stopped_ || self->shared_->closed) return;
      self->onEvents_(std::move(events), revision);
    });
  }

  void broken(std::string reason) {
    done_ = true;
    closeSocket();
    asio::post(shared_->io, [self = self(), reason = std::move(reason)]() mutable {
      if (self->stopped_ || self->shared_->closed) return;
      self->stopped_ = true;
      self->onBroken_(std::move(reason));
    });
  }

  void exhausted(std::string message) override { broken("could not start the watch: " + message); }

  EtcdClient::WatchEvents onEvents_;
  EtcdClient::WatchBroken onBroken_;
  http::request<http::string_body> request_;
  std::optional<http::response_parser<http::empty_body>> parser_;
  std::function<std::size_t(std::uint64_t, beast::string_view, error_code&)> onChunk_;
  JsonLines lines_;
  std::string reason_;
  bool stopped_ = false;
};

EtcdWatch::EtcdWatch(std::shared_ptr<Stream> stream) : stream_(std::move(stream)) {}

EtcdWatch::~EtcdWatch() { stream_->stop(); }

// --- the client ---------------------------------------------------------------------------

common::Result<std::unique_ptr<EtcdClient>> EtcdClient::create(asio::io_context& io, EtcdClientOptions options) {
  if (options.endpoints.empty()) return common::makeError("no etcd endpoint given");
  if (options.requestTimeout.count() <= 0) return common::makeError("the etcd request timeout must be positive");
  std::vector<Endpoint> endpoints;
  for (const std::string& text : options.endpoints) {
    auto endpoint = gateway::parseEndpoint(text);
    if (!endpoint) return endpoint.takeError();
    endpoints.push_back(std::move(endpoint).value());
  }
  return std::unique_ptr<EtcdClient>(
      new EtcdClient(std::make_shared<Shared>(io, std::move(endpoints), options.requestTimeout)));
}

EtcdClient::EtcdClient(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

EtcdClient::~EtcdClient() {
  shared_->closed = true;
  for (const auto& entry : shared_->inFlight)
    if (auto item = entry.lock()) item->abort();
  shared_->inFlight.clear();
  for (auto& connections : shared_->idle) connections.clear();
}

void EtcdClient::grantLease(std::int64_t ttlSeconds, Callback<LeaseGrant> done) {
  send(shared_, "/v3/lease/grant", grantLeaseBody(ttlSeconds), reading(std::move(done), readLeaseGrant));
}

void EtcdClient::keepAlive(std::int64_t leaseId, Callback<std::int64_t> done) {
  send(shared_, "/v3/lease/keepalive", leaseIdBody(leaseId), reading(std::move(done), readKeepAlive));
}

void EtcdClient::revokeLease(std::int64_t leaseId, Callback<void> done) {
  send(shared_, "/v3/lease/revoke", leaseIdBody(leaseId), reading(std::move(done), readRevoke));
}

void EtcdClient::put(std::string key, std::string value, std::int64_t lease, Callback<std::int64_t> done) {
  send(shared_, "/v3/kv/put", putBody(key, value, lease), reading(std::move(done), readPut));
}

void EtcdClient::range(std::string key, Callback<RangeResult> done) {
  send(shared_, "/v3/kv/range", rangeBody(key), reading(std::move(done), readRange));
}

void EtcdClient::rangePrefix(std::string prefix, Callback<RangeResult> done) {
  send(shared_, "/v3/kv/range", rangePrefixBody(prefix), reading(std::move(done), readRange));
}

void EtcdClient::createIfAbsent(std::string key, std::string value, std::int64_t lease, Callback<CreateResult> done,
                                std::optional<Unchanged> unchanged) {
  send(shared_, "/v3/kv/txn", createIfAbsentBody(key, value, lease, unchanged),
       reading(std::move(done), readCreateIfAbsent));
}

void EtcdClient::deleteIfCreateRevision(std::string key, std::int64_t createRevision, Callback<DeleteResult> done) {
  send(shared_, "/v3/kv/txn", deleteIfCreateRevisionBody(key, createRevision),
       reading(std::move(done), readDeleteIfCreateRevision));
}

void EtcdClient::deleteKey(std::string key, Callback<DeleteResult> done) {
  send(shared_, "/v3/kv/deleterange", deleteBody(key), reading(std::move(done), readDelete));
}

void EtcdClient::status(Callback<EtcdStatus> done) {
  send(shared_, "/v3/maintenance/status", statusBody(), reading(std::move(done), readStatus));
}

std::unique_ptr<EtcdWatch> EtcdClient::watchPrefix(std::string prefix, std::int64_t startRevision,
                                                   WatchEvents onEvents, WatchBroken onBroken) {
  auto stream = std::make_shared<EtcdWatch::Stream>(shared_, watchPrefixBody(prefix, startRevision),
                                                    std::move(onEvents), std::move(onBroken));
  asio::post(shared_->io, [stream] { stream->start(); });
  return std::make_unique<EtcdWatch>(stream);
}

std::string EtcdClient::currentEndpoint() const { return shared_->endpoints[shared_->preferred].text; }

}  // namespace cluster
