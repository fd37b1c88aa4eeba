#pragma once
// Where cluster mode keeps its state in etcd, and how each value is written. Pure.
//
//   /supervisor-ha/<cluster>/maintenance                        "on" (absent: off)
//   /supervisor-ha/<cluster>/programs/<namespec>/leader          {"node","address"}
//   /supervisor-ha/<cluster>/programs/<namespec>/members/<node>  {"node","address","health","role","score","eligible","fresh"}
//   /supervisor-ha/<cluster>/programs/<namespec>/handover        {"from","to"}
//
// Namespecs and node names hold no '/' (the config allows letters, digits, '-', '_',
// '.', and ':' between group and process). Values written by anything else decode to
// nullopt and are ignored.

#include <optional>
#include <string>

#include "supervisord/cluster/election.h"

namespace cluster {

class ClusterKeys {
 public:
  explicit ClusterKeys(const std::string& clusterName);

  const std::string& prefix() const { return prefix_; }  // every key of the cluster
  std::string maintenance() const { return prefix_ + "maintenance"; }
  std::string leader(const std::string& program) const { return programs_ + program + "/leader"; }
  std::string member(const std::string& program, const std::string& node) const {
    return members(program) + node;
  }
  std::string members(const std::string& program) const { return programs_ + program + "/members/"; }
  std::string handover(const std::string& program) const { return programs_ + program + "/handover"; }

  // What a key is about.
  struct Located {
    enum class Kind { Maintenance, Leader, Member, Handover };
    Kind kind;
    std::string program;  // "" for Maintenance
    std::string node;     // Member only
  };
  std::optional<Located> locate(const std::string& key) const;

 private:
  std::string prefix_;
  std::string programs_;
};

std::string encodeLeader(const std::string& node, const std::string& address);
// Leader without createRevision/mine (the caller knows them from the key).
std::optional<Leader> decodeLeader(const std::string& value);

std::string encodeMember(const Member& member);
std::optional<Member> decodeMember(const std::string& node, const std::string& value);

std::string encodeHandover(const Handover& handover);
std::optional<Handover> decodeHandover(const std::string& value);

}  // namespace cluster
