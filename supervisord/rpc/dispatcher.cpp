#include "supervisord/rpc/dispatcher.h"

#include <memory>
#include <utility>
#include <vector>

#include "common/value_types.h"
#include "supervisord/rpc/faults.h"
#include "supervisord/rpc/method_docs.h"

namespace rpc {

namespace {

const MethodDoc* findDoc(const std::string& name) {
  for (const auto& doc : methodDocs())
    if (doc.name == name) return &doc;
  return nullptr;
}

// A multicall entry's fault, as Supervisor puts it in the results array.
Value faultStruct(const Fault& fault) {
  return Value::Struct{{"faultCode", fault.code}, {"faultString", fault.string}};
}

Value asResult(const Outcome& outcome) {
  if (const auto* fault = std::get_if<Fault>(&outcome)) return faultStruct(*fault);
  return std::get<Value>(outcome);
}

}  // namespace

std::optional<std::string> Params::string(std::size_t i) const {
  const Value& v = values_.at(i);
  if (v.isString()) return v.asString();
  if (v.isBase64()) return v.asBytes();
  return std::nullopt;
}

std::optional<int64_t> Params::integer(std::size_t i) const {
  const Value& v = values_.at(i);
  if (v.isInt()) return v.asInt();
  if (v.isBool()) return v.asBool() ? 1 : 0;
  if (v.isDouble()) {
    const double d = v.asDouble();
    if (d != d || d > 9.2e18 || d < -9.2e18) return std::nullopt;
    return static_cast<int64_t>(d);
  }
  if (v.isString()) {
    auto parsed = common::parseInteger(v.asString());
    if (parsed) return *parsed;
  }
  return std::nullopt;
}

bool Params::truthy(std::size_t i, bool fallback) const {
  if (i >= values_.size()) return fallback;
  const Value& v = values_[i];
  switch (v.type()) {
    case Value::Type::nil: return false;
    case Value::Type::integer: return v.asInt() != 0;
    case Value::Type::boolean: return v.asBool();
    case Value::Type::real: return v.asDouble() != 0.0;
    case Value::Type::string: return !v.asString().empty();
    case Value::Type::base64: return !v.asBytes().empty();
    case Value::Type::dateTime: return true;
    case Value::Type::array: return !v.asArray().empty();
    case Value::Type::structure: return !v.asStruct().empty();
  }
  return fallback;
}

std::optional<Outcome> finished(const Reply& reply) {
  if (const auto* value = std::get_if<Value>(&reply)) return Outcome{*value};
  if (const auto* fault = std::get_if<Fault>(&reply)) return Outcome{*fault};
  return std::nullopt;
}

Dispatcher::Dispatcher() {
  add("system.listMethods", 0, 0, [this](const Params&) -> Reply {
    Value::Array names;
    for (const auto& doc : methodDocs())
      if (methods_.count(doc.name)) names.emplace_back(doc.name);
    return Value(std::move(names));
  });
  add("system.methodHelp", 1, 1, [this](const Params& params) -> Reply {
    auto name = params.string(0);
    if (name && methods_.count(*name))
      if (const MethodDoc* doc = findDoc(*name)) return Value(doc->help);
    return rpcError(Faults::SIGNATURE_UNSUPPORTED);
  });
  add("system.methodSignature", 1, 1, [this](const Params& params) -> Reply {
    auto name = params.string(0);
    if (name && methods_.count(*name))
      if (const MethodDoc* doc = findDoc(*name); doc && !doc->signature.empty()) {
        Value::Array types;
        for (const auto& type : doc->signature) types.emplace_back(type);
        return Value(std::move(types));
      }
    return rpcError(Faults::SIGNATURE_UNSUPPORTED);
  });
  add("system.multicall", 1, 1, [this](const Params& params) { return multicall(params); });
}

void Dispatcher::add(const std::string& name, std::size_t minParams, std::size_t maxParams, Function function) {
  methods_[name] = Method{minParams, maxParams, std::move(function)};
}

Reply Dispatcher::call(const std::string& method, const Value::Array& params) const {
  auto it = methods_.find(method);
  if (it == methods_.end()) return rpcError(Faults::UNKNOWN_METHOD);
  const Method& m = it->second;
  if (params.size() < m.minParams || params.size() > m.maxParams) return rpcError(Faults::INCORRECT_PARAMETERS);
  return m.function(Params(params));
}

// Supervisor's multicall: the calls run in order; one that answers later holds
// up the rest until it has answered. Each result is the value itself or a
// {faultCode, faultString} struct.
Reply Dispatcher::multicall(const Params& params) const {
  if (!params[0].isArray()) return rpcError(Faults::INCORRECT_PARAMETERS);

  struct State {
    std::vector<Value> remaining;
    std::size_t nextCall = 0;
    std::optional<Poll> waiting;
    Value::Array results;
  };
  auto state = std::make_shared<State>();
  state->remaining = params[0].asArray();

  auto step = [this, state]() -> std::optional<Outcome> {
    if (state->waiting) {
      auto outcome = state->waiting->next();
      if (!outcome) return std::nullopt;
      state->results.push_back(asResult(*outcome));
      state->waiting.reset();
    }
    while (!state->waiting && state->nextCall < state->remaining.size()) {
      const Value& entry = state->remaining[state->nextCall++];
      const Value* name = entry.find("methodName");
      const Value* callParams = entry.find("params");
      Reply reply;
      if (!entry.isStruct() || (callParams && !callParams->isArray()))
        reply = rpcError(Faults::INCORRECT_PARAMETERS);
      else if (!name)
        reply = rpcError(Faults::INCORRECT_PARAMETERS, "No methodName");
      else if (!name->isString())
        reply = rpcError(Faults::UNKNOWN_METHOD);
      else if (name->asString() == "system.multicall")
        reply = rpcError(Faults::INCORRECT_PARAMETERS, "Recursive system.multicall forbidden");
      else
        reply = call(name->asString(), callParams ? callParams->asArray() : Value::Array{});
      if (auto* poll = std::get_if<Poll>(&reply))
        state->waiting = std::move(*poll);
      else
        state->results.push_back(asResult(*finished(reply)));
    }
    if (state->waiting) return std::nullopt;
    return Outcome{Value(state->results)};
  };

  if (auto outcome = step()) return std::visit([](auto&& v) -> Reply { return v; }, *outcome);
  return Poll{step, std::chrono::milliseconds(50)};
}

}  // namespace rpc
