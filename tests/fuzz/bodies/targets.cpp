#include "tests/fuzz/fuzz_bodies.h"

namespace fuzz {

const std::vector<Target>& targets() {
  static const std::vector<Target> all{
      {"ini_file", iniFile},
      {"config_loader", configLoader},
      {"xmlrpc_decoder", xmlrpcDecoder},
      {"xmlrpc_dispatcher", xmlrpcDispatcher},
      {"http_server", httpServer},
      {"listener_protocol", listenerProtocol},
      {"etcd_json", etcdJson},
  };
  return all;
}

}  // namespace fuzz
