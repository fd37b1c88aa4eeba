// CommandRun against real children on a real loop: what a hook or an exec probe
// reports (exit status, signal, output, timeout, spawn error), that a timed-out
// command is killed with everything it started, and that nothing blocks the loop.

#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "loop_support.h"
#include "supervisord/policy/command_run.h"
#include "supervisord/process/spawner.h"

using namespace std::chrono_literals;
using policy::CommandRequest;
using policy::CommandResult;
using policy::CommandRun;

namespace {

// Whether `pid` is gone or a zombie (killed, waiting for init to reap it).
bool processGone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const auto afterName = line.rfind(')');
  return afterName != std::string::npos && line.substr(afterName + 2, 1) == "Z";
}

const config::Environment kPath{{"PATH", "/usr/bin:/bin"}};

struct Fixture {
  boost::asio::io_context io;
  ReapingChildWatch childWatch{io};
  process::Spawner spawner;

  CommandRequest request(std::string commandLine, double timeout = 5, config::Environment environment = kPath) {
    CommandRequest r;
    r.name = "hook";
    r.commandLine = std::move(commandLine);
    r.environment = std::move(environment);
    r.timeout = timeout;
    return r;
  }

  // Runs `commandLine` to its end and returns what came back (exactly once).
  CommandResult run(std::string commandLine, double timeout = 5, config::Environment environment = kPath) {
    std::vector<CommandResult> results;
    CommandRun command(io, spawner, childWatch, request(std::move(commandLine), timeout, std::move(environment)),
                       [&](const CommandResult& result) { results.push_back(result); });
    REQUIRE(results.empty());  // never from inside the constructor
    REQUIRE(runUntil(io, [&] { return !results.empty(); }));
    CHECK(command.finished());
    runFor(io, 50ms);  // a second completion would show up here
    REQUIRE(results.size() == 1);
    return results.front();
  }
};

}  // namespace

TEST_CASE("command run: a command that exits 0 reports exit status 0 and its output", "[command]") {
  Fixture fixture;
  CommandResult result = fixture.run("sh -c 'echo hello'");
  CHECK(result.ran);
  CHECK(result.succeeded());
  CHECK(result.exitStatus == 0);
  CHECK_FALSE(result.signal);
  CHECK_FALSE(result.timedOut);
  CHECK(result.output == "hello\n");
  CHECK(result.description == "exit status 0");
  CHECK(result.seconds >= 0);
  CHECK(result.seconds < 2);
}

TEST_CASE("command run: a command that exits 3 reports exit status 3 and did not succeed", "[command]") {
  Fixture fixture;
  CommandResult result = fixture.run("sh -c 'exit 3'");
  CHECK(result.ran);
  CHECK_FALSE(result.succeeded());
  CHECK(result.exitStatus == 3);
  CHECK(result.description == "exit status 3");
}

TEST_CASE("command run: stdout and stderr are collected together, in the order written", "[command]") {
  Fixture fixture;
  CommandResult result = fixture.run("sh -c 'echo out; echo err >&2; echo out again'");
  CHECK(result.output == "out\nerr\nout again\n");
}

TEST_CASE("command run: a command killed by a signal reports it in Supervisor's words", "[command]") {
  Fixture fixture;
  CommandResult result = fixture.run("sh -c 'kill -TERM $$'");
  CHECK(result.ran);
  CHECK_FALSE(result.exitStatus);
  CHECK(result.signal == SIGTERM);
  CHECK(result.description == "terminated by SIGTERM");
}

TEST_CASE("command run: stdin is /dev/null, so a command reading it ends at once", "[command]") {
  Fixture fixture;
  CommandResult result = fixture.run("cat");
  CHECK(result.succeeded());
  CHECK(result.output.empty());
}

TEST_CASE("command run: only the last 64 KiB of the output are kept", "[command]") {
  Fixture fixture;
  CommandResult result = fixture.run("sh -c 'head -c 300000 /dev/zero | tr \"\\0\" a; echo END'");
  CHECK(result.succeeded());
  CHECK(result.output.size() == 64 * 1024);
  CHECK(result.output.substr(result.output.size() - 5) == "aEND\n");
}

TEST_CASE("command run: a command past its timeout is killed with its whole process group", "[command]") {
  Fixture fixture;
  // The shell prints its background child's pid, then both sleep.
  CommandResult result = fixture.run("sh -c 'sleep 100 & echo $!; sleep 100'", 0.3);
  CHECK(result.ran);
  CHECK(result.timedOut);
  CHECK_FALSE(result.succeeded());
  CHECK(result.signal == SIGKILL);
  CHECK(result.description == "timed out after 0.3 s");
  CHECK(result.seconds >= 0.3);
  CHECK(result.seconds < 2);
  const pid_t grandchild = std::stoi(result.output);
  CHECK(runUntil(fixture.io, [&] { return processGone(grandchild); }, 2s));
}

TEST_CASE("command run: a grandchild holding the output pipe open does not hold the result back", "[command]") {
  Fixture fixture;
  const auto started = std::chrono::steady_clock::now();
  CommandResult result = fixture.run("sh -c 'sleep 30 & echo $!; echo done'");
  const auto waited = std::chrono::steady_clock::now() - started;
  CHECK(result.succeeded());
  CHECK(result.output.find("done\n") != std::string::npos);
  CHECK(waited < 2s);
  ::kill(std::stoi(result.output), SIGKILL);  // the grandchild is not ours to wait for
}

