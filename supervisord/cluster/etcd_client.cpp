#include "supervisord/cluster/etcd_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "common/value_types.h"

namespace cluster {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

namespace {

struct Endpoint {
  std::string host;
  std::string port;
  std::string text;  // as configured
};

std::optional<Endpoint> parseEndpoint(const std::string& text) {
  std::string address = text;
  if (address.starts_with("http://")) address = address.substr(7);
  while (!address.empty() && address.back() == '/') address.pop_back();
  auto hostPort = common::parseInetAddress(address);
  if (!hostPort || hostPort->first.empty() || address.find('/') != std::string::npos) return std::nullopt;
  std::string host = hostPort->first;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return Endpoint{host, std::to_string(hostPort->second), "http://" + address};
}

std::string describe(const ErrorCode& ec) {
  if (ec == asio::error::operation_aborted) return "timed out";
  return ec.message();
}

}  // namespace

struct EtcdClient::Shared {
  asio::io_context& io;
  std::vector<Endpoint> endpoints;
  std::chrono::milliseconds timeout;
  size_t preferred = 0;
  std::string last;
  bool alive = true;

  Shared(asio::io_context& i, std::vector<Endpoint> e, std::chrono::milliseconds t)
      : io(i), endpoints(std::move(e)), timeout(t) {}
};

namespace {

using Answer = common::Result<std::pair<int, std::string>>;  // HTTP status and body

// One request, tried on each endpoint in turn until one answers.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(std::shared_ptr<EtcdClient::Shared> shared, std::string path, std::string body,
           std::function<void(Answer)> done)
      : shared_(std::move(shared)),
        path_(std::move(path)),
        body_(std::move(body)),
        done_(std::move(done)),
        resolver_(shared_->io),
        socket_(shared_->io),
        timer_(shared_->io),
        first_(shared_->preferred) {}

  void start() { attempt(); }

 private:
  const Endpoint& endpoint() const {
    return shared_->endpoints[(first_ + tries_) % shared_->endpoints.size()];
  }

  void attempt() {
    if (!shared_->alive) return;
    if (tries_ == shared_->endpoints.size())
      return finish(common::makeError("etcd: no endpoint answered (" + failures_ + ")"));
    ErrorCode ignored;
    socket_.close(ignored);
    socket_ = tcp::socket(shared_->io);
    buffer_.clear();
    response_ = {};
    timer_.expires_after(shared_->timeout);
    timer_.async_wait([self = shared_from_this()](ErrorCode ec) {
      if (ec) return;
      ErrorCode ignored;
      self->resolver_.cancel();
      self->socket_.close(ignored);
    });
    const Endpoint& e = endpoint();
    resolver_.async_resolve(e.host, e.port, tcp::resolver::numeric_service,
                            [self = shared_from_this()](ErrorCode ec, tcp::resolver::results_type addresses) {
                              if (ec) return self->failed(describe(ec));
                              self->connect(addresses);
                            });
  }

  void connect(const tcp::resolver::results_type& addresses) {
    asio::async_connect(socket_, addresses, [self = shared_from_this()](ErrorCode ec, const tcp::endpoint&) {
      if (ec) return self->failed(describe(ec));
      self->send();
    });
  }

  void send() {
    request_ = {};
    request_.method(http::verb::post);
    request_.target(path_);
    request_.version(11);
    request_.set(http::field::host, endpoint().host + ":" + endpoint().port);
    request_.set(http::field::content_type, "application/json");
    request_.set(http::field::connection, "close");
    request_.body() = body_;
    request_.prepare_payload();
    http::async_write(socket_, request_, [self = shared_from_this()](ErrorCode ec, std::size_t) {
      if (ec) return self->failed(describe(ec));
      self->receive();
    });
  }

