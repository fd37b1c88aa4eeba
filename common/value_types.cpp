#include "common/value_types.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <filesystem>

namespace common {
namespace {

std::string_view strip(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string pyQuote(std::string_view s) { return "'" + std::string(s) + "'"; }

// Python int(text, base) for bases 8 and 10, without a base prefix unless allowed.
std::optional<long long> pythonInt(std::string_view text, int base) {
  text = strip(text);
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (base == 8 && text.size() > 2 && text[0] == '0' && (text[1] == 'o' || text[1] == 'O')) {
    text.remove_prefix(2);
    if (!text.empty() && text.front() == '_') text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  long long value = 0;
  bool lastWasDigit = false;
  for (char c : text) {
    if (c == '_') {
      if (!lastWasDigit) return std::nullopt;
      lastWasDigit = false;
      continue;
    }
    if (c < '0' || c >= '0' + base) return std::nullopt;
    if (value > (std::numeric_limits<long long>::max() - (c - '0')) / base) return std::nullopt;
    value = value * base + (c - '0');
    lastWasDigit = true;
  }
  if (!lastWasDigit) return std::nullopt;
  return negative ? -value : value;
}

struct SignalEntry {
  const char* name;
  int number;
};
// Python's signal module on Linux: every SIG* name it defines (aliases included).
constexpr SignalEntry kSignals[] = {
    {"SIGHUP", SIGHUP},     {"SIGINT", SIGINT},       {"SIGQUIT", SIGQUIT},   {"SIGILL", SIGILL},
    {"SIGTRAP", SIGTRAP},   {"SIGABRT", SIGABRT},     {"SIGIOT", SIGIOT},     {"SIGBUS", SIGBUS},
    {"SIGFPE", SIGFPE},     {"SIGKILL", SIGKILL},     {"SIGUSR1", SIGUSR1},   {"SIGSEGV", SIGSEGV},
    {"SIGUSR2", SIGUSR2},   {"SIGPIPE", SIGPIPE},     {"SIGALRM", SIGALRM},   {"SIGTERM", SIGTERM},
    {"SIGSTKFLT", SIGSTKFLT}, {"SIGCHLD", SIGCHLD},   {"SIGCLD", SIGCHLD},    {"SIGCONT", SIGCONT},
    {"SIGSTOP", SIGSTOP},   {"SIGTSTP", SIGTSTP},     {"SIGTTIN", SIGTTIN},   {"SIGTTOU", SIGTTOU},
    {"SIGURG", SIGURG},     {"SIGXCPU", SIGXCPU},     {"SIGXFSZ", SIGXFSZ},   {"SIGVTALRM", SIGVTALRM},
    {"SIGPROF", SIGPROF},   {"SIGWINCH", SIGWINCH},   {"SIGIO", SIGIO},       {"SIGPOLL", SIGPOLL},
    {"SIGPWR", SIGPWR},     {"SIGSYS", SIGSYS},       {"SIGRTMIN", 34},       {"SIGRTMAX", 64},
};

}  // namespace

Result<long long> parseInteger(std::string_view text) {
  if (auto v = pythonInt(text, 10)) return *v;
  return makeError("not an integer: " + pyQuote(text));
}

Result<bool> parseBoolean(std::string_view text) {
  std::string s = lower(text);
  if (s == "yes" || s == "true" || s == "on" || s == "1") return true;
  if (s == "no" || s == "false" || s == "off" || s == "0") return false;
  return makeError("not a valid boolean value: " + pyQuote(text) + " (expected true/false, yes/no, on/off or 1/0)");
}

Result<double> parseDuration(std::string_view text) {
  std::string s = lower(strip(text));
  auto fail = [&] {
    return makeError("not a duration: " + pyQuote(text) +
                     " (expected seconds, or a number with ms, s, m or h, e.g. '500ms', '10s', '5m')");
  };
  size_t digits = 0, dots = 0, end = 0;
  for (; end < s.size() && (std::isdigit(static_cast<unsigned char>(s[end])) || s[end] == '.'); ++end)
    (s[end] == '.' ? dots : digits)++;
  if (digits == 0 || dots > 1) return fail();
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + end, value, std::chars_format::fixed);
  if (ec != std::errc() || ptr != s.data() + end) return fail();
  std::string_view unit = strip(std::string_view(s).substr(end));
  if (unit.empty() || unit == "s") return value;
  if (unit == "ms") return value / 1000;
  if (unit == "m") return value * 60;
  if (unit == "h") return value * 3600;
  return fail();
}

Result<long long> parseByteSize(std::string_view text) {
  std::string s = lower(text);
  long long multiplier = 1;
  std::string_view number = s;
  if (s.size() >= 2) {
    std::string_view suffix = std::string_view(s).substr(s.size() - 2);
    if (suffix == "kb") multiplier = 1024LL;
    if (suffix == "mb") multiplier = 1024LL * 1024;
    if (suffix == "gb") multiplier = 1024LL * 1024 * 1024;
    if (multiplier != 1) number = std::string_view(s).substr(0, s.size() - 2);
  }
  auto v = pythonInt(number, 10);
  if (!v) return makeError("not a byte size: " + pyQuote(text) + " (expected a number, optionally with KB, MB or GB)");
  return *v * multiplier;
}

Result<long long> parseOctal(std::string_view text) {
  if (auto v = pythonInt(text, 8)) return *v;
  return makeError(std::string(text) + " can not be converted to an octal type");
}

Result<int> parseSignal(std::string_view text) {
  if (auto v = pythonInt(text, 10)) {
    // Python accepts the numbers its signal module names (and 0..2, from SIG_DFL & co).
    for (const auto& s : kSignals)
      if (s.number == *v) return static_cast<int>(*v);
    if (*v >= 0 && *v <= 2) return static_cast<int>(*v);
    return makeError("value " + pyQuote(text) + " is not a valid signal number");
  }
  std::string name(strip(text));
  for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (name.rfind("SIG", 0) != 0) name = "SIG" + name;
  for (const auto& s : kSignals)
    if (name == s.name) return s.number;
  return makeError("value " + pyQuote(text) + " is not a valid signal name");
}

Result<std::vector<int>> parseExitCodes(std::string_view text) {
  std::vector<int> codes;
  if (text.empty()) return codes;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    auto v = pythonInt(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start), 10);
    if (!v || *v < 0 || *v > 255)
      return makeError("not a valid list of exit codes: " + pyQuote(text) + " (expected numbers 0-255 separated by commas)");
    codes.push_back(static_cast<int>(*v));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return codes;
}

std::vector<std::string> parseListOfStrings(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    out.emplace_back(strip(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

Result<std::pair<std::string, int>> parseInetAddress(std::string_view text) {
  std::string host;
  std::string_view portText = text;
  size_t colon = text.rfind(':');
  if (colon != std::string_view::npos) {
    host = lower(text.substr(0, colon));
    portText = text.substr(colon + 1);
    if (portText.empty()) return makeError("no port number specified in " + pyQuote(text));
  }
  auto port = pythonInt(portText, 10);
  if (!port) return makeError("not a valid port number: " + pyQuote(portText));
  if (*port < 1 || *port > 65535) return makeError("port " + std::to_string(*port) + " is out of range 1-65535");
  if (host == "*") host.clear();
  return std::make_pair(host, static_cast<int>(*port));
}

Result<uid_t> resolveUser(std::string_view nameOrId) {
  std::string name(nameOrId);
  if (auto id = pythonInt(name, 10)) {
    if (::getpwuid(static_cast<uid_t>(*id)) == nullptr) return makeError("Invalid user id " + name);
    return static_cast<uid_t>(*id);
  }
  const passwd* pw = ::getpwnam(name.c_str());
  if (pw == nullptr) return makeError("Invalid user name " + name);
  return pw->pw_uid;
}

Result<gid_t> resolveGroup(std::string_view nameOrId) {
  std::string name(nameOrId);
  if (auto id = pythonInt(name, 10)) {
    if (::getgrgid(static_cast<gid_t>(*id)) == nullptr) return makeError("Invalid group id " + name);
    return static_cast<gid_t>(*id);
  }
  const group* gr = ::getgrnam(name.c_str());
  if (gr == nullptr) return makeError("Invalid group name " + name);
  return gr->gr_gid;
}

Result<std::pair<uid_t, gid_t>> parseUserGroup(std::string_view text) {
  size_t colon = text.find(':');
  auto uid = resolveUser(text.substr(0, colon));
  if (!uid) return makeError("Invalid user:group definition " + std::string(text) + " (" + uid.error() + ")");
  gid_t gid = static_cast<gid_t>(-1);
  if (colon != std::string_view::npos) {
    auto g = resolveGroup(text.substr(colon + 1));
    if (!g) return makeError("Invalid user:group definition " + std::string(text) + " (" + g.error() + ")");
    gid = *g;
  }
  return std::make_pair(*uid, gid);
}

std::optional<gid_t> primaryGroupOf(uid_t uid) {
  const passwd* pw = ::getpwuid(uid);
  if (pw == nullptr) return std::nullopt;
  return pw->pw_gid;
}

Result<int> parseLogLevel(std::string_view text) {
  std::string s = lower(text);
  if (s == "critical") return 50;
  if (s == "error") return 40;
  if (s == "warn") return 30;
  if (s == "info") return 20;
  if (s == "debug") return 10;
  if (s == "trace") return 5;
  if (s == "blather") return 3;
  return makeError("bad logging level name " + pyQuote(text) +
                   " (expected critical, error, warn, info, debug, trace or blather)");
}

Result<std::string> parseProcessOrGroupName(std::string_view text) {
  std::string name(strip(text));
  for (char c : std::string_view(" :/")) {
    if (name.find(c) != std::string::npos)
      return makeError("Invalid name: " + pyQuote(text) + " because of character: " + pyQuote(std::string(1, c)));
  }
  return name;
}


std::string expandUser(std::string_view path) {
  if (path.empty() || path.front() != '~') return std::string(path);
  size_t slash = path.find('/');
  std::string_view user = path.substr(1, slash == std::string_view::npos ? std::string_view::npos : slash - 1);
  std::string home;
  if (user.empty()) {
    if (const char* h = std::getenv("HOME")) {
      home = h;
    } else if (const passwd* pw = ::getpwuid(::getuid())) {
      home = pw->pw_dir;
    } else {
      return std::string(path);
    }
  } else {
    const passwd* pw = ::getpwnam(std::string(user).c_str());
    if (pw == nullptr) return std::string(path);
    home = pw->pw_dir;
  }
  while (home.size() > 1 && home.back() == '/') home.pop_back();
  std::string rest = slash == std::string_view::npos ? "" : std::string(path.substr(slash));
  return home + rest;
}

std::string normalizePath(std::string_view path) {
  std::string p = expandUser(path);
  if (p.empty() || p.front() != '/') p = std::filesystem::current_path().string() + "/" + p;
  // os.path.normpath: collapse //, /./ and /../ lexically.
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= p.size()) {
    size_t slash = p.find('/', i);
    if (slash == std::string::npos) slash = p.size();
    std::string part = p.substr(i, slash - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = slash + 1;
  }
  std::string out;
  for (const auto& part : parts) out += "/" + part;
  return out.empty() ? "/" : out;
}

std::string directoryOf(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return "";
  std::string_view head = path.substr(0, slash + 1);
  // Trailing slashes are removed unless the head is all slashes.
  if (head.find_first_not_of('/') == std::string_view::npos) return std::string(head);
  while (!head.empty() && head.back() == '/') head.remove_suffix(1);
  return std::string(head);
}

bool isDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<std::string> parseExistingDirectory(std::string_view text) {
  std::string path = expandUser(text);
  if (isDirectory(path)) return path;
  return makeError(std::string(text) + " is not an existing directory");
}

Result<std::string> parseExistingDirPath(std::string_view text) {
  std::string path = expandUser(text);
  std::string dir = directoryOf(path);
  if (dir.empty() || isDirectory(dir)) return path;
  return makeError("The directory named as part of the path " + std::string(text) + " does not exist");
}

std::string tempDirectory() {
  for (const char* var : {"TMPDIR", "TEMP", "TMP"}) {
    const char* v = std::getenv(var);
    if (v && *v && isDirectory(v)) return normalizePath(v);
  }
  return "/tmp";
}

}  // namespace common

namespace common {

std::string secondsText(double seconds) {
  std::string text = std::to_string(seconds);  // six decimals: trailing zeros go, then a bare point
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text;
}

}  // namespace common
