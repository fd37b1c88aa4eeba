#pragma once
// TEMPORARY placeholder until the shell_words branch lands.
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include "common/result.h"
namespace common {
Result<std::vector<std::pair<std::string, std::string>>> parseKeyValuePairs(std::string_view text);
}