  void receive() {
    http::async_read(socket_, buffer_, response_, [self = shared_from_this()](ErrorCode ec, std::size_t) {
      if (ec) return self->failed(describe(ec));
      const int status = static_cast<int>(self->response_.result_int());
      if (status >= 500) return self->failed("HTTP " + std::to_string(status));
      self->timer_.cancel();
      self->shared_->preferred = (self->first_ + self->tries_) % self->shared_->endpoints.size();
      self->shared_->last = self->endpoint().text;
      self->finish(std::make_pair(status, std::move(self->response_.body())));
    });
  }

  void failed(const std::string& reason) {
    if (!shared_->alive) return;
    timer_.cancel();
    failures_ += (failures_.empty() ? "" : "; ") + endpoint().text + ": " + reason;
    ++tries_;
    attempt();
  }

  void finish(Answer answer) {
    ErrorCode ignored;
    socket_.close(ignored);
    asio::post(shared_->io, [shared = shared_, done = std::move(done_), answer = std::move(answer)]() mutable {
      if (shared->alive) done(std::move(answer));
    });
  }

  std::shared_ptr<EtcdClient::Shared> shared_;
  std::string path_;
  std::string body_;
  std::function<void(Answer)> done_;
  tcp::resolver resolver_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  size_t first_;
  size_t tries_ = 0;
  std::string failures_;
};

// POSTs `body` to `path`; a 200 answer goes through `parse`, any other is an etcd error.
template <typename T, typename Parse>
void call(const std::shared_ptr<EtcdClient::Shared>& shared, std::string path, std::string body, Parse parse,
          EtcdClient::Callback<T> done) {
  auto exchange = std::make_shared<Exchange>(
      shared, std::move(path), std::move(body), [parse, done = std::move(done)](Answer answer) {
        if (!answer) return done(answer.takeError());
        const auto& [status, text] = *answer;
        if (status != 200) return done(common::makeError(errorMessage(status, text)));
        done(parse(text));
      });
  exchange->start();
}

// The watch stream: its own connection, read chunk by chunk, one JSON line per response.
class Watch : public EtcdWatch, public std::enable_shared_from_this<Watch> {
 public:
  using Events = std::function<void(const std::vector<WatchEvent>&, long long)>;
  using Broken = std::function<void(const std::string&)>;

  Watch(std::shared_ptr<EtcdClient::Shared> shared, std::string body, Events events, Broken broken)
      : shared_(std::move(shared)),
        body_(std::move(body)),
        events_(std::move(events)),
        broken_(std::move(broken)),
        resolver_(shared_->io),
        socket_(shared_->io),
        timer_(shared_->io),
        first_(shared_->preferred) {}

  ~Watch() override = default;

  void start() { attempt(); }
  void cancel() {
    cancelled_ = true;
    ErrorCode ignored;
    timer_.cancel();
    resolver_.cancel();
    socket_.close(ignored);
  }

 private:
  const Endpoint& endpoint() const { return shared_->endpoints[(first_ + tries_) % shared_->endpoints.size()]; }

  void attempt() {
    if (cancelled_ || !shared_->alive) return;
    if (tries_ == shared_->endpoints.size()) return end("no endpoint answered (" + failures_ + ")");
    ErrorCode ignored;
    socket_.close(ignored);
    socket_ = tcp::socket(shared_->io);
    timer_.expires_after(shared_->timeout);
    timer_.async_wait([weak = weak_from_this()](ErrorCode ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      ErrorCode ignored;
      self->resolver_.cancel();
      self->socket_.close(ignored);
    });
    const Endpoint& e = endpoint();
    resolver_.async_resolve(e.host, e.port, tcp::resolver::numeric_service,
                            [weak = weak_from_this()](ErrorCode ec, tcp::resolver::results_type addresses) {
                              auto self = weak.lock();
                              if (!self || self->cancelled_) return;
                              if (ec) return self->failed(describe(ec));
                              asio::async_connect(self->socket_, addresses,
                                                  [weak = self->weak_from_this()](ErrorCode ec, const tcp::endpoint&) {
                                                    auto self = weak.lock();
                                                    if (!self || self->cancelled_) return;
                                                    if (ec) return self->failed(describe(ec));
                                                    self->send();
                                                  });
                            });
  }

