#pragma once
// ServerProxy: supervisorctl's XML-RPC calls to one supervisord, like Python's
// xmlrpclib.ServerProxy over SupervisorTransport: one kept-alive connection,
// Basic auth when both username and password are set.
//
// Every outcome is a value (RpcReply): the result, the fault the server raised,
// an HTTP status other than 200 (Python's ProtocolError) or a socket failure.
// RpcReply::pythonError() words the ones supervisorctl does not handle the way
// Python's catch-all in Controller.onecmd prints them.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/http_client.h"
#include "common/xmlrpc_value.h"

namespace supervisorctl {

namespace xmlrpc = common::xmlrpc;

// Supervisor's xmlrpc.Faults.
namespace faults {
inline constexpr int UNKNOWN_METHOD = 1, INCORRECT_PARAMETERS = 2, BAD_ARGUMENTS = 3, SIGNATURE_UNSUPPORTED = 4,
                     SHUTDOWN_STATE = 6, BAD_NAME = 10, BAD_SIGNAL = 11, NO_FILE = 20, NOT_EXECUTABLE = 21,
                     FAILED = 30, ABNORMAL_TERMINATION = 40, SPAWN_ERROR = 50, ALREADY_STARTED = 60,
                     NOT_RUNNING = 70, SUCCESS = 80, ALREADY_ADDED = 90, STILL_RUNNING = 91, CANT_REREAD = 92;
// supervisor-ha's ha.* faults (supervisord/rpc/faults.h).
inline constexpr int NOT_PROMOTABLE = 200, HOOK_FAILED = 201, BUSY = 202, CLUSTER_MANAGED = 203, NOT_CLUSTERED = 204;
}

struct RpcReply {
  enum class Kind {
    value,          // the call returned `value`
    fault,          // the server raised `fault`
    httpStatus,     // HTTP status other than 200: `httpStatus`, `httpReason`
    socketError,    // connect or transfer failed: `socketErrno` (0 if unknown), `message`
    badServerUrl,   // the serverurl cannot be used: `message`
    badResponse,    // the body was not an XML-RPC response: `message`
  };
  Kind kind = Kind::value;
  xmlrpc::Value value;
  xmlrpc::Fault fault;
  int httpStatus = 0;
  std::string httpReason;
  int socketErrno = 0;
  bool socketWhileConnecting = false;
  bool unixSocket = false;
  std::string message;

  bool ok() const { return kind == Kind::value; }
  bool isFault() const { return kind == Kind::fault; }
  bool isFault(int code) const { return kind == Kind::fault && fault.code == code; }
  bool isSocketError(int error) const { return kind == Kind::socketError && socketErrno == error; }

  // The line Python's supervisorctl prints for this outcome when no command
  // handles it: "error: <class 'ConnectionRefusedError'>, [Errno 111]
  // Connection refused: file: /usr/lib/python3.11/socket.py line: 836".
  std::string pythonError() const;
};

class ServerProxy {
 public:
  // A proxy for `serverurl`; credentials are sent when both are set.
  ServerProxy(std::string serverurl, std::optional<std::string> username, std::optional<std::string> password);
  ~ServerProxy();

  // Whether the URL is usable; otherwise a badServerUrl reply saying why
  // (Python raises it when it builds the proxy).
  std::optional<RpcReply> urlProblem() const;

  // Calls `method` (e.g. "supervisor.getAllProcessInfo") and waits for the answer.
  RpcReply call(std::string_view method, const xmlrpc::Value::Array& params = {});

  const std::string& serverurl() const { return serverurl_; }

 private:
  std::string serverurl_;
  std::optional<RpcReply> urlProblem_;
  std::unique_ptr<common::HttpClient> client_;
};

}  // namespace supervisorctl
