#include "supervisord/logs/strip_ansi.h"

#include <catch2/catch.hpp>

using logs::stripAnsi;

// Expected values are what Supervisor 4.2.5's dispatchers.stripEscapes returns.

TEST_CASE("strip_ansi: colour codes are removed and plain text is untouched", "[logs][strip_ansi]") {
  CHECK(stripAnsi("") == "");
  CHECK(stripAnsi("\x1b[34mHello world... this is longer than a token!\x1b[0m") ==
        "Hello world... this is longer than a token!");
  CHECK(stripAnsi("Hello world... this is longer than a token!") == "Hello world... this is longer than a token!");
  CHECK(stripAnsi("\x1b[1;31mred\x1b[0m and \x1b[38;5;208morange\x1b[0m\n") == "red and orange\n");
  CHECK(stripAnsi("\x1b[?25lq") == "q");
}

TEST_CASE("strip_ansi: Supervisor's quirks are kept", "[logs][strip_ansi]") {
  // A sequence ends at the first terminator letter, wherever it is.
  CHECK(stripAnsi("\x1b[1Xabc m rest") == " rest");
  // An unterminated sequence swallows the rest of the chunk.
  CHECK(stripAnsi("a\x1b[31") == "a");
  // Only ESC '[' starts a sequence; OSC titles and lone ESCs stay.
  CHECK(stripAnsi("a\x1b" "b") == "a\x1b" "b");
  CHECK(stripAnsi("\x1b\x1b[0mx") == "\x1bx");
  CHECK(stripAnsi("[m\x1b]0;title\x07x") == "[m\x1b]0;title\x07x");
  CHECK(stripAnsi("a\x1b[[mb") == "ab");
}

TEST_CASE("strip_ansi: binary bytes, NUL included, pass through", "[logs][strip_ansi]") {
  const std::string bytes("\x00\xff\x1b[0m\x00", 7);
  CHECK(stripAnsi(bytes) == std::string("\x00\xff\x00", 3));
}
