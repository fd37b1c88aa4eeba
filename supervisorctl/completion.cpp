#include "supervisorctl/completion.h"

#include <algorithm>

#include "supervisorctl/controller.h"
#include "supervisorctl/process_info.h"

namespace supervisorctl {

std::vector<std::string> completionMatches(const std::string& line, const std::string& text,
                                           const std::vector<std::string>& actions,
                                           const std::function<const common::xmlrpc::Value::Array&()>& processInfos) {
  std::vector<std::string> candidates;
  auto addActions = [&] {
    for (const std::string& action : actions) candidates.push_back(action);
  };
  const std::vector<std::string> words = splitWords(line);
  if (words.empty()) {
    addActions();
  } else {
    const std::string& action = words.front();
    const bool endsWithSpace = !line.empty() && std::isspace(static_cast<unsigned char>(line.back()));
    static const std::vector<std::string> groupActions = {"add", "remove", "update"};
    static const std::vector<std::string> processActions = {"clear",  "fg",     "pid",  "policy", "restart",
                                                            "signal", "start", "status", "stop", "tail"};
    // Actions on one process at a time: no "group:*".
    static const std::vector<std::string> singleProcessActions = {"demote", "promote", "resetbudget"};
    auto among = [&](const std::vector<std::string>& list) {
      return std::find(list.begin(), list.end(), action) != list.end();
    };
    if (words.size() == 1 && !endsWithSpace) {
      addActions();
    } else if (std::string("help").find(action) != std::string::npos) {
      // Python tests `action in ('help')`: a substring test on "help".
      addActions();
    } else if (among(groupActions)) {
      for (const auto& info : processInfos()) {
        const std::string group = memberString(info, "group");
        if (std::find(candidates.begin(), candidates.end(), group) == candidates.end()) candidates.push_back(group);
      }
    } else if (among(processActions) || among(singleProcessActions)) {
      const bool wholeGroups = among(processActions);
      for (const auto& info : processInfos()) {
        const std::string group = memberString(info, "group");
        const std::string name = memberString(info, "name");
        if (text.find(':') != std::string::npos || name != group) {
          candidates.push_back(group + ":" + name);
          if (wholeGroups && std::find(candidates.begin(), candidates.end(), group + ":*") == candidates.end()) {
            candidates.push_back(group + ":*");
          }
        } else {
          candidates.push_back(name);
        }
      }
    }
  }
  std::vector<std::string> matches;
  for (const std::string& candidate : candidates) {
    if (candidate.rfind(text, 0) != 0) continue;
    const std::string match = candidate + " ";
    if (std::find(matches.begin(), matches.end(), match) == matches.end()) matches.push_back(match);
  }
  return matches;
}

}  // namespace supervisorctl
