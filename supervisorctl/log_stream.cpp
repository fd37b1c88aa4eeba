#include "supervisorctl/log_stream.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "common/http_client.h"
#include "common/server_url.h"

namespace supervisorctl {

namespace {

volatile std::sig_atomic_t interruptFlag = 0;
struct sigaction previousAction;
int scopeDepth = 0;

void onInterrupt(int) { interruptFlag = 1; }

void writeError(const std::string& line) {
  std::fputs((line + "\n").c_str(), stderr);
  std::fflush(stderr);
}

// The child's whole life: one streaming GET.
[[noreturn]] void streamAndExit(const ClientOptions& options, const std::string& path) {
  const std::string url = options.serverurl + path;
  auto server = common::parseServerUrl(options.serverurl);
  if (!server) {
    writeError(url + " Cannot connect, error: <class 'NotImplementedError'> ()");
    std::_Exit(0);
  }
  common::HttpClientOptions httpOptions;
  // Python's HTTPHandler sends credentials whenever a password is set.
  if (options.password && !options.password->empty()) {
    httpOptions.username = options.username.value_or("None");
    httpOptions.password = *options.password;
  }
  common::HttpClient client(std::move(server.value()), httpOptions);
  auto response = client.get(path, [](std::string_view data) {
    std::fwrite(data.data(), 1, data.size(), stdout);
    std::fflush(stdout);
    return true;
  });
  if (!response) {
    const int error = client.lastErrno();
    const std::string text = error != 0 ? "[Errno " + std::to_string(error) + "] " + std::strerror(error)
                                        : response.error();
    writeError(url + " Cannot connect, error: <class 'OSError'> (" + text + ")");
  } else if (response->status != 200) {
    writeError(url + " Cannot read, status code " + std::to_string(response->status));
  }
  std::fflush(stdout);
  std::_Exit(0);
}

}  // namespace

InterruptScope::InterruptScope() {
  if (scopeDepth++ > 0) return;
  interruptFlag = 0;
  struct sigaction action {};
  action.sa_handler = onInterrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocked read returns EINTR
  sigaction(SIGINT, &action, &previousAction);
}

InterruptScope::~InterruptScope() {
  if (--scopeDepth > 0) return;
  sigaction(SIGINT, &previousAction, nullptr);
}

bool InterruptScope::interrupted() { return interruptFlag != 0; }

pid_t startLogStream(const ClientOptions& options, const std::string& path) {
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t child = ::fork();
  if (child == 0) {
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    sigaction(SIGINT, &action, nullptr);
    streamAndExit(options, path);
  }
  return child;
}

void stopLogStreams(const std::vector<pid_t>& streams) {
  for (pid_t stream : streams) {
    if (stream > 0) ::kill(stream, SIGTERM);
  }
  for (pid_t stream : streams) {
    if (stream <= 0) continue;
    while (::waitpid(stream, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

bool waitLogStreams(const std::vector<pid_t>& streams) {
  InterruptScope scope;
  std::vector<pid_t> running;
  for (pid_t stream : streams) {
    if (stream > 0) running.push_back(stream);
  }
  // Polled rather than blocked in waitpid: a SIGINT between a check and the
  // wait would otherwise be missed.
  while (!running.empty()) {
    if (InterruptScope::interrupted()) {
      stopLogStreams(running);
      return true;
    }
    std::erase_if(running, [](pid_t stream) { return ::waitpid(stream, nullptr, WNOHANG) == stream; });
    if (!running.empty()) ::usleep(20000);
  }
  return false;
}

}  // namespace supervisorctl
