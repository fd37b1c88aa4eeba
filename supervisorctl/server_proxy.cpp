#include "supervisorctl/server_proxy.h"

#include <cerrno>
#include <cstring>

#include "common/python_str.h"
#include "common/server_url.h"
#include "common/xmlrpc_codec.h"

namespace supervisorctl {

namespace {

// Where Python 3.11 and Supervisor 4.2.5 raise what supervisorctl reports
// (asyncore.compact_traceback names the innermost frame).
constexpr const char* kTransportFile = "/usr/lib/python3/dist-packages/supervisor/xmlrpc.py";
constexpr const char* kSocketFile = "/usr/lib/python3.11/socket.py";
constexpr const char* kXmlrpcClientFile = "/usr/lib/python3.11/xmlrpc/client.py";

// The OSError subclass Python picks for an errno.
std::string pythonOsErrorClass(int error) {
  switch (error) {
    case ENOENT: return "FileNotFoundError";
    case ECONNREFUSED: return "ConnectionRefusedError";
    case EACCES:
    case EPERM: return "PermissionError";
    case ETIMEDOUT: return "TimeoutError";
    case ECONNRESET: return "ConnectionResetError";
    case ECONNABORTED: return "ConnectionAbortedError";
    case EPIPE: return "BrokenPipeError";
    case ENOTDIR: return "NotADirectoryError";
    default: return "OSError";
  }
}

// getaddrinfo failures come back from HttpClient as gai_strerror text.
int gaiErrorNumber(const std::string& message) {
  if (message.find("Name or service not known") != std::string::npos) return -2;
  if (message.find("Temporary failure in name resolution") != std::string::npos) return -3;
  if (message.find("No address associated with hostname") != std::string::npos) return -5;
  return 0;
}

std::string errorLine(const std::string& type, const std::string& text, const std::string& file, int line) {
  return "error: <class '" + type + "'>, " + text + ": file: " + file + " line: " + std::to_string(line);
}

}  // namespace

std::string RpcReply::pythonError() const {
  switch (kind) {
    case Kind::value: return "";
    case Kind::fault:
      return errorLine("xmlrpc.client.Fault",
                       "<Fault " + std::to_string(fault.code) + ": " + common::pythonRepr(fault.string) + ">",
                       kXmlrpcClientFile, 668);
    case Kind::httpStatus:
      return errorLine("xmlrpc.client.ProtocolError",
                       "<ProtocolError for 127.0.0.1/RPC2: " + std::to_string(httpStatus) + " " + httpReason + ">",
                       kTransportFile, 539);
    case Kind::socketError: {
      if (const int gai = gaiErrorNumber(message); gai != 0) {
        const auto colon = message.rfind(": ");
        return errorLine("socket.gaierror", "[Errno " + std::to_string(gai) + "] " + message.substr(colon + 2),
                         kSocketFile, 962);
      }
      if (!socketWhileConnecting) {
        return errorLine("http.client.RemoteDisconnected", "Remote end closed connection without response",
                         "/usr/lib/python3.11/http/client.py", 287);
      }
      const std::string text =
          socketErrno != 0 ? "[Errno " + std::to_string(socketErrno) + "] " + std::strerror(socketErrno) : message;
      return errorLine(pythonOsErrorClass(socketErrno), text, unixSocket ? kTransportFile : kSocketFile,
                       unixSocket ? 557 : 836);
    }
    case Kind::badServerUrl: return message;
    case Kind::badResponse:
      return errorLine("xml.parsers.expat.ExpatError", message, kXmlrpcClientFile, 446);
  }
  return "";
}

ServerProxy::ServerProxy(std::string serverurl, std::optional<std::string> username,
                         std::optional<std::string> password)
    : serverurl_(std::move(serverurl)) {
  auto parsed = common::parseServerUrl(serverurl_);
  if (!parsed) {
    RpcReply problem;
    problem.kind = RpcReply::Kind::badServerUrl;
    const std::string& why = parsed.error();
    if (why.rfind("Unknown protocol", 0) == 0) {
      problem.message = errorLine("ValueError", why, kTransportFile, 505);
    } else if (const auto at = why.find("port could not be cast"); at != std::string::npos) {
      problem.message = errorLine("ValueError", "P" + why.substr(at + 1), "/usr/lib/python3.11/urllib/parse.py", 182);
    } else if (why.find("port out of range") != std::string::npos) {
      problem.message = errorLine("ValueError", "Port out of range 0-65535", "/usr/lib/python3.11/urllib/parse.py", 185);
    } else {
      problem.message = errorLine("ValueError", why, kTransportFile, 505);
    }
    urlProblem_ = problem;
    return;
  }
  common::HttpClientOptions options;
  if (username && password) {
    options.username = *username;
    options.password = *password;
  }
  client_ = std::make_unique<common::HttpClient>(std::move(parsed.value()), std::move(options));
}

ServerProxy::~ServerProxy() = default;

std::optional<RpcReply> ServerProxy::urlProblem() const { return urlProblem_; }

RpcReply ServerProxy::call(std::string_view method, const xmlrpc::Value::Array& params) {
  if (urlProblem_) return *urlProblem_;
  RpcReply reply;
  auto response = client_->post("/RPC2", common::xmlrpc::encodeCall(method, params));
  if (!response) {
    reply.kind = RpcReply::Kind::socketError;
    reply.socketErrno = client_->lastErrno();
    reply.message = response.error();
    reply.socketWhileConnecting = reply.message.rfind("could not connect", 0) == 0;
    reply.unixSocket = client_->server().scheme == common::ServerUrl::Scheme::unixSocket;
    return reply;
  }
  if (response->status != 200) {
    client_->close();
    reply.kind = RpcReply::Kind::httpStatus;
    reply.httpStatus = response->status;
    reply.httpReason = response->reason;
    return reply;
  }
  auto parsed = common::xmlrpc::parseResponse(response->body);
  if (!parsed) {
    reply.kind = RpcReply::Kind::badResponse;
    reply.message = parsed.error();
    return reply;
  }
  if (parsed->isFault()) {
    reply.kind = RpcReply::Kind::fault;
    reply.fault = *parsed->fault;
    return reply;
  }
  reply.value = std::move(parsed->value);
  return reply;
}

}  // namespace supervisorctl
