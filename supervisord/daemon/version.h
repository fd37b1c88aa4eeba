#pragma once
// Versions the API reports (supervisor.getSupervisorVersion / getAPIVersion) and
// `supervisord -v` prints. We report Supervisor's version because clients compare it.
namespace supervisord {
extern const char* const kSupervisorVersion;  // "4.2.5"
extern const char* const kApiVersion;         // "3.0"
extern const char* const kProductVersion;     // supervisor-ha's own version
}  // namespace supervisord
