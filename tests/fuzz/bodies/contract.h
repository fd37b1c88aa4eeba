#pragma once
// A contract the code under test broke: a bug, reported as an exception so that
// libFuzzer records a crash and Catch2 a failed test (with the reason).

#include <stdexcept>
#include <string>

namespace fuzz {

inline void require(bool holds, const std::string& what) {
  if (!holds) throw std::logic_error("fuzz contract broken: " + what);
}

}  // namespace fuzz
