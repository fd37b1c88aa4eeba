#pragma once
// Dispatcher: our XML-RPC method table (not xmlrpc-c's registry). It finds a
// method by its dotted name, checks the parameter count as Python's func(*params)
// does (INCORRECT_PARAMETERS), calls it, and serves system.listMethods,
// methodHelp, methodSignature and multicall from method_docs.h.
//
// A method answers now (a value or a fault) or later: it returns a Poll, which
// the caller (the HTTP route) calls again every Poll::delay on the loop until it
// gives an answer, as Supervisor's deferred (NOT_DONE_YET) callbacks. Nothing
// here blocks; single-threaded, on the daemon's loop.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>

#include "common/xmlrpc_value.h"

namespace rpc {

using common::xmlrpc::Fault;
using common::xmlrpc::Value;

// A finished answer.
using Outcome = std::variant<Value, Fault>;

// A deferred answer: nullopt while not done yet.
struct Poll {
  std::function<std::optional<Outcome>()> next;
  std::chrono::milliseconds delay{50};
};

using Reply = std::variant<Value, Fault, Poll>;

// A method's positional parameters, read with Python's coercions. Each getter
// returns nullopt when the value cannot be taken as that type (the method then
// answers INCORRECT_PARAMETERS).
class Params {
 public:
  explicit Params(const Value::Array& values) : values_(values) {}
  std::size_t size() const { return values_.size(); }
  const Value& operator[](std::size_t i) const { return values_[i]; }

  // A string (base64 bytes are taken as their text, as Supervisor's loads does).
  std::optional<std::string> string(std::size_t i) const;
  // int(x): an int, a boolean, a double (truncated) or a string holding an integer.
  std::optional<int64_t> integer(std::size_t i) const;
  // Python truthiness, `fallback` when the parameter was not given.
  bool truthy(std::size_t i, bool fallback) const;

 private:
  const Value::Array& values_;
};

class Dispatcher {
 public:
  using Function = std::function<Reply(const Params&)>;

  Dispatcher();

  // REQUIRES: `name` is one of methodDocs() (its help and signature come from
  // there). Parameter counts outside [minParams, maxParams] are refused with
  // INCORRECT_PARAMETERS before `function` runs.
  void add(const std::string& name, std::size_t minParams, std::size_t maxParams, Function function);

  // Supervisor's traverse(): an unknown name (or one not of the form
  // "namespace.method") is UNKNOWN_METHOD.
  Reply call(const std::string& method, const Value::Array& params) const;

 private:
  struct Method {
    std::size_t minParams;
    std::size_t maxParams;
    Function function;
  };

  Reply multicall(const Params& params) const;

  std::map<std::string, Method> methods_;
};

// The outcome of `reply` if it is already one (nullopt for a Poll).
std::optional<Outcome> finished(const Reply& reply);

}  // namespace rpc
