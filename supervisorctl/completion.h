#pragma once
// Tab completion in the interactive shell (Controller.complete): what the word
// being typed may become, given the whole line so far. Action names complete
// at the start and after "help"; group names after add/remove/update; process
// names (name, group:name, group:*) after the actions that take them (no
// group:* after promote, demote and resetbudget, which take one process). Each
// match ends with a space, as Python's do.

#include <functional>
#include <string>
#include <vector>

#include "common/xmlrpc_value.h"

namespace supervisorctl {

// `line` is the whole input line, `text` the word under the cursor;
// `processInfos` is getAllProcessInfo's answer (asked for only when needed).
std::vector<std::string> completionMatches(const std::string& line, const std::string& text,
                                           const std::vector<std::string>& actions,
                                           const std::function<const common::xmlrpc::Value::Array&()>& processInfos);

// The characters that separate words for completion: Python's readline
// module's delimiters without ':', '*' and '-', so "group:*" and "my-prog" are one word.
inline constexpr const char* kCompletionWordBreaks = " \t\n`~!@#$%^&()=+[{]}\\|;'\",<>/?";

}  // namespace supervisorctl
