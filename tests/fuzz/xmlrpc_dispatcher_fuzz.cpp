// libFuzzer target: xmlrpc_dispatcher (the body is fuzz::xmlrpcDispatcher, tests/fuzz/fuzz_bodies.h).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_bodies.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::xmlrpcDispatcher({reinterpret_cast<const char*>(data), size});
  return 0;
}
