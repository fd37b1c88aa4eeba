#include "supervisorctl/cluster_view.h"

#include <algorithm>
#include <cstdio>

#include "common/ha_keys.h"
#include "common/python_str.h"
#include "supervisorctl/process_info.h"

namespace supervisorctl {

using common::padRight;

namespace {

using common::xmlrpc::Value;

std::string seconds(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1fs", value);
  return text;
}

}  // namespace

ClusterView decodeClusterState(const Value& state) {
  ClusterView view;
  view.cluster = memberString(state, ha_keys::kCluster);
  view.node = memberString(state, ha_keys::kNode);
  view.address = memberString(state, ha_keys::kAddress);
  view.endpoint = memberString(state, ha_keys::kEndpoint);
  view.connected = memberBool(state, ha_keys::kConnected);
  view.leaseTtl = memberDouble(state, ha_keys::kLeaseTtl);
  view.leaseLeft = memberDouble(state, ha_keys::kLeaseLeft);
  view.maintenance = memberBool(state, ha_keys::kMaintenance);
  for (const Value& item : memberArray(state, ha_keys::kPrograms)) {
    ClusterView::Program program;
    program.name = memberString(item, ha_keys::kName);
    program.leader = memberString(item, ha_keys::kLeader);
    program.leaderAddress = memberString(item, ha_keys::kLeaderAddress);
    program.phase = memberString(item, ha_keys::kPhase);
    program.handover = memberString(item, ha_keys::kHandover);
    for (const Value& entry : memberArray(item, ha_keys::kMembers)) {
      ClusterView::Member m;
      m.node = memberString(entry, ha_keys::kNode);
      m.address = memberString(entry, ha_keys::kAddress);
      m.health = memberString(entry, ha_keys::kHealth);
      m.role = memberString(entry, ha_keys::kRole);
      if (const Value* score = entry.find(ha_keys::kScore); score && score->isInt()) m.score = score->asInt();
      m.eligible = memberBool(entry, ha_keys::kEligible);
      program.members.push_back(std::move(m));
    }
    view.programs.push_back(std::move(program));
  }
  return view;
}

std::vector<std::string> formatCluster(const ClusterView& view) {
  std::vector<std::string> lines;
  std::string head = "cluster " + view.cluster + "  node " + view.node + " (" + view.address + ")  ";
  head += view.connected ? "connected, lease " + seconds(view.leaseLeft) + " of " + seconds(view.leaseTtl)
                         : std::string("NOT CONNECTED");
  if (!view.endpoint.empty()) head += "  etcd " + view.endpoint;
  lines.push_back(head);
  if (view.maintenance) lines.push_back("maintenance on: no automatic action");
  for (const auto& program : view.programs) {
    std::string line = program.name + "  ";
    line += program.leader.empty() ? "no primary" : "primary " + program.leader + " (" + program.leaderAddress + ")";
    if (!program.handover.empty()) line += "  handover " + program.handover;
    line += "  (this node: " + program.phase + ")";
    lines.push_back(line);
    std::size_t widths[4] = {0, 0, 0, 0};
    for (const auto& m : program.members) {
      widths[0] = std::max(widths[0], common::pythonLength(m.node));
      widths[1] = std::max(widths[1], common::pythonLength(m.address));
      widths[2] = std::max(widths[2], common::pythonLength(m.health));
      widths[3] = std::max(widths[3], common::pythonLength(m.role));
    }
    for (const auto& m : program.members) {
      std::string row = "  " + padRight(m.node, widths[0]) + "  " + padRight(m.address, widths[1]) + "  " +
                        padRight(m.health, widths[2]) + "  " + padRight(m.role, widths[3]) + "  score " +
                        (m.score ? std::to_string(*m.score) : std::string("none"));
      if (!m.eligible) row += "  not eligible";
      lines.push_back(row);
    }
  }
  return lines;
}

std::string primaryOf(const ClusterView& view, const std::string& program) {
  for (const auto& p : view.programs) {
    if (p.name != program) continue;
    for (const auto& m : p.members)
      if (m.role == "primary" && m.node == p.leader) return m.node;
  }
  return "";
}

}  // namespace supervisorctl
