#pragma once
// The supervisor.* namespace of the XML-RPC API, as Supervisor 4.2.5's
// SupervisorNamespaceRPCInterface (rpcinterface.py): same methods, parameters,
// return values field by field, fault codes and fault strings. Every method
// works through the Supervisor's public operations only.

namespace supervisord {
class Supervisor;
}

namespace rpc {

class Dispatcher;

// Adds every supervisor.* method (aliases included) to `dispatcher`.
// `supervisor` must outlive the dispatcher and every Poll it hands out.
void addSupervisorMethods(Dispatcher& dispatcher, supervisord::Supervisor& supervisor);

}  // namespace rpc
