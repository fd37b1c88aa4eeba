#pragma once
// xmlrpc::Value: one XML-RPC value, owned by us so that no header drags in
// xmlrpc-c (the codec in xmlrpc_codec.cpp converts at the edge).
//
// What a caller may rely on:
//  - every XML-RPC type has one alternative: int (held as int64: <i4>/<int> and
//    the <i8> extension both parse into it; it is written as <i4> when it fits in
//    32 bits, else as <i8>), boolean, double, string (UTF-8), base64 (raw bytes),
//    dateTime.iso8601 (naive, like Python's xmlrpc.client.DateTime), array,
//    struct, nil;
//  - a struct is a std::map, so encoding is deterministic (members sorted by name);
//  - as*() accessors REQUIRE the matching type (a mismatch throws
//    std::bad_variant_access: a bug, checking types is the dispatcher's job).

#include <concepts>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace common::xmlrpc {

struct Nil {
  bool operator==(const Nil&) const = default;
};

// Raw bytes sent as <base64>; Python's xmlrpc.client.Binary.
struct Base64 {
  std::string bytes;
  bool operator==(const Base64&) const = default;
};

// <dateTime.iso8601>, no time zone (XML-RPC has none); written as
// "YYYYMMDDTHH:MM:SS" like Python's xmlrpc.client.
struct DateTime {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;

  // The UTC calendar time of a Unix timestamp.
  static DateTime fromUnixTime(std::time_t seconds);
  std::string iso8601() const;
  bool operator==(const DateTime&) const = default;
};

// A fault a server raised: Supervisor's `faultCode` / `faultString`
// (e.g. {10, "BAD_NAME: foo"}).
struct Fault {
  int code = 0;
  std::string string;
  bool operator==(const Fault&) const = default;
};

class Value {
 public:
  using Array = std::vector<Value>;
  using Struct = std::map<std::string, Value>;
  // In the order of the variant's alternatives.
  enum class Type { nil, integer, boolean, real, string, base64, dateTime, array, structure };

  Value() = default;  // nil
  Value(Nil) {}
  template <std::integral Integer>
    requires(!std::same_as<Integer, bool>)
  Value(Integer number) : data_(static_cast<std::int64_t>(number)) {}
  Value(bool flag) : data_(flag) {}
  Value(double number) : data_(number) {}
  Value(std::string text) : data_(std::move(text)) {}
  Value(std::string_view text) : data_(std::string(text)) {}
  Value(const char* text) : data_(std::string(text)) {}
  Value(Base64 bytes) : data_(std::move(bytes)) {}
  Value(DateTime time) : data_(time) {}
  Value(Array items) : data_(std::move(items)) {}
  Value(Struct members) : data_(std::move(members)) {}

  Type type() const { return static_cast<Type>(data_.index()); }
  // The XML-RPC element name: "int", "boolean", "double", "string", "base64",
  // "dateTime.iso8601", "array", "struct", "nil".
  static const char* typeName(Type type);
  const char* typeName() const { return typeName(type()); }

  bool isNil() const { return type() == Type::nil; }
  bool isInt() const { return type() == Type::integer; }
  bool isBool() const { return type() == Type::boolean; }
  bool isDouble() const { return type() == Type::real; }
  bool isString() const { return type() == Type::string; }
  bool isBase64() const { return type() == Type::base64; }
  bool isDateTime() const { return type() == Type::dateTime; }
  bool isArray() const { return type() == Type::array; }
  bool isStruct() const { return type() == Type::structure; }

  // REQUIRES: the matching is*().
  std::int64_t asInt() const { return std::get<std::int64_t>(data_); }
  bool asBool() const { return std::get<bool>(data_); }
  double asDouble() const { return std::get<double>(data_); }
  const std::string& asString() const { return std::get<std::string>(data_); }
  const std::string& asBytes() const { return std::get<Base64>(data_).bytes; }
  const DateTime& asDateTime() const { return std::get<DateTime>(data_); }
  const Array& asArray() const { return std::get<Array>(data_); }
  Array& asArray() { return std::get<Array>(data_); }
  const Struct& asStruct() const { return std::get<Struct>(data_); }
  Struct& asStruct() { return std::get<Struct>(data_); }

  // A struct member, or nullptr when this is not a struct or has no such member.
  const Value* find(const std::string& name) const {
    if (!isStruct()) return nullptr;
    auto it = asStruct().find(name);
    return it == asStruct().end() ? nullptr : &it->second;
  }

  friend bool operator==(const Value& a, const Value& b) { return a.data_ == b.data_; }

 private:
  std::variant<Nil, std::int64_t, bool, double, std::string, Base64, DateTime, Array, Struct> data_;
};

inline const char* Value::typeName(Type type) {
  switch (type) {
    case Type::nil: return "nil";
    case Type::integer: return "int";
    case Type::boolean: return "boolean";
    case Type::real: return "double";
    case Type::string: return "string";
    case Type::base64: return "base64";
    case Type::dateTime: return "dateTime.iso8601";
    case Type::array: return "array";
    case Type::structure: return "struct";
  }
  return "unknown";
}

inline DateTime DateTime::fromUnixTime(std::time_t seconds) {
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return DateTime{utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec};
}

inline std::string DateTime::iso8601() const {
  char text[80];  // room for any int, so the compiler sees no truncation
  std::snprintf(text, sizeof text, "%04d%02d%02dT%02d:%02d:%02d", year, month, day, hour, minute, second);
  return text;
}

}  // namespace common::xmlrpc