  void send() {
    request_ = {};
    request_.method(http::verb::post);
    request_.target("/v3/watch");
    request_.version(11);
    request_.set(http::field::host, endpoint().host + ":" + endpoint().port);
    request_.set(http::field::content_type, "application/json");
    request_.body() = body_;
    request_.prepare_payload();
    http::async_write(socket_, request_, [weak = weak_from_this()](ErrorCode ec, std::size_t) {
      auto self = weak.lock();
      if (!self || self->cancelled_) return;
      if (ec) return self->failed(describe(ec));
      self->readHeader();
    });
  }

  void readHeader() {
    parser_.emplace();
    parser_->body_limit(boost::none);
    chunk_ = [this](std::uint64_t, beast::string_view data, ErrorCode&) -> std::size_t {
      pending_.append(data.data(), data.size());
      lines();
      return data.size();
    };
    parser_->on_chunk_body(chunk_);
    http::async_read_header(socket_, buffer_, *parser_, [weak = weak_from_this()](ErrorCode ec, std::size_t) {
      auto self = weak.lock();
      if (!self || self->cancelled_) return;
      if (ec) return self->failed(describe(ec));
      if (self->parser_->get().result_int() != 200)
        return self->failed("HTTP " + std::to_string(self->parser_->get().result_int()));
      self->timer_.cancel();  // the stream may stay quiet for as long as nothing changes
      self->shared_->last = self->endpoint().text;
      self->readBody();
    });
  }

  void readBody() {
    http::async_read(socket_, buffer_, *parser_, [weak = weak_from_this()](ErrorCode ec, std::size_t) {
      auto self = weak.lock();
      if (!self || self->cancelled_) return;
      self->end(ec ? "the watch stream broke: " + describe(ec) : std::string("the watch stream ended"));
    });
  }

  void lines() {
    for (size_t newline; !ended_ && (newline = pending_.find('\n')) != std::string::npos;) {
      std::string line = pending_.substr(0, newline);
      pending_.erase(0, newline + 1);
      if (line.empty()) continue;
      auto response = parseWatchLine(line);
      if (!response) return end(response.error());
      if (response->canceled || response->compactRevision != 0)
        return end("the watch was cancelled" +
                   (response->cancelReason.empty() ? std::string() : ": " + response->cancelReason));
      if (response->events.empty()) continue;
      asio::post(shared_->io, [weak = weak_from_this(), response = std::move(*response)] {
        auto self = weak.lock();
        if (!self || self->cancelled_ || !self->shared_->alive) return;
        self->events_(response.events, response.revision);
      });
    }
  }

  void failed(const std::string& reason) {
    timer_.cancel();
    failures_ += (failures_.empty() ? "" : "; ") + endpoint().text + ": " + reason;
    ++tries_;
    attempt();
  }

  void end(const std::string& reason) {
    if (ended_) return;
    ended_ = true;
    ErrorCode ignored;
    timer_.cancel();
    socket_.close(ignored);
    asio::post(shared_->io, [weak = weak_from_this(), reason] {
      auto self = weak.lock();
      if (!self || self->cancelled_ || !self->shared_->alive) return;
      self->broken_(reason);
    });
  }

  std::shared_ptr<EtcdClient::Shared> shared_;
  std::string body_;
  Events events_;
  Broken broken_;
  tcp::resolver resolver_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  std::optional<http::response_parser<http::empty_body>> parser_;
  std::function<std::size_t(std::uint64_t, beast::string_view, ErrorCode&)> chunk_;
  std::string pending_;
  size_t first_;
  size_t tries_ = 0;
  std::string failures_;
  bool cancelled_ = false;
  bool ended_ = false;
};

// What watchPrefix hands out: destroying it cancels the stream.
class WatchHandle : public EtcdWatch {
 public:
  explicit WatchHandle(std::shared_ptr<Watch> watch) : watch_(std::move(watch)) {}
  ~WatchHandle() override { watch_->cancel(); }

