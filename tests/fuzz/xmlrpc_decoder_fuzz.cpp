// libFuzzer target: xmlrpc_decoder (the body is fuzz::xmlrpcDecoder, tests/fuzz/fuzz_bodies.h).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_bodies.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::xmlrpcDecoder({reinterpret_cast<const char*>(data), size});
  return 0;
}
