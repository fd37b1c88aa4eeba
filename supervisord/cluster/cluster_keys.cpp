#include "supervisord/cluster/cluster_keys.h"

#include <nlohmann/json.hpp>

namespace cluster {

namespace {

using nlohmann::json;

std::optional<json> object(const std::string& text) {
  json value = json::parse(text, nullptr, false);
  if (value.is_discarded() || !value.is_object()) return std::nullopt;
  return value;
}

std::string text(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

ClusterKeys::ClusterKeys(const std::string& clusterName)
    : prefix_("/supervisor-ha/" + clusterName + "/"), programs_(prefix_ + "programs/") {}

std::optional<ClusterKeys::Located> ClusterKeys::locate(const std::string& key) const {
  if (key == maintenance()) return Located{Located::Kind::Maintenance, "", ""};
  if (!key.starts_with(programs_)) return std::nullopt;
  const std::string rest = key.substr(programs_.size());
  const auto slash = rest.find('/');
  if (slash == 0 || slash == std::string::npos) return std::nullopt;
  const std::string program = rest.substr(0, slash);
  const std::string what = rest.substr(slash + 1);
  if (what == "leader") return Located{Located::Kind::Leader, program, ""};
  if (what == "handover") return Located{Located::Kind::Handover, program, ""};
  if (what.starts_with("members/") && what.size() > 8 && what.find('/', 8) == std::string::npos)
    return Located{Located::Kind::Member, program, what.substr(8)};
  return std::nullopt;
}

std::string encodeLeader(const std::string& node, const std::string& address) {
  return json{{"node", node}, {"address", address}}.dump();
}

std::optional<Leader> decodeLeader(const std::string& value) {
  auto o = object(value);
  if (!o || text(*o, "node").empty()) return std::nullopt;
  return Leader{text(*o, "node"), text(*o, "address"), 0, false};
}

std::string encodeMember(const Member& m) {
  json value = {{"node", m.node},
                {"address", m.address},
                {"health", healthName(m.health)},
                {"role", roleName(m.role)},
                {"eligible", m.eligible},
                {"fresh", m.freshScore}};
  value["score"] = m.score ? json(*m.score) : json(nullptr);
  return value.dump();
}

std::optional<Member> decodeMember(const std::string& node, const std::string& value) {
  auto o = object(value);
  if (!o) return std::nullopt;
  Member m;
  m.node = node;  // the key says whose entry it is
  m.address = text(*o, "address");
  m.health = healthFromName(text(*o, "health")).value_or(Health::Down);
  m.role = roleFromName(text(*o, "role")).value_or(MemberRole::Replica);
  if (auto s = o->find("score"); s != o->end() && s->is_number_integer()) m.score = s->get<long long>();
  if (auto e = o->find("eligible"); e != o->end() && e->is_boolean()) m.eligible = e->get<bool>();
  if (auto f = o->find("fresh"); f != o->end() && f->is_boolean()) m.freshScore = f->get<bool>();
  return m;
}

std::string encodeHandover(const Handover& h) { return json{{"from", h.from}, {"to", h.to}}.dump(); }

std::optional<Handover> decodeHandover(const std::string& value) {
  auto o = object(value);
  if (!o) return std::nullopt;
  return Handover{text(*o, "from"), text(*o, "to")};
}

}  // namespace cluster
