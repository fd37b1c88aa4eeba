#pragma once
// Result<T>: a value or an error a user can act on (STYLE.md: expected failures are
// values, not exceptions): a message, and a kind the layers above react to without
// reading the message (rpc maps kinds to faults in one table: rpc/faults.h).
// std::expected needs C++23 on g++ 12.

#include <string>
#include <utility>
#include <variant>

namespace common {

// The kinds a caller tells apart; everything else is Failed.
enum class ErrorKind {
  Failed,          // anything else: the message says what
  NoSuchProcess,   // no process or program by that name
  BadArguments,    // arguments that cannot be right whatever the state
  NotRunning,      // the operation needs a running process
  NoFile,          // a file or command that is not there (stdin closed, command not found)
  NotExecutable,   // a command that is there but cannot be run
  NotPromotable,   // a role operation on a process without role = promotable
  ClusterManaged,  // the cluster decides (roles in a cluster, a handover it rules out)
  Busy,            // the same operation is already running
};

struct Error {
  std::string message;
  ErrorKind kind = ErrorKind::Failed;
};

inline Error makeError(std::string message) { return Error{std::move(message)}; }
inline Error makeError(ErrorKind kind, std::string message) { return Error{std::move(message), kind}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // REQUIRES: !ok()
  const std::string& error() const { return std::get<1>(state_).message; }
  ErrorKind errorKind() const { return std::get<1>(state_).kind; }
  Error takeError() { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

// Result<void>: success or an error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error.message)), kind_(error.kind), failed_(true) {}

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const std::string& error() const { return error_; }
  ErrorKind errorKind() const { return kind_; }
  Error takeError() { return Error{std::move(error_), kind_}; }

 private:
  std::string error_;
  ErrorKind kind_ = ErrorKind::Failed;
  bool failed_ = false;
};

}  // namespace common
