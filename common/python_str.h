#pragma once
// Python str semantics over our UTF-8 std::strings: code-point decoding, repr()
// and ascii(). Supervisor's messages quote values with %r, and Python's %-format
// and shlex count and split by code points, not bytes; these make ours agree.
//
// Bytes that are not valid UTF-8 decode to U+DC80..U+DCFF and encode back to the
// same byte (Python's "surrogateescape"), so any byte string round-trips.

#include <string>
#include <string_view>

namespace common {

std::u32string decodeUtf8(std::string_view text);
std::string encodeUtf8(std::u32string_view text);
void appendUtf8(std::string& out, char32_t codePoint);

// Python 3.11's str.isprintable() for one code point (Unicode 14.0).
bool isPythonPrintable(char32_t codePoint);

// repr(text) and ascii(text), as Python 3.11 writes them: 'it''s' -> "it's".
std::string pythonRepr(std::string_view text);
std::string pythonAscii(std::string_view text);

// len(text) in code points, and Python's "%-*s" % (width, text): pads with spaces to
// `width` code points, never truncates. Every table supervisorctl prints uses these.
std::size_t pythonLength(std::string_view text);
std::string padRight(std::string_view text, std::size_t width);

}  // namespace common
