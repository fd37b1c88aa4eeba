// libFuzzer target: etcd_json (the body is fuzz::etcdJson, tests/fuzz/bodies/etcd_json_body.cpp).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tests/fuzz/fuzz_bodies.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::etcdJson({reinterpret_cast<const char*>(data), size});
  return 0;
}