TEST_CASE("command run: a command that cannot be found is a spawn error, reported on the loop", "[command]") {
  Fixture fixture;
  CommandResult result = fixture.run("no-such-command-here --flag");
  CHECK_FALSE(result.ran);
  CHECK_FALSE(result.succeeded());
  CHECK_FALSE(result.exitStatus);
  CHECK(result.description == "spawn error: can't find command 'no-such-command-here'");
}

TEST_CASE("command run: an empty or badly quoted command line is a spawn error", "[command]") {
  Fixture fixture;
  CHECK(fixture.run("").description == "spawn error: command is empty");
  CHECK(fixture.run("sh -c 'echo").description == "spawn error: No closing quotation");
}

TEST_CASE("command run: the environment given is the command's whole environment, PATH included", "[command]") {
  Fixture fixture;
  config::Environment environment{{"PATH", "/usr/bin:/bin"}, {"GREETING", "hello from the hook"}};
  CommandResult result = fixture.run("sh -c 'echo \"$GREETING\"; echo \"${HOME-unset}\"'", 5, environment);
  CHECK(result.output == "hello from the hook\nunset\n");
  // The program is searched in that PATH, not in ours.
  CHECK(fixture.run("sh -c true", 5, {{"PATH", "/nonexistent"}}).description == "spawn error: can't find command 'sh'");
}

TEST_CASE("command run: the directory given is the command's working directory", "[command]") {
  Fixture fixture;
  CommandRequest request = fixture.request("pwd");
  request.directory = "/tmp";
  std::optional<CommandResult> result;
  CommandRun command(fixture.io, fixture.spawner, fixture.childWatch, request,
                     [&](const CommandResult& r) { result = r; });
  REQUIRE(runUntil(fixture.io, [&] { return result.has_value(); }));
  CHECK(result->output == "/tmp\n");
}

TEST_CASE("command run: destroying the handle early kills the command and nothing is reported", "[command]") {
  Fixture fixture;
  int completions = 0;
  pid_t pid = -1;
  {
    CommandRun command(fixture.io, fixture.spawner, fixture.childWatch, fixture.request("sleep 100"),
                       [&](const CommandResult&) { ++completions; });
    pid = command.pid();
    REQUIRE(pid > 0);
    runFor(fixture.io, 50ms);
    CHECK_FALSE(command.finished());
  }
  REQUIRE(runUntil(fixture.io, [&] { return fixture.childWatch.reaped.count(pid) > 0; }, 2s));
  const int status = fixture.childWatch.reaped[pid];
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  runFor(fixture.io, 100ms);
  CHECK(completions == 0);
}

TEST_CASE("command run: a spawn error's completion never runs once the handle is gone", "[command]") {
  Fixture fixture;
  int completions = 0;
  {
    CommandRun command(fixture.io, fixture.spawner, fixture.childWatch, fixture.request("no-such-command-here"),
                       [&](const CommandResult&) { ++completions; });
  }
  runFor(fixture.io, 50ms);
  CHECK(completions == 0);
}

TEST_CASE("command run: the completion may destroy the handle", "[command]") {
  Fixture fixture;
  std::optional<CommandRun> command;
  std::optional<CommandResult> result;
  command.emplace(fixture.io, fixture.spawner, fixture.childWatch, fixture.request("sh -c 'echo bye'"),
                  [&](const CommandResult& r) {
                    command.reset();
                    result = r;
                  });
  REQUIRE(runUntil(fixture.io, [&] { return result.has_value(); }));
  CHECK_FALSE(command.has_value());
  CHECK(result->output == "bye\n");
}

TEST_CASE("command run: the loop keeps turning while a command runs", "[command]") {
  Fixture fixture;
  int ticks = 0;
  boost::asio::steady_timer timer(fixture.io);
  std::function<void()> tick = [&] {
    timer.expires_after(20ms);
    timer.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      ++ticks;
      tick();
    });
  };
  tick();
  CommandResult result = fixture.run("sleep 0.4");
  timer.cancel();
  CHECK(result.succeeded());
  CHECK(ticks >= 10);  // about 20 in 0.4 s
}

TEST_CASE("command run: several commands run at once, each result to its own completion", "[command]") {
  Fixture fixture;
  std::map<int, CommandResult> results;
  std::vector<CommandRun> commands;
  for (int i = 0; i < 5; ++i) {
    commands.emplace_back(fixture.io, fixture.spawner, fixture.childWatch,
                          fixture.request("sh -c 'sleep 0.1; echo " + std::to_string(i) + "; exit " + std::to_string(i) + "'"),
                          [&results, i](const CommandResult& result) { results[i] = result; });
  }
  const auto started = std::chrono::steady_clock::now();
  REQUIRE(runUntil(fixture.io, [&] { return results.size() == 5; }));
  CHECK(std::chrono::steady_clock::now() - started < 1s);  // in parallel, not one after another
  for (int i = 0; i < 5; ++i) {
    CHECK(results[i].exitStatus == i);
    CHECK(results[i].output == std::to_string(i) + "\n");
  }
}

TEST_CASE("command run: timeouts are worded as given", "[command]") {
  CHECK(policy::secondsText(5) == "5 s");
  CHECK(policy::secondsText(0.5) == "0.5 s");
  CHECK(policy::secondsText(30) == "30 s");
}
