#pragma once
// Controller: supervisorctl's command interpreter (Python's Controller, a
// cmd.Cmd): parses a line into action and argument, runs the action from the
// command table, keeps the LSB exit status, and prints what Python prints for
// outcomes no action handles ("error: <class ...>, ...: file: ... line: ...").
//
// An action that meets an outcome it does not handle calls raise() and returns
// at once; onecmd() then reports it the way Python's catch-all does, including
// the "Server requires authentication" retry on HTTP 401.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "supervisorctl/client_options.h"
#include "supervisorctl/server_proxy.h"

namespace supervisorctl {

// LSBInitExitStatuses and LSBStatusExitStatuses.
namespace exitstatus {
inline constexpr int SUCCESS = 0, GENERIC = 1, INVALID_ARGS = 2, UNIMPLEMENTED_FEATURE = 3,
                     INSUFFICIENT_PRIVILEGES = 4, NOT_INSTALLED = 5, NOT_RUNNING = 7;
inline constexpr int STATUS_NOT_RUNNING = 3, STATUS_UNKNOWN = 4;
}  // namespace exitstatus

class Controller {
 public:
  // Reads a line after printing `prompt`; nullopt at end of input.
  using LineReader = std::function<std::optional<std::string>(const std::string& prompt)>;

  explicit Controller(ClientOptions options);
  ~Controller();

  // Runs one line; true when the shell should end (EOF, quit, exit).
  bool onecmd(std::string_view line);

  // Writes `message` and a newline to stdout, flushed (Python runs with -u).
  void output(std::string_view message);

  // Checks that the server answers and speaks API 3.0; says why not and sets
  // the exit status otherwise (or raise()s what it cannot word).
  bool upcheck();
  // get_supervisor(): false (having raised) when the serverurl is unusable.
  bool checkServerUrl();
  // A call to supervisord with the current serverurl and credentials.
  RpcReply call(std::string_view method, const xmlrpc::Value::Array& params = {});
  // Records an outcome the running action does not handle; it must return next.
  void raise(const RpcReply& reply);
  bool hasRaised() const { return raised_.has_value(); }

  // An exit status from a multi-process result's fault code
  // (set_exitstatus_from_xmlrpc_fault).
  void setExitstatusFromFault(int faultCode, std::optional<int> ignoredFaultCode = std::nullopt);

  // getAllProcessInfo for tab completion, cached until the next command.
  const xmlrpc::Value::Array& completionInfo();

  ClientOptions& options() { return options_; }
  int exitstatus = exitstatus::SUCCESS;
  // How questions (y/N, Username:) are read; the interactive shell sets it.
  LineReader readLine;
  // How a password is read without echo.
  LineReader readPassword;

 private:
  ServerProxy& proxy();
  void report(const RpcReply& reply);

  ClientOptions options_;
  std::unique_ptr<ServerProxy> proxy_;
  std::optional<std::string> proxyUsername_, proxyPassword_;
  std::optional<RpcReply> raised_;
  std::optional<xmlrpc::Value::Array> completionInfo_;
};

// The arguments of an action, split on whitespace like Python's str.split().
std::vector<std::string> splitWords(std::string_view text);

}  // namespace supervisorctl
