#include "supervisord/rpc/http_servers.h"

#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <ctime>
#include <vector>

#include "common/http_server.h"
#include "common/python_str.h"
#include "common/xmlrpc_codec.h"
#include "supervisord/daemon/supervisor.h"
#include "supervisord/rpc/dispatcher.h"
#include "supervisord/rpc/ha_interface.h"
#include "supervisord/rpc/log_follower.h"
#include "supervisord/rpc/supervisor_interface.h"

namespace rpc {

namespace {

using common::HttpRequest;
using common::HttpResponder;
using common::HttpResponse;
using config::LogLevel;

// medusa's http_date.build_http_date: "Tue, 15 Nov 1994 08:12:31 GMT".
std::string httpDate(std::time_t when) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm utc{};
  gmtime_r(&when, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02d %s %d %02d:%02d:%02d GMT", kDays[utc.tm_wday], utc.tm_mday,
                kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

// medusa's unquote: %XX escapes.
std::string unquote(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

bool startsWith(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

// A deferred XML-RPC answer, polled on the loop until it is ready or the client left.
struct PendingAnswer : std::enable_shared_from_this<PendingAnswer> {
  PendingAnswer(boost::asio::io_context& loop, Poll poll, HttpResponder responder)
      : timer(loop), poll(std::move(poll)), responder(std::move(responder)) {}

  void schedule() {
    timer.expires_after(poll.delay);
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return;
      if (!self->responder.clientConnected()) return;
      auto outcome = self->poll.next();
      if (!outcome) {
        self->schedule();
        return;
      }
      self->answer(*outcome);
    });
  }

  void answer(const Outcome& outcome);

  boost::asio::steady_timer timer;
  Poll poll;
  HttpResponder responder;
};

HttpResponse xmlResponse(const Outcome& outcome) {
  HttpResponse response;
  response.headers.push_back({"Content-Type", "text/xml"});
  if (const auto* fault = std::get_if<Fault>(&outcome))
    response.body = common::xmlrpc::encodeFault(*fault);
  else
    response.body = common::xmlrpc::encodeResponse(std::get<Value>(outcome));
  return response;
}

void PendingAnswer::answer(const Outcome& outcome) { responder.respond(xmlResponse(outcome)); }

}  // namespace

struct HttpServers::Impl {
  explicit Impl(supervisord::Supervisor& supervisor) : supervisor(supervisor) {
    addSupervisorMethods(dispatcher, supervisor);
    addHaMethods(dispatcher, supervisor);
  }

  void handle(HttpRequest request, HttpResponder responder) {
    const std::string& target = request.target;
    if (startsWith(target, "/RPC2")) return handleXmlRpc(request, responder);
    if (startsWith(target, "/logtail")) return handleLogtail(request, responder);
    if (startsWith(target, "/mainlogtail")) return handleMainLogtail(request, responder);
    std::string path = target.substr(0, target.find('?'));
    if (path == "/ok.html" && (request.method == "GET" || request.method == "HEAD"))
      return responder.respond(HttpResponse::text(200, "<html><body>OK</body></html>\n", "text/html"));
    responder.respond(HttpResponse::error(404));
  }

  void handleXmlRpc(const HttpRequest& request, HttpResponder& responder) {
    if (request.method != "POST") return responder.respond(HttpResponse::error(400));
    auto call = common::xmlrpc::parseCall(request.body);
    if (!call) {
      supervisor.log(LogLevel::Error,
                     "XML-RPC request data " + common::pythonRepr(request.body) + " is invalid: unmarshallable");
      return responder.respond(HttpResponse::error(400));
    }
    if (call->method.empty()) {
      supervisor.log(LogLevel::Error,
                     "XML-RPC request data " + common::pythonRepr(request.body) + " is invalid: no method name");
      return responder.respond(HttpResponse::error(400));
    }
    supervisor.log(LogLevel::Trace, "XML-RPC method called: " + call->method + "()");
    Reply reply = dispatcher.call(call->method, call->params);
    if (auto* poll = std::get_if<Poll>(&reply)) {
      auto pending = std::make_shared<PendingAnswer>(supervisor.io(), std::move(*poll), responder);
      pending->schedule();
      return;
    }
    const Outcome outcome = *finished(reply);
    if (const auto* fault = std::get_if<Fault>(&outcome))
      supervisor.log(LogLevel::Trace, "XML-RPC method " + call->method + "() returned fault: [" +
                                          std::to_string(fault->code) + "] " + fault->string);
    else
      supervisor.log(LogLevel::Trace, "XML-RPC method " + call->method + "() returned successfully");
    responder.respond(xmlResponse(outcome));
  }

