#pragma once
// The bodies of our fuzz targets: one function per target that feeds one input to
// the code under test. The libFuzzer mains (tests/fuzz/<target>_fuzz.cpp) and the
// replay of tests/fuzz/regressions/ and corpus/ in the unit tests call the same
// functions, so that a crash found by the fuzzer stays a test with g++ too.
//
// A body returns normally for every input the code handles as its contract says;
// a broken contract throws std::logic_error (a bug), a memory error crashes.

#include <string_view>
#include <vector>

namespace fuzz {

void iniFile(std::string_view input);           // common::IniFile::readString
void configLoader(std::string_view input);      // config::loadConfig on a file holding the input
void xmlrpcDecoder(std::string_view input);     // parseCall / parseResponse, then encode and parse again
void xmlrpcDispatcher(std::string_view input);  // parseCall, then every supervisor.* / ha.* method
void httpServer(std::string_view input);        // a real HttpServer reading the input from a client
void listenerProtocol(std::string_view input);  // events::ListenerProtocol fed in pieces
void etcdJson(std::string_view input);          // cluster::read*, JsonLines, base64 on a gateway body

struct Target {
  const char* name;  // tests/fuzz/corpus/<name>, tests/fuzz/regressions/<name>, <name>_fuzz
  void (*run)(std::string_view input);
};

// Every target, in the order above.
const std::vector<Target>& targets();

}  // namespace fuzz
