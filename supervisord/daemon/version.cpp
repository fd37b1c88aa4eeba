#include "supervisord/daemon/version.h"
namespace supervisord {
const char* const kSupervisorVersion = "4.2.5";
const char* const kApiVersion = "3.0";
const char* const kProductVersion = "0.1.0";
}  // namespace supervisord
