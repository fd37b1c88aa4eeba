#pragma once
// Base64 (RFC 4648), the one codec of the project: HTTP Basic credentials (both ends)
// and the bytes of etcd's JSON gateway. Pure.

#include <string>
#include <string_view>

#include "common/result.h"

namespace common {

std::string base64Encode(std::string_view bytes);

// Standard or URL-safe alphabet, padding optional (as Go's proto3 JSON reader accepts);
// anything else (a stray byte, a length no encoder makes, more than two '=') is an error
// quoting up to 120 bytes of the text. Never reads or writes past its buffers, whatever
// the input (a fuzz target: Boost's internal decoder it replaces overflowed).
Result<std::string> base64Decode(std::string_view text);

}  // namespace common
