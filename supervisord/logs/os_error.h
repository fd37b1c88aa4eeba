#pragma once
// Error text in the shape Python Supervisor shows it, so that messages built from
// ours ("unknown error making dispatchers for 'x': ...", "Failed to clean up ...")
// read the same as Supervisor's.

#include <string>
#include <string_view>

namespace logs {


// str() of an OSError: "[Errno 2] No such file or directory: '/x/y.log'".
std::string osErrorMessage(int error, std::string_view path);

}  // namespace logs
