#include "supervisord/config/policy_sections.h"

#include <cctype>
#include <charconv>
#include <functional>
#include <sstream>

#include "common/value_types.h"
#include "supervisord/config/value_parsers.h"

namespace config {
namespace {

using common::Result;

enum class Bound { AtLeastZero, AboveZero };

Parser<double> duration(std::string key, Bound bound) {
  return [key = std::move(key), bound](std::string_view text) -> Result<double> {
    auto seconds = common::parseDuration(text);
    if (!seconds || (bound == Bound::AboveZero && *seconds <= 0))
      return invalid(key, text,
                     std::string(bound == Bound::AboveZero ? "a duration > 0" : "a duration >= 0") +
                         " in seconds, or with ms, s, m or h, e.g. '10', '500ms', '5m'");
    return *seconds;
  };
}

Parser<int> positiveInteger(std::string key) {
  return [key = std::move(key)](std::string_view text) -> Result<int> {
    auto n = common::parseInteger(text);
    if (!n || *n < 1 || *n > 1000000000) return invalid(key, text, "an integer >= 1");
    return static_cast<int>(*n);
  };
}

// A plain decimal number, "0.2" or "20" (no sign, no exponent).
std::optional<double> decimal(std::string_view text) {
  if (text.empty() || text.find_first_not_of("0123456789.") != std::string_view::npos) return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// backoff_jitter: a fraction 0..1, "0.2" or "20%".
Result<double> jitter(std::string_view text) {
  std::string s = strip(text);
  std::optional<double> value;
  if (!s.empty() && s.back() == '%') {
    value = decimal(strip(std::string_view(s).substr(0, s.size() - 1)));
    if (value) *value /= 100;
  } else {
    value = decimal(s);
  }
  if (!value || *value > 1) return invalid("backoff_jitter", text, "a fraction from 0 to 1, e.g. '0.2' or '20%'");
  return *value;
}

// "N in T": a word, blanks, "in" (any case), blanks, the rest (std::regex is slow to
// build, and g++ 12 warns wrongly on it under the sanitizers).
bool splitBudget(std::string_view text, std::string& count, std::string& window) {
  const std::string s = strip(text);
  const auto firstBlank = s.find_first_of(" \t\r\n");
  if (firstBlank == std::string::npos) return false;
  const auto in = s.find_first_not_of(" \t\r\n", firstBlank);
  if (in == std::string::npos || s.size() < in + 3 || lower(s.substr(in, 2)) != "in" ||
      !std::isspace(static_cast<unsigned char>(s[in + 2])))
    return false;
  count = s.substr(0, firstBlank);
  window = strip(std::string_view(s).substr(in + 2));
  return !window.empty();
}

Parser<RestartBudget> restartBudget(std::string key) {
  return [key = std::move(key)](std::string_view text) -> Result<RestartBudget> {
    std::string count, window;
    if (!splitBudget(text, count, window)) return invalid(key, text, "'N in T', e.g. '5 in 60s'");
    auto restarts = common::parseInteger(count);
    auto seconds = common::parseDuration(window);
    if (!restarts || !seconds || *restarts < 1 || *restarts > 1000000000 || *seconds <= 0)
      return invalid(key, text, "'N in T' with N >= 1 restarts and a duration T > 0, e.g. '5 in 60s'");
    return RestartBudget{static_cast<int>(*restarts), *seconds};
  };
}

// "host:port" of a probe; brackets around an IPv6 host are dropped.
bool splitHostPort(std::string_view text, std::string& host, int& port) {
  size_t colon = text.rfind(':');
  size_t bracket = text.rfind(']');
  if (colon == std::string_view::npos || (bracket != std::string_view::npos && colon < bracket)) {
    host = std::string(text);
  } else {
    host = std::string(text.substr(0, colon));
    auto number = common::parseInteger(text.substr(colon + 1));
    if (!number || *number < 1 || *number > 65535) return false;
    port = static_cast<int>(*number);
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return !host.empty() && host.find_first_of(" \t/") == std::string::npos;
}

Parser<ProbeConfig> probe(std::string key) {
  return [key = std::move(key)](std::string_view text) -> Result<ProbeConfig> {
    ProbeConfig p;
    p.spec = strip(text);
    std::string_view spec = p.spec;
    std::string scheme = lower(spec.substr(0, spec.find(':') + 1));
    if (scheme == "exec:") {
      p.kind = ProbeConfig::Kind::Exec;
      p.command = strip(spec.substr(5));
      if (p.command.empty()) return invalid(key, text, "a command line after 'exec:'");
      return p;
    }
    if (scheme == "tcp:") {
      p.kind = ProbeConfig::Kind::Tcp;
      p.port = 0;
      if (!splitHostPort(spec.substr(4), p.host, p.port) || p.port == 0)
        return invalid(key, text, "tcp:<host>:<port> with a port 1-65535");
      return p;
    }
    if (scheme == "http:" && lower(spec.substr(0, 7)) == "http://") {
      p.kind = ProbeConfig::Kind::Http;
      p.port = 80;
      std::string_view rest = spec.substr(7);
      size_t pathStart = rest.find_first_of("/?");
      p.path = pathStart == std::string_view::npos ? "/" : std::string(rest.substr(pathStart));
      if (p.path.front() == '?') p.path = "/" + p.path;
      if (!splitHostPort(rest.substr(0, pathStart), p.host, p.port))
        return invalid(key, text, "http://<host>[:<port>][/path] with a port 1-65535");
      return p;
    }
    if (scheme == "https:")
      return common::makeError("invalid '" + key + "' value '" + std::string(text) +
                               "' (only http:// probes are supported, not https://)");
    return invalid(key, text, "exec:<command>, tcp:<host>:<port> or http://<host>[:<port>][/path]");
  };
}

constexpr const char* kProbeKeySuffixes[] = {"_interval", "_timeout", "_failures", "_delay"};

// <probe> and its four keys, or nullopt when <probe> is not set.
Result<std::optional<ProbeConfig>> readProbe(const SectionReader& r, const std::string& key, const Expansions& e) {
  std::optional<std::string> text;
  TRY_ASSIGN(text, r.get(key, std::nullopt, e));
  if (!text) return std::optional<ProbeConfig>{};
  auto parsed = probe(key)(*text);
  if (!parsed) return r.error(key, parsed.error());
  ProbeConfig p = *parsed;
  TRY_ASSIGN(p.interval, r.parse<double>(key + "_interval", "10", duration(key + "_interval", Bound::AboveZero), e));
  TRY_ASSIGN(p.timeout, r.parse<double>(key + "_timeout", "1", duration(key + "_timeout", Bound::AboveZero), e));
  TRY_ASSIGN(p.failureThreshold, r.parse<int>(key + "_failures", "3", positiveInteger(key + "_failures"), e));
  TRY_ASSIGN(p.initialDelay, r.parse<double>(key + "_delay", "0", duration(key + "_delay", Bound::AtLeastZero), e));
  return std::optional<ProbeConfig>(std::move(p));
}

// An optional key: nullopt when absent, else the parsed value.
template <typename T>
Result<std::optional<T>> readOptional(const SectionReader& r, const std::string& key, const Parser<T>& parser,
                                      const Expansions& e) {
  std::optional<std::string> text;
  TRY_ASSIGN(text, r.get(key, std::nullopt, e));
  if (!text) return std::optional<T>{};
  auto value = parser(*text);
  if (!value) return r.error(key, value.error());
  return std::optional<T>(std::move(*value));
}

Result<std::string> readCommand(const SectionReader& r, const std::string& key, const Expansions& e) {
  std::optional<std::string> text;
  TRY_ASSIGN(text, r.get(key, "", e));
  return strip(*text);
}

std::string seconds(double value) {
  std::ostringstream out;
  out << value << " s";
  return out.str();
}

}  // namespace

Result<PolicyConfig> readProcessPolicy(const SectionReader& r, const Expansions& e) {
  PolicyConfig p;
  TRY_ASSIGN(p.backoff, r.parse<Backoff>("backoff", "linear",
                                         oneOf<Backoff>("backoff", {{"linear", Backoff::Linear},
                                                                    {"exponential", Backoff::Exponential}}),
                                         e));
  TRY_ASSIGN(p.backoffInitial, r.parse<double>("backoff_initial", "1", duration("backoff_initial", Bound::AtLeastZero), e));
  TRY_ASSIGN(p.backoffMax, r.parse<double>("backoff_max", "300", duration("backoff_max", Bound::AtLeastZero), e));
  if (p.backoffMax < p.backoffInitial) {
    if (r.has("backoff_max"))
      return r.error("backoff_max", "invalid 'backoff_max' value '" + r.raw("backoff_max").value() +
                                        "' (expected a duration >= backoff_initial, " + seconds(p.backoffInitial) + ")");
    return r.error("backoff_max", "the default backoff_max (" + seconds(p.backoffMax) +
                                      ") is less than backoff_initial (" + seconds(p.backoffInitial) +
                                      "); set backoff_max");
  }
  // "20%" is read as written: expanding it would ask for "20%%", as Supervisor's '%' rules do.
  const std::string jitterText = strip(r.raw("backoff_jitter", "0").value());
  if (!jitterText.empty() && jitterText.find('%') == jitterText.size() - 1) {
    auto value = jitter(jitterText);
    if (!value) return r.error("backoff_jitter", value.error());
    p.backoffJitter = *value;
  } else {
    TRY_ASSIGN(p.backoffJitter, r.parse<double>("backoff_jitter", "0", jitter, e));
  }
  TRY_ASSIGN(p.backoffReset, r.parse<double>("backoff_reset", "0", duration("backoff_reset", Bound::AtLeastZero), e));
  TRY_ASSIGN(p.restartBudget, readOptional<RestartBudget>(r, "restart_budget", restartBudget("restart_budget"), e));
  TRY_ASSIGN(p.onBudgetSpent,
             r.parse<OnBudgetSpent>("on_budget_spent", "fatal",
                                    oneOf<OnBudgetSpent>("on_budget_spent", {{"fatal", OnBudgetSpent::Fatal},
                                                                             {"restart_group", OnBudgetSpent::RestartGroup},
                                                                             {"escalate", OnBudgetSpent::Escalate}}),
                                    e));
  TRY_ASSIGN(p.fatalRetry, readOptional<double>(r, "fatal_retry", duration("fatal_retry", Bound::AboveZero), e));
  TRY_ASSIGN(p.readinessProbe, readProbe(r, "readiness_probe", e));
  TRY_ASSIGN(p.livenessProbe, readProbe(r, "liveness_probe", e));
  TRY_ASSIGN(p.role, r.parse<Role>("role", "none",
                                   oneOf<Role>("role", {{"none", Role::None}, {"promotable", Role::Promotable}}), e));
  TRY_ASSIGN(p.preStartCommand, readCommand(r, "pre_start_command", e));
  TRY_ASSIGN(p.postStopCommand, readCommand(r, "post_stop_command", e));
  TRY_ASSIGN(p.promoteCommand, readCommand(r, "promote_command", e));
  TRY_ASSIGN(p.demoteCommand, readCommand(r, "demote_command", e));
  TRY_ASSIGN(p.scoreCommand, readCommand(r, "score_command", e));
  TRY_ASSIGN(p.escalateCommand, readCommand(r, "escalate_command", e));
  TRY_ASSIGN(p.followCommand, readCommand(r, "follow_command", e));
  TRY_ASSIGN(p.routeCommand, readCommand(r, "route_command", e));
  TRY_ASSIGN(p.notifyCommand, readCommand(r, "notify_command", e));
  if (p.role != Role::Promotable) {
    const std::pair<const char*, const std::string*> roleCommands[] = {
        {"promote_command", &p.promoteCommand}, {"demote_command", &p.demoteCommand},
        {"score_command", &p.scoreCommand},     {"follow_command", &p.followCommand},
        {"route_command", &p.routeCommand},     {"notify_command", &p.notifyCommand}};
    for (const auto& [key, command] : roleCommands)
      if (!command->empty())
        return r.error(key, std::string(key) + " needs role = promotable (this program's role is none)");
  }
  TRY_ASSIGN(p.hookTimeout, r.parse<double>("hook_timeout", "30", duration("hook_timeout", Bound::AboveZero), e));
  TRY_ASSIGN(p.scoreInterval, r.parse<double>("score_interval", "10", duration("score_interval", Bound::AboveZero), e));
  return p;
}

void warnAboutProbeKeysWithoutProbe(const SectionReader& r, std::vector<std::string>& warnings) {
  for (const std::string probeKey : {"readiness_probe", "liveness_probe"}) {
    if (r.has(probeKey)) continue;
    for (const char* suffix : kProbeKeySuffixes) {
      std::string key = probeKey + suffix;
      if (r.has(key))
        warnings.push_back(r.location(key) + ": key '" + key + "' in [" + r.name() + "] is ignored without '" +
                           probeKey + "'");
    }
  }
}

Result<GroupPolicyConfig> readGroupPolicy(const SectionReader& r) {
  GroupPolicyConfig g;
  TRY_ASSIGN(g.strategy, r.parse<GroupStrategy>("strategy", "one_for_one",
                                                oneOf<GroupStrategy>("strategy", {{"one_for_one", GroupStrategy::OneForOne},
                                                                                  {"one_for_all", GroupStrategy::OneForAll},
                                                                                  {"rest_for_one", GroupStrategy::RestForOne}})));
  TRY_ASSIGN(g.restartBudget, readOptional<RestartBudget>(r, "restart_budget", restartBudget("restart_budget"), {}));
  return g;
}

Result<StartOrder> readStartOrder(const SectionReader& r) {
  return r.parse<StartOrder>(
      "start_order", "priority",
      oneOf<StartOrder>("start_order", {{"priority", StartOrder::Priority}, {"ready", StartOrder::Ready}}));
}

const std::vector<std::string>& processPolicyKeys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k = {"backoff", "backoff_initial", "backoff_max", "backoff_jitter", "backoff_reset",
                                  "restart_budget", "on_budget_spent", "fatal_retry", "role", "pre_start_command",
                                  "post_stop_command", "promote_command", "demote_command", "score_command",
                                  "escalate_command", "follow_command", "route_command", "notify_command",
                                  "hook_timeout", "score_interval"};
    for (const std::string probeKey : {"readiness_probe", "liveness_probe"}) {
      k.push_back(probeKey);
      for (const char* suffix : kProbeKeySuffixes) k.push_back(probeKey + suffix);
    }
    return k;
  }();
  return keys;
}

const std::vector<std::string>& groupPolicyKeys() {
  static const std::vector<std::string> keys = {"strategy", "restart_budget"};
  return keys;
}

}  // namespace config
