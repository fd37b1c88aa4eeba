#include "common/server_url.h"

#include <algorithm>
#include <cctype>

namespace common {

Result<ServerUrl> parseServerUrl(std::string_view url) {
  ServerUrl parsed;
  parsed.text = std::string(url);
  if (url.substr(0, 7) == "unix://") {
    parsed.scheme = ServerUrl::Scheme::unixSocket;
    parsed.socketPath = std::string(url.substr(7));
    if (parsed.socketPath.empty()) return makeError("serverurl " + parsed.text + " names no socket file");
    return parsed;
  }
  if (url.substr(0, 7) != "http://") return makeError("Unknown protocol for serverurl " + parsed.text);

  // http://[user:password@]host[:port][/path][?query][#fragment]
  std::string_view authority = url.substr(7);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return makeError("serverurl " + parsed.text + " has an unclosed '['");
    host = authority.substr(1, close - 1);
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return makeError("serverurl " + parsed.text + " is not a valid URL");
      port = rest.substr(1);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return makeError("serverurl " + parsed.text + " names no host");
  parsed.host = std::string(host);
  std::transform(parsed.host.begin(), parsed.host.end(), parsed.host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); })) {
      return makeError("serverurl " + parsed.text + ": port could not be cast to integer value as '" +
                       std::string(port) + "'");
    }
    const int number = std::stoi(std::string(port));
    if (number > 65535) return makeError("serverurl " + parsed.text + ": port out of range 0-65535");
    parsed.port = static_cast<unsigned short>(number);
  }
  return parsed;
}

}  // namespace common
