#pragma once
// What the readers of our own sections ([cluster], the policy keys) share to parse a value
// and to word a bad one: "invalid 'key' value 'text' (expected ...)", as Supervisor words
// autorestart's. A Parser is what SectionReader::parse takes.

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace config {

template <typename T>
using Parser = std::function<common::Result<T>(std::string_view)>;

std::string strip(std::string_view text);  // without surrounding blanks
std::string lower(std::string_view text);  // ASCII lower case

// "invalid 'key' value 'text' (expected <expected>)"
common::Error invalid(std::string_view key, std::string_view text, std::string_view expected);

// One of a few words, in any case and with blanks around; `choices` pairs each word with
// its value, in the order the message lists them ("a, b or c").
template <typename T>
Parser<T> oneOf(std::string key, std::vector<std::pair<std::string, T>> choices) {
  return [key = std::move(key), choices = std::move(choices)](std::string_view text) -> common::Result<T> {
    const std::string wanted = lower(strip(text));
    std::string expected;
    for (size_t i = 0; i < choices.size(); ++i) {
      if (choices[i].first == wanted) return choices[i].second;
      expected += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i].first;
    }
    return invalid(key, text, expected);
  };
}

}  // namespace config