  // logtail_handler: /logtail/<namespec>[/<channel>], 404 for anything unknown
  // or a log file not there (yet).
  void handleLogtail(const HttpRequest& request, HttpResponder& responder) {
    if (request.method != "GET") return responder.respond(HttpResponse::error(400));
    std::string path = request.target.substr(0, request.target.find_first_of("?#;"));
    if (path.find('%') != std::string::npos) path = unquote(path);
    while (!path.empty() && path.front() == '/') path.erase(0, 1);
    auto slash = path.find('/');
    if (slash == std::string::npos) return responder.respond(HttpResponse::error(404));
    std::string rest = path.substr(slash + 1);
    std::string namespec = rest, channel = "stdout";
    if (auto next = rest.find('/'); next != std::string::npos) {
      namespec = rest.substr(0, next);
      channel = rest.substr(next + 1);
    }
    std::string groupName = namespec, processName = namespec;
    if (auto colon = namespec.find(':'); colon != std::string::npos) {
      groupName = namespec.substr(0, colon);
      processName = namespec.substr(colon + 1);
    }
    const process::Process* p = supervisor.findProcess(groupName, processName);
    if (!p || (channel != "stdout" && channel != "stderr")) return responder.respond(HttpResponse::error(404));
    const config::ChannelConfig& c = channel == "stdout" ? p->config().stdoutChannel : p->config().stderrChannel;
    if (c.target == config::ChannelConfig::Target::None || c.logfile.empty())
      return responder.respond(HttpResponse::error(404));
    streamFile(c.logfile, responder, true);
  }

  void handleMainLogtail(const HttpRequest& request, HttpResponder& responder) {
    if (request.method != "GET") return responder.respond(HttpResponse::error(400));
    const std::string& logfile = supervisor.mainLogFile();
    if (logfile.empty() || logfile == "syslog") return responder.respond(HttpResponse::error(404));
    streamFile(logfile, responder, false);
  }

  void streamFile(const std::string& path, HttpResponder& responder, bool noProxyBuffering) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return responder.respond(HttpResponse::error(404));
    std::vector<common::HttpHeader> headers{{"Last-Modified", httpDate(st.st_mtime)},
                                            {"Content-Type", "text/plain;charset=utf-8"}};
    if (noProxyBuffering) headers.push_back({"X-Accel-Buffering", "no"});
    followLog(supervisor.io(), path, responder.stream(200, std::move(headers)));
  }

  supervisord::Supervisor& supervisor;
  Dispatcher dispatcher;
  std::vector<std::unique_ptr<common::HttpServer>> servers;
};

HttpServers::HttpServers(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServers::~HttpServers() { close(); }

void HttpServers::close() {
  for (auto& server : impl_->servers) server->close();
}

common::Result<std::unique_ptr<HttpServers>> HttpServers::open(supervisord::Supervisor& supervisor) {
  auto impl = std::make_unique<Impl>(supervisor);
  Impl* routes = impl.get();
  for (const auto& config : supervisor.config().servers) {
    common::HttpServerOptions options;
    if (config.username) options.username = *config.username;
    if (config.password) options.password = *config.password;
    options.log = [&supervisor](const std::string& text) { supervisor.log(LogLevel::Error, text); };
    auto handler = [routes](HttpRequest request, HttpResponder responder) {
      routes->handle(std::move(request), std::move(responder));
    };

    common::Result<std::unique_ptr<common::HttpServer>> server = common::makeError("");
    if (config.family == config::HttpServerConfig::Family::Unix) {
      common::UnixSocketAddress address;
      address.path = config.file;
      address.mode = config.chmod;
      if (config.chownUid != static_cast<uid_t>(-1)) address.owner = config.chownUid;
      if (config.chownGid != static_cast<gid_t>(-1)) address.group = config.chownGid;
      server = common::HttpServer::listenUnix(supervisor.io(), address, options, handler);
    } else {
      common::TcpAddress address;
      address.host = config.host;
      address.port = static_cast<unsigned short>(config.port);
      server = common::HttpServer::listenTcp(supervisor.io(), address, options, handler);
    }
    if (!server) {
      const std::string& why = server.error();
      if (why.find("already listening") != std::string::npos || why.find("in use") != std::string::npos)
        return common::makeError(
            "Another program is already listening on a port that one of our HTTP servers is configured to use.  "
            "Shut this program down first before starting supervisord.");
      return common::makeError("Cannot open an HTTP server: " + why);
    }
    impl->servers.push_back(std::move(*server));

    for (const auto& interface : supervisor.config().rpcinterfaces)
      supervisor.log(LogLevel::Info, "RPC interface " + common::pythonRepr(interface.name) + " initialized");
    if (options.username.empty())
      supervisor.log(LogLevel::Critical,
                     "Server " + common::pythonRepr(config.section) + " running without any HTTP authentication checking");
    // The operator allowed an inet server without auth (for a non-loopback
    // address the config loader refuses it otherwise): say what that allows.
    if (options.username.empty() && config.allowUnauthenticated)
      supervisor.log(LogLevel::Critical, "Server " + common::pythonRepr(config.section) +
                                             " accepts unauthenticated requests from any host that can reach " +
                                             (config.host.empty() ? std::string("*") : config.host) + ":" +
                                             std::to_string(config.port) + " (allow_unauthenticated = true)");
  }
  return std::unique_ptr<HttpServers>(new HttpServers(std::move(impl)));
}

}  // namespace rpc
