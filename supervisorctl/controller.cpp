#include "supervisorctl/controller.h"

#include <cerrno>
#include <cstdio>
#include <iostream>

#include "supervisorctl/commands.h"

namespace supervisorctl {

namespace {

constexpr std::string_view kWhitespace = " \t\n\r\v\f";

std::string_view strip(std::string_view text) {
  const auto first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kWhitespace);
  return text.substr(first, last - first + 1);
}

bool isIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::optional<std::string> readStdinLine(const std::string& prompt) {
  std::fputs(prompt.c_str(), stdout);
  std::fflush(stdout);
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  return line;
}

}  // namespace

std::vector<std::string> splitWords(std::string_view text) {
  std::vector<std::string> words;
  std::size_t at = 0;
  while (true) {
    at = text.find_first_not_of(kWhitespace, at);
    if (at == std::string_view::npos) break;
    const auto end = std::min(text.find_first_of(kWhitespace, at), text.size());
    words.emplace_back(text.substr(at, end - at));
    at = end;
  }
  return words;
}

Controller::Controller(ClientOptions options)
    : readLine(readStdinLine), readPassword(readStdinLine), options_(std::move(options)) {}

Controller::~Controller() = default;

void Controller::output(std::string_view message) {
  std::fwrite(message.data(), 1, message.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

ServerProxy& Controller::proxy() {
  if (!proxy_ || proxy_->serverurl() != options_.serverurl || proxyUsername_ != options_.username ||
      proxyPassword_ != options_.password) {
    proxy_ = std::make_unique<ServerProxy>(options_.serverurl, options_.username, options_.password);
    proxyUsername_ = options_.username;
    proxyPassword_ = options_.password;
  }
  return *proxy_;
}

bool Controller::checkServerUrl() {
  if (auto problem = proxy().urlProblem()) {
    raise(*problem);
    return false;
  }
  return true;
}

RpcReply Controller::call(std::string_view method, const xmlrpc::Value::Array& params) {
  return proxy().call(method, params);
}

void Controller::raise(const RpcReply& reply) {
  if (!raised_) raised_ = reply;
}

void Controller::setExitstatusFromFault(int faultCode, std::optional<int> ignoredFaultCode) {
  if (faultCode == faults::SUCCESS || (ignoredFaultCode && faultCode == *ignoredFaultCode)) return;
  if (faultCode == faults::SPAWN_ERROR || faultCode == faults::ABNORMAL_TERMINATION ||
      faultCode == faults::NOT_RUNNING) {
    exitstatus = exitstatus::NOT_RUNNING;
  } else {
    exitstatus = exitstatus::GENERIC;
  }
}

bool Controller::upcheck() {
  const RpcReply reply = call("supervisor.getVersion");
  if (reply.ok()) {
    const std::string api = reply.value.isString() ? reply.value.asString() : "";
    if (api != "3.0") {
      output("Sorry, this version of supervisorctl expects to talk to a server with API version 3.0, but the "
             "remote version is " + api + ".");
      exitstatus = exitstatus::NOT_INSTALLED;
      return false;
    }
    return true;
  }
  if (reply.isFault(faults::UNKNOWN_METHOD)) {
    output("Sorry, supervisord responded but did not recognize the supervisor namespace commands that "
           "supervisorctl uses to control it.  Please check that the [rpcinterface:supervisor] section is "
           "enabled in the configuration file (see sample.conf).");
    exitstatus = exitstatus::UNIMPLEMENTED_FEATURE;
    return false;
  }
  if (reply.isFault()) {
    exitstatus = exitstatus::GENERIC;
  } else if (reply.kind == RpcReply::Kind::socketError && reply.socketWhileConnecting) {
    if (reply.socketErrno == ECONNREFUSED) {
      output(options_.serverurl + " refused connection");
      exitstatus = exitstatus::INSUFFICIENT_PRIVILEGES;
      return false;
    }
    if (reply.socketErrno == ENOENT) {
      output(options_.serverurl + " no such file");
      exitstatus = exitstatus::NOT_RUNNING;
      return false;
    }
    exitstatus = exitstatus::GENERIC;
  }
  raise(reply);
  return false;
}

const xmlrpc::Value::Array& Controller::completionInfo() {
  if (!completionInfo_) {
    const RpcReply reply = call("supervisor.getAllProcessInfo");
    completionInfo_ = reply.ok() && reply.value.isArray() ? reply.value.asArray() : xmlrpc::Value::Array{};
  }
  return *completionInfo_;
}

void Controller::report(const RpcReply& reply) {
  output(reply.pythonError());
  exitstatus = exitstatus::GENERIC;
}

bool Controller::onecmd(std::string_view rawLine) {
  // cmd.Cmd.parseline
  std::string line(strip(rawLine));
  if (line.empty()) return false;
  if (line[0] == '?') line = "help " + line.substr(1);
  if (line[0] == '!') {
    output("*** Unknown syntax: " + line);
    exitstatus = exitstatus::GENERIC;
    return false;
  }
  std::size_t identEnd = 0;
  while (identEnd < line.size() && isIdentChar(line[identEnd])) ++identEnd;
  const std::string name = line.substr(0, identEnd);
  const std::string arg(strip(std::string_view(line).substr(identEnd)));
  completionInfo_.reset();
  const Command* command = name.empty() ? nullptr : findCommand(name);
  if (!command) {
    output("*** Unknown syntax: " + line);
    exitstatus = exitstatus::GENERIC;
    return false;
  }

  raised_.reset();
  const bool stop = command->run(*this, arg);
  if (!raised_) return stop;
  const RpcReply first = *raised_;
  raised_.reset();
  if (first.kind == RpcReply::Kind::httpStatus && first.httpStatus == 401) {
    output("Server requires authentication");
    if (options_.interactive) {
      const auto username = readLine("Username:");
      const auto password = readPassword("Password:");
      output("");
      options_.username = username.value_or("");
      options_.password = password.value_or("");
      return onecmd(rawLine);
    }
    exitstatus = exitstatus::GENERIC;
    // Python's onecmd runs the action a second time after this message.
    command->run(*this, arg);
    if (raised_) {
      report(*raised_);
      raised_.reset();
    }
    return false;
  }
  report(first);
  return false;
}

}  // namespace supervisorctl
