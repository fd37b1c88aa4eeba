#pragma once
// The documentation of every XML-RPC method we serve: supervisor.* and system.*
// exactly as Python Supervisor 4.2.5 publishes it, plus our ha.* methods.
// system.listMethods lists these names, system.methodHelp returns the help
// text, system.methodSignature the signature ([return type, parameter
// types...]; empty = SIGNATURE_UNSUPPORTED).

#include <string>
#include <vector>

namespace rpc {

struct MethodDoc {
  std::string name;                    // "supervisor.startProcess"
  std::vector<std::string> signature;  // {"boolean", "string", "boolean"}
  std::string help;                    // the docstring, verbatim
};

// Every method, sorted by name (method_docs.cpp, generated).
const std::vector<MethodDoc>& methodDocs();
// The ha.* methods only (ha_interface.cpp), which methodDocs() includes.
const std::vector<MethodDoc>& haMethodDocs();

}  // namespace rpc
