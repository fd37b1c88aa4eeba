#pragma once
// Reading the structs supervisord returns (getProcessInfo, multi-process
// results, getAllConfigInfo) without trusting their types: a missing or
// mistyped member reads as "" or 0.

#include <cstdint>
#include <string>

#include "common/xmlrpc_value.h"

namespace supervisorctl {

inline std::string memberString(const common::xmlrpc::Value& info, const std::string& name) {
  const common::xmlrpc::Value* member = info.find(name);
  return member && member->isString() ? member->asString() : std::string();
}

inline std::int64_t memberInt(const common::xmlrpc::Value& info, const std::string& name) {
  const common::xmlrpc::Value* member = info.find(name);
  if (!member) return 0;
  if (member->isInt()) return member->asInt();
  if (member->isBool()) return member->asBool() ? 1 : 0;
  return 0;
}

inline double memberDouble(const common::xmlrpc::Value& info, const std::string& name) {
  const common::xmlrpc::Value* member = info.find(name);
  if (!member) return 0;
  if (member->isDouble()) return member->asDouble();
  if (member->isInt()) return static_cast<double>(member->asInt());
  return 0;
}

inline bool memberBool(const common::xmlrpc::Value& info, const std::string& name) {
  return memberInt(info, name) != 0;
}

inline const common::xmlrpc::Value::Array& memberArray(const common::xmlrpc::Value& info, const std::string& name) {
  static const common::xmlrpc::Value::Array kNone;
  const common::xmlrpc::Value* member = info.find(name);
  return member && member->isArray() ? member->asArray() : kNone;
}

// Python's str() of a member, for values printed as they come (pid, priorities).
inline std::string memberText(const common::xmlrpc::Value& info, const std::string& name) {
  const common::xmlrpc::Value* member = info.find(name);
  if (!member) return "None";
  if (member->isInt()) return std::to_string(member->asInt());
  if (member->isBool()) return member->asBool() ? "True" : "False";
  if (member->isString()) return member->asString();
  return "";
}

}  // namespace supervisorctl
