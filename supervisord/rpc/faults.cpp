#include "supervisord/rpc/faults.h"

#include <utility>

namespace rpc {

namespace {

constexpr std::pair<int, const char*> kFaultNames[] = {
    {Faults::UNKNOWN_METHOD, "UNKNOWN_METHOD"},
    {Faults::INCORRECT_PARAMETERS, "INCORRECT_PARAMETERS"},
    {Faults::BAD_ARGUMENTS, "BAD_ARGUMENTS"},
    {Faults::SIGNATURE_UNSUPPORTED, "SIGNATURE_UNSUPPORTED"},
    {Faults::SHUTDOWN_STATE, "SHUTDOWN_STATE"},
    {Faults::BAD_NAME, "BAD_NAME"},
    {Faults::BAD_SIGNAL, "BAD_SIGNAL"},
    {Faults::NO_FILE, "NO_FILE"},
    {Faults::NOT_EXECUTABLE, "NOT_EXECUTABLE"},
    {Faults::FAILED, "FAILED"},
    {Faults::ABNORMAL_TERMINATION, "ABNORMAL_TERMINATION"},
    {Faults::SPAWN_ERROR, "SPAWN_ERROR"},
    {Faults::ALREADY_STARTED, "ALREADY_STARTED"},
    {Faults::NOT_RUNNING, "NOT_RUNNING"},
    {Faults::SUCCESS, "SUCCESS"},
    {Faults::ALREADY_ADDED, "ALREADY_ADDED"},
    {Faults::STILL_RUNNING, "STILL_RUNNING"},
    {Faults::CANT_REREAD, "CANT_REREAD"},
    {Faults::NOT_PROMOTABLE, "NOT_PROMOTABLE"},
    {Faults::CLUSTER_MANAGED, "CLUSTER_MANAGED"},
    {Faults::NOT_CLUSTERED, "NOT_CLUSTERED"},
    {Faults::HOOK_FAILED, "HOOK_FAILED"},
    {Faults::BUSY, "BUSY"},
};

}  // namespace

int faultFor(common::ErrorKind kind) {
  using common::ErrorKind;
  switch (kind) {
    case ErrorKind::Failed: return Faults::FAILED;
    case ErrorKind::NoSuchProcess: return Faults::BAD_NAME;
    case ErrorKind::BadArguments: return Faults::BAD_ARGUMENTS;
    case ErrorKind::NotRunning: return Faults::NOT_RUNNING;
    case ErrorKind::NoFile: return Faults::NO_FILE;
    case ErrorKind::NotExecutable: return Faults::NOT_EXECUTABLE;
    case ErrorKind::NotPromotable: return Faults::NOT_PROMOTABLE;
    case ErrorKind::ClusterManaged: return Faults::CLUSTER_MANAGED;
    case ErrorKind::Busy: return Faults::BUSY;
  }
  return Faults::FAILED;
}

std::string faultName(int code) {
  for (const auto& [c, name] : kFaultNames)
    if (c == code) return name;
  return "UNKNOWN";
}

std::optional<int> faultCode(const std::string& name) {
  for (const auto& [c, n] : kFaultNames)
    if (name == n) return c;
  return std::nullopt;
}

common::xmlrpc::Fault rpcError(int code, const std::optional<std::string>& extra) {
  std::string text = faultName(code);
  if (extra) text += ": " + *extra;
  return common::xmlrpc::Fault{code, std::move(text)};
}

}  // namespace rpc
