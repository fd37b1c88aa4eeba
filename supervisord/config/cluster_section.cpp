#include "supervisord/config/cluster_section.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <utility>
#include <vector>

#include "common/value_types.h"
#include "supervisord/config/section_reader.h"
#include "supervisord/config/value_parsers.h"

namespace config {
namespace {

using common::Result;

// Names end up in etcd keys, hook environments and log lines: keep them plain.
std::function<Result<std::string>(std::string_view)> plainName(std::string key) {
  return [key = std::move(key)](std::string_view text) -> Result<std::string> {
    std::string name = strip(text);
    bool plain = !name.empty() && name.size() <= 128;
    for (char c : name)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') plain = false;
    if (!plain) return invalid(key, text, "a name of letters, digits, '-', '_' or '.'");
    return name;
  };
}

std::function<Result<double>(std::string_view)> seconds(std::string key, double minimum) {
  return [key = std::move(key), minimum](std::string_view text) -> Result<double> {
    auto value = common::parseDuration(text);
    if (!value || *value < minimum) {
      std::string bound = minimum > 0 ? "a duration >= " + common::secondsText(minimum) + " s" : "a duration >= 0";
      return invalid(key, text, bound + ", in seconds or with ms, s, m or h");
    }
    return *value;
  };
}

// "http://host:port" or "host:port", separated by commas or blanks.
Result<std::vector<EtcdEndpoint>> endpoints(std::string_view text) {
  std::vector<EtcdEndpoint> out;
  std::string list(text);
  for (char& c : list)
    if (c == ',') c = ' ';
  size_t pos = 0;
  while (true) {
    pos = list.find_first_not_of(" \t\n", pos);
    if (pos == std::string::npos) break;
    size_t end = list.find_first_of(" \t\n", pos);
    std::string item = list.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end;
    std::string address = item;
    if (address.starts_with("https://"))
      return common::makeError("invalid 'etcd' endpoint '" + item + "' (https is not supported; use http://)");
    if (address.starts_with("http://")) address = address.substr(7);
    while (!address.empty() && address.back() == '/') address.pop_back();
    auto hostPort = common::parseInetAddress(address);
    if (!hostPort || hostPort->first.empty() || hostPort->first == "*" || address.find('/') != std::string::npos)
      return invalid("etcd", item, "http://<host>:<port> endpoints separated by commas");
    std::string host = hostPort->first;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    out.push_back({host, hostPort->second});
    if (end == std::string::npos) break;
  }
  if (out.empty()) return invalid("etcd", text, "at least one http://<host>:<port> endpoint");
  return out;
}

}  // namespace

Result<std::optional<ClusterConfig>> readClusterSection(const common::IniFile& ini, const Expansions& environ,
                                                       const std::string& hostNodeName) {
  const common::IniSection* section = ini.section("cluster");
  if (!section) return std::optional<ClusterConfig>{};
  SectionReader r(ini, *section, environ);
  const Expansions extra = {{"host_node_name", hostNodeName}};
  ClusterConfig c;
  if (!r.has("name")) return r.sectionError("section [cluster] has no name value");
  if (!r.has("etcd")) return r.sectionError("section [cluster] has no etcd value (the etcd endpoints)");
  TRY_ASSIGN(c.name, r.parse<std::string>("name", "", plainName("name"), extra));
  TRY_ASSIGN(c.node, r.parse<std::string>("node", "%(host_node_name)s", plainName("node"), extra));
  TRY_ASSIGN(c.etcd, r.parse<std::vector<EtcdEndpoint>>("etcd", "", endpoints, extra));
  TRY_ASSIGN(c.leaseTtl, r.parse<double>("lease_ttl", "10", seconds("lease_ttl", 2), extra));
  if (c.leaseTtl != static_cast<double>(static_cast<long long>(c.leaseTtl)))
    return r.error("lease_ttl", invalid("lease_ttl", r.raw("lease_ttl").value_or(""), "whole seconds (etcd leases count in seconds)").message);
  // Defaults that hold for every valid lease_ttl: fence_margin 30% of it, at least
  // 1 s (3 s for the default 10); etcd_timeout 1 s, or half of what the fence leaves
  // when that is less. A value the user wrote that conflicts stays an error.
  const std::string defaultFenceMargin = common::secondsText(std::max(1.0, 0.3 * c.leaseTtl));
  TRY_ASSIGN(c.fenceMargin, r.parse<double>("fence_margin", defaultFenceMargin, seconds("fence_margin", 0), extra));
  if (c.fenceMargin >= c.leaseTtl)  // only a fence_margin written so: the default is less
    return r.error("fence_margin",
                   "fence_margin (" + common::secondsText(c.fenceMargin) + " s) must be less than lease_ttl (" +
                       common::secondsText(c.leaseTtl) + " s): a primary fences itself before its lease can expire");
  TRY_ASSIGN(c.noQuorumPolicy,
             r.parse<NoQuorumPolicy>("no_quorum_policy", "demote",
                                     oneOf<NoQuorumPolicy>("no_quorum_policy", {{"demote", NoQuorumPolicy::Demote},
                                                                                {"stop", NoQuorumPolicy::Stop},
                                                                                {"freeze", NoQuorumPolicy::Freeze}}),
                                     extra));
  TRY_ASSIGN(c.settle, r.parse<double>("settle", "1", seconds("settle", 0), extra));
  std::optional<std::string> advertise;
  TRY_ASSIGN(advertise, r.get("advertise", std::nullopt, extra));
  c.advertise = advertise ? strip(*advertise) : c.node;
  const std::string defaultEtcdTimeout =
      common::secondsText(std::clamp((c.leaseTtl - c.fenceMargin) / 2, 0.05, 1.0));
  TRY_ASSIGN(c.requestTimeout,
             r.parse<double>("etcd_timeout", defaultEtcdTimeout, seconds("etcd_timeout", 0.05), extra));
  if (c.requestTimeout * 2 > c.leaseTtl - c.fenceMargin)
    return r.error(r.has("etcd_timeout") ? "etcd_timeout" : "fence_margin",
                   "etcd_timeout (" + common::secondsText(c.requestTimeout) +
                       " s) must be at most half of lease_ttl - fence_margin (" +
                       common::secondsText(c.leaseTtl - c.fenceMargin) +
                       " s): a lease is renewed at least twice before the fence");
  TRY_ASSIGN(c.primaryStartTimeout,
             r.parse<double>("primary_start_timeout", "300", seconds("primary_start_timeout", 0), extra));
  TRY_ASSIGN(c.minCandidates, r.parse<int>(
                                  "min_candidates", "1",
                                  [](std::string_view text) -> Result<int> {
                                    auto n = common::parseInteger(strip(text));
                                    if (!n || *n < 1 || *n > 1000)
                                      return invalid("min_candidates", text, "a whole number from 1 to 1000");
                                    return static_cast<int>(*n);
                                  },
                                  extra));
  TRY_ASSIGN(c.watchdogMode,
             r.parse<WatchdogMode>("watchdog_mode", "off",
                                   oneOf<WatchdogMode>("watchdog_mode", {{"off", WatchdogMode::Off},
                                                                         {"automatic", WatchdogMode::Automatic},
                                                                         {"required", WatchdogMode::Required}}),
                                   extra));
  TRY_ASSIGN(c.watchdogDevice, r.parse<std::string>(
                                   "watchdog_device", "/dev/watchdog",
                                   [](std::string_view text) -> Result<std::string> {
                                     std::string path = strip(text);
                                     if (path.empty() || path.front() != '/')
                                       return invalid("watchdog_device", text, "an absolute path");
                                     return path;
                                   },
                                   extra));
  if (c.watchdogMode != WatchdogMode::Off) {
    // The device fires at lease_ttl - 1 s (cluster/watchdog.h): after the fence has
    // demoted a primary that is only cut off, before the lease can expire.
    if (c.fenceMargin <= 1)
      return r.error(r.has("fence_margin") ? "fence_margin" : "watchdog_mode",
                     "watchdog_mode = " + std::string(c.watchdogMode == WatchdogMode::Required ? "required" : "automatic") +
                         " needs fence_margin > 1 s (it is " + common::secondsText(c.fenceMargin) +
                         " s): the watchdog fires 1 s before the lease expires, and the fence must demote a "
                         "primary cut off from etcd before that");
    if (c.noQuorumPolicy == NoQuorumPolicy::Freeze)
      return r.error("watchdog_mode",
                     "watchdog_mode needs no_quorum_policy = demote or stop: with freeze a primary without "
                     "quorum keeps running, and the watchdog would reset its node");
  }
  return std::optional<ClusterConfig>(std::move(c));
}

const std::vector<std::string>& clusterKeys() {
  static const std::vector<std::string> keys = {"name",     "node",   "etcd",      "lease_ttl",   "fence_margin",
                                                "no_quorum_policy", "settle", "advertise", "etcd_timeout",
                                                "primary_start_timeout", "min_candidates", "watchdog_mode", "watchdog_device"};
  return keys;
}

}  // namespace config
