// libFuzzer target: listener_protocol (the body is fuzz::listenerProtocol, tests/fuzz/fuzz_bodies.h).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_bodies.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::listenerProtocol({reinterpret_cast<const char*>(data), size});
  return 0;
}
