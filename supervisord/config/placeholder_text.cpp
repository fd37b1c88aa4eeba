// TEMPORARY placeholder until the python_format / shell_words branch lands.
#include "common/shell_words.h"
#include "supervisord/config/expansion.h"
namespace common {
Result<std::vector<std::pair<std::string, std::string>>> parseKeyValuePairs(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string t(text);
  size_t i = 0;
  while (i < t.size()) {
    while (i < t.size() && (t[i] == ',' || isspace((unsigned char)t[i]))) ++i;
    if (i >= t.size()) break;
    size_t eq = t.find('=', i);
    if (eq == std::string::npos) return makeError("Unexpected end of key/value pairs in value '" + t + "'");
    std::string k = t.substr(i, eq - i);
    while (!k.empty() && isspace((unsigned char)k.back())) k.pop_back();
    i = eq + 1;
    while (i < t.size() && isspace((unsigned char)t[i])) ++i;
    std::string v;
    if (i < t.size() && (t[i] == '"' || t[i] == '\'')) {
      char q = t[i++];
      size_t end = t.find(q, i);
      v = t.substr(i, end - i);
      i = end + 1;
    } else {
      size_t end = t.find(',', i);
      v = t.substr(i, end == std::string::npos ? std::string::npos : end - i);
      i = end == std::string::npos ? t.size() : end;
    }
    out.emplace_back(k, v);
  }
  return out;
}
}  // namespace common
namespace config {
common::Result<std::string> expand(std::string_view text, const Expansions& e, std::string_view name) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') { out += text[i]; continue; }
    if (i + 1 < text.size() && text[i + 1] == '%') { out += '%'; ++i; continue; }
    size_t close = text.find(')', i);
    if (i + 1 >= text.size() || text[i + 1] != '(' || close == std::string_view::npos)
      return common::makeError("Format string '" + std::string(text) + "' for '" + std::string(name) + "' is badly formatted");
    std::string key(text.substr(i + 2, close - i - 2));
    auto it = e.find(key);
    if (it == e.end()) return common::makeError("Format string '" + std::string(text) + "' for '" + std::string(name) + "' contains names ('" + key + "') which cannot be expanded");
    size_t j = close + 1;
    std::string spec;
    while (j < text.size() && (isdigit((unsigned char)text[j]))) spec += text[j++];
    char type = text[j];
    if (std::holds_alternative<long long>(it->second)) {
      char buf[64]; snprintf(buf, sizeof buf, ("%" + spec + "lld").c_str(), std::get<long long>(it->second)); out += buf;
    } else out += std::get<std::string>(it->second);
    (void)type;
    i = j;
  }
  return out;
}
}  // namespace config
