#pragma once
// The health a node publishes for its copy of a promotable program, from the process's
// state. Pure. Up: RUNNING. Recovering: on its way back by its restart policy (STARTING,
// BACKOFF, STOPPING, or EXITED with a restart pending). Down: it will not run again
// without an operator (STOPPED, FATAL, UNKNOWN, EXITED with no restart coming).

#include "supervisord/cluster/election.h"
#include "supervisord/process/process_state.h"

namespace cluster {

Health healthOf(process::ProcessState state, bool restartPending);

}  // namespace cluster