 private:
  std::shared_ptr<Watch> watch_;
};

}  // namespace

EtcdClient::EtcdClient(asio::io_context& io, EtcdOptions options) {
  std::vector<Endpoint> endpoints;
  for (const auto& text : options.endpoints)
    if (auto e = parseEndpoint(text)) endpoints.push_back(*e);
  shared_ = std::make_shared<Shared>(io, std::move(endpoints), options.requestTimeout);
}

EtcdClient::~EtcdClient() { shared_->alive = false; }

common::Result<void> EtcdClient::checkEndpoints(const std::vector<std::string>& endpoints) {
  if (endpoints.empty()) return common::makeError("no etcd endpoint");
  for (const auto& e : endpoints)
    if (!parseEndpoint(e)) return common::makeError("not an etcd endpoint (http://host:port): '" + e + "'");
  return {};
}

bool EtcdClient::isLeaseLost(const std::string& error) { return error == kLeaseLost; }

void EtcdClient::grantLease(long long ttlSeconds, Callback<Lease> done) {
  call<Lease>(shared_, "/v3/lease/grant", leaseGrantBody(ttlSeconds), parseLeaseGrant, std::move(done));
}

void EtcdClient::keepAlive(long long lease, Callback<long long> done) {
  call<long long>(shared_, "/v3/lease/keepalive", leaseIdBody(lease), parseKeepAlive, std::move(done));
}

void EtcdClient::revokeLease(long long lease, Callback<bool> done) {
  call<bool>(shared_, "/v3/lease/revoke", leaseIdBody(lease),
             [](std::string_view body) -> common::Result<bool> {
               auto revision = parseRevision(body);
               if (!revision) return revision.takeError();
               return true;
             },
             std::move(done));
}

void EtcdClient::put(const std::string& key, const std::string& value, long long lease, Callback<long long> done) {
  call<long long>(shared_, "/v3/kv/put", putBody(key, value, lease), parseRevision, std::move(done));
}

void EtcdClient::rangePrefix(const std::string& prefix, Callback<RangeResult> done) {
  call<RangeResult>(shared_, "/v3/kv/range", rangePrefixBody(prefix), parseRange, std::move(done));
}

void EtcdClient::createIfAbsent(const std::string& key, const std::string& value, long long lease,
                                Callback<TxnResult> done) {
  call<TxnResult>(shared_, "/v3/kv/txn", createIfAbsentBody(key, value, lease), parseTxn, std::move(done));
}

void EtcdClient::deleteIfCreateRevision(const std::string& key, long long createRevision, Callback<bool> done) {
  call<bool>(shared_, "/v3/kv/txn", deleteIfCreateRevisionBody(key, createRevision),
             [](std::string_view body) -> common::Result<bool> {
               auto txn = parseTxn(body);
               if (!txn) return txn.takeError();
               return txn->succeeded;
             },
             std::move(done));
}

void EtcdClient::deleteKey(const std::string& key, Callback<bool> done) {
  call<bool>(shared_, "/v3/kv/deleterange", deleteBody(key),
             [](std::string_view body) -> common::Result<bool> {
               auto deleted = parseDeleted(body);
               if (!deleted) return deleted.takeError();
               return *deleted > 0;
             },
             std::move(done));
}

std::unique_ptr<EtcdWatch> EtcdClient::watchPrefix(
    const std::string& prefix, long long startRevision,
    std::function<void(const std::vector<WatchEvent>&, long long)> events,
    std::function<void(const std::string&)> broken) {
  auto watch = std::make_shared<Watch>(shared_, watchPrefixBody(prefix, startRevision), std::move(events),
                                       std::move(broken));
  watch->start();
  return std::make_unique<WatchHandle>(std::move(watch));
}

std::string EtcdClient::lastEndpoint() const { return shared_->last; }

}  // namespace cluster
