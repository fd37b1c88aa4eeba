#pragma once
// The two shell-like splitters Supervisor uses on config values, reproduced from
// Python 3.11's shlex module so that every command= and environment= that Python
// Supervisor accepts splits the same way here, and every one it rejects fails
// with the same message.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace common {

// Python's shlex.split(text): POSIX mode, no comments. How Supervisor turns
// command= into argv (process.py, get_execv_args).
//  - whitespace (space, tab, CR, LF only) separates words; quotes join them;
//    '' or "" alone is an empty word;
//  - outside quotes a backslash takes the next character literally (a newline too);
//  - inside double quotes only \\ and \" are escapes (shlex, unlike sh, keeps
//    \$ \` and backslash-newline as they are); inside single quotes nothing is.
// Errors, as Python words them: "No closing quotation", "No escaped character".
Result<std::vector<std::string>> shlexSplit(std::string_view text);

// Supervisor's dict_of_key_value_pairs (datatypes.py): "A=1,B='x, y'" into
// {A: 1, B: x, y}. It reads tokens with a NON-POSIX shlex.shlex (quotes stay in
// the token, no escapes, `#` starts a comment, any character outside
// [A-Za-z0-9_/.+-():] and the quotes is a token by itself, so a non-ASCII letter
// is too), takes them as `key = value` triples and skips one token between
// triples without checking that it is a comma. Quote characters are stripped
// from both ends of each value. Pairs keep the order of first appearance; a
// repeated key takes the later value in place, as a dict does.
// Errors: "Unexpected end of key/value pairs in value '<text>'", "No closing quotation".
using KeyValuePairs = std::vector<std::pair<std::string, std::string>>;
Result<KeyValuePairs> parseKeyValuePairs(std::string_view text);

}  // namespace common
