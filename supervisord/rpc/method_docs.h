#pragma once
// The documentation of every XML-RPC method we serve, exactly as Python
// Supervisor 4.2.5 publishes it: system.listMethods lists these names,
// system.methodHelp returns the help text, system.methodSignature the
// signature ([return type, parameter types...]; empty = SIGNATURE_UNSUPPORTED).

#include <string>
#include <vector>

namespace rpc {

struct MethodDoc {
  std::string name;                    // "supervisor.startProcess"
  std::vector<std::string> signature;  // {"boolean", "string", "boolean"}
  std::string help;                    // the docstring, verbatim
};

// Sorted by name.
const std::vector<MethodDoc>& methodDocs();

}  // namespace rpc
