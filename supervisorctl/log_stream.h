#pragma once
// Following a log over HTTP (/logtail/<name>/<channel>, /mainlogtail), as
// Python's supervisorctl does with its asyncore client: the body goes to stdout
// as it arrives; a failure or a status other than 200 is one line on stderr
// ("unix:///x/logtail/foo/stdout Cannot read, status code 404").
//
// Each stream runs in a forked child so that Ctrl-C (SIGINT) can end it at any
// moment: the caller keeps the terminal, kills the child, and goes on.

#include <string>
#include <sys/types.h>
#include <vector>

#include "supervisorctl/client_options.h"

namespace supervisorctl {

// Starts following `path`; the child's pid (the caller must end it with
// stopLogStreams or waitLogStreams).
pid_t startLogStream(const ClientOptions& options, const std::string& path);
// Waits until every stream has ended by itself or SIGINT arrives; true when
// interrupted (the streams are then killed and reaped).
bool waitLogStreams(const std::vector<pid_t>& streams);
// Kills and reaps the streams.
void stopLogStreams(const std::vector<pid_t>& streams);

// While alive, SIGINT sets a flag instead of killing us, and interrupts
// blocking reads (no SA_RESTART).
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
  static bool interrupted();
};

}  // namespace supervisorctl
