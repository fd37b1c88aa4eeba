// The Spawner and the reaper against real children: what a program started by the
// daemon actually gets (argv, environment, directory, umask, fds, user, process
// group, signal state) and that every child is reaped.

#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "supervisord/process/reaper.h"
#include "supervisord/process/spawner.h"
#include "tests/support/temp_directory.h"

using process::SpawnRequest;
using process::Spawner;

namespace {

const config::Environment kPath{{"PATH", "/usr/bin:/bin"}};

SpawnRequest request(std::vector<std::string> argv, config::Environment env = kPath) {
  SpawnRequest r;
  r.name = "test";
  r.argv = std::move(argv);
  r.environment = std::move(env);
  return r;
}

// Reads a non-blocking fd until EOF (the child closed it, usually by exiting).
std::string readAll(int fd) {
  std::string data;
  char buffer[4096];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      data.append(buffer, n);
    } else if (n == 0) {
      return data;
    } else if (errno == EAGAIN) {
      pollfd p{fd, POLLIN, 0};
      ::poll(&p, 1, 100);
    } else if (errno != EINTR) {
      FAIL("read: " << std::strerror(errno));
    }
  }
  FAIL("no EOF within 10 s; got so far: " << data);
  return data;
}

// Reads a non-blocking fd until a whole line has arrived.
std::string readLine(int fd) {
  std::string data;
  char c;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (data.empty() || data.back() != '\n') {
    if (std::chrono::steady_clock::now() > deadline) FAIL("no line within 10 s; got so far: " << data);
    ssize_t n = ::read(fd, &c, 1);
    if (n == 1) {
      data += c;
    } else if (n == 0) {
      FAIL("EOF before a whole line; got: " << data);
    } else if (errno == EAGAIN) {
      pollfd p{fd, POLLIN, 0};
      ::poll(&p, 1, 100);
    }
  }
  return data;
}

// Reaps with reapAll() until `pid` shows up; returns its raw wait status.
int reap(pid_t pid) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    for (const auto& child : process::reapAll())
      if (child.pid == pid) return child.status;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  FAIL("pid " << pid << " was not reaped within 10 s");
  return -1;
}

// Our children that /proc still lists, running or zombie, as "pid state".
std::vector<std::string> childrenOfOurs() {
  std::vector<std::string> children;
  const std::string self = std::to_string(::getpid());
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...; comm may hold spaces and parentheses.
    auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string state, ppid;
    rest >> state >> ppid;
    if (ppid == self) children.push_back(entry.path().filename().string() + " " + state);
  }
  return children;
}

bool noChildrenLeft() {
  errno = 0;
  int status;
  return ::waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD && childrenOfOurs().empty();
}

std::string statusLine(const std::string& status, const std::string& key) {
  std::istringstream in(status);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + ":", 0) == 0) {
      auto value = line.substr(key.size() + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
      return value;
    }
  return "<no " + key + ">";
}

// The /proc/self/status of a child spawned with `r` (which runs cat on it).
std::string childStatus(SpawnRequest r) {
  r.argv = {"cat", "/proc/self/status"};
  auto child = Spawner().spawn(r);
  REQUIRE(child.ok());
  std::string status = readAll(child->stdoutFd.get());
  CHECK(process::decodeWaitStatus(reap(child->pid)).message == "exit status 0");
  return status;
}

std::string spawnError(const SpawnRequest& r) {
  auto child = Spawner().spawn(r);
  if (child.ok()) {
    reap(child->pid);
    return "<spawned>";
  }
  return child.error();
}

}  // namespace

TEST_CASE("spawner: argv as written, the environment in order, directory and umask reach the child",
          "[spawner]") {
  TempDirectory dir("spawner-test");
  auto r = request({"sh", "-c", "cat /proc/$$/cmdline; echo; cat /proc/$$/environ; echo; pwd; umask", "zero",
                    "one two"},
                   {{"PATH", "/usr/bin:/bin"}, {"ZED", "last"}, {"ALPHA", "first"}, {"SPACED", "a b"}});
  r.directory = dir.path().string();
  r.umask = 027;
  auto child = Spawner().spawn(r);
  REQUIRE(child.ok());
  CHECK(child->pid > 0);

  std::string out = readAll(child->stdoutFd.get());
  std::string expected = std::string("sh\0-c\0", 6) + r.argv[2] + std::string("\0zero\0one two\0\n", 15) +
                         std::string("PATH=/usr/bin:/bin\0ZED=last\0ALPHA=first\0SPACED=a b\0\n", 52) +
                         dir.path().string() + "\n0027\n";
  CHECK(out == expected);
  CHECK(process::decodeWaitStatus(reap(child->pid)).message == "exit status 0");
}

TEST_CASE("spawner: stdout and stderr arrive on separate pipes, or both on stdout with redirect_stderr",
          "[spawner]") {
  auto r = request({"sh", "-c", "echo out; echo err >&2"});
  auto separate = Spawner().spawn(r);
  REQUIRE(separate.ok());
  CHECK(readAll(separate->stdoutFd.get()) == "out\n");
  CHECK(readAll(separate->stderrFd.get()) == "err\n");
  reap(separate->pid);

  r.redirectStderr = true;
  auto redirected = Spawner().spawn(r);
  REQUIRE(redirected.ok());
  CHECK_FALSE(redirected->stderrFd.valid());
  CHECK(readAll(redirected->stdoutFd.get()) == "out\nerr\n");
  reap(redirected->pid);
}

TEST_CASE("spawner: what we write to the stdin pipe is what the child reads", "[spawner]") {
  auto child = Spawner().spawn(request({"cat"}));
  REQUIRE(child.ok());
  REQUIRE(::write(child->stdinFd.get(), "hello\n", 6) == 6);
  child->stdinFd.reset();  // EOF for cat
  CHECK(readAll(child->stdoutFd.get()) == "hello\n");
  CHECK(process::decodeWaitStatus(reap(child->pid)).message == "exit status 0");
}

TEST_CASE("spawner: our pipe ends are non-blocking and close-on-exec", "[spawner]") {
  auto child = Spawner().spawn(request({"cat"}));
  REQUIRE(child.ok());
  for (int fd : {child->stdinFd.get(), child->stdoutFd.get(), child->stderrFd.get()}) {
    CHECK((::fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    CHECK((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
  }
  child->stdinFd.reset();
  reap(child->pid);
}

TEST_CASE("spawner: without pipes the child's streams are /dev/null", "[spawner]") {
  auto r = request({"cat"});
  r.stdinPipe = r.stdoutPipe = r.stderrPipe = false;
  auto child = Spawner().spawn(r);
  REQUIRE(child.ok());
  CHECK_FALSE(child->stdinFd.valid());
  CHECK_FALSE(child->stdoutFd.valid());
  CHECK_FALSE(child->stderrFd.valid());
  CHECK(process::decodeWaitStatus(reap(child->pid)).message == "exit status 0");  // cat read EOF at once
}

TEST_CASE("spawner: the child has only fds 0, 1 and 2 although the daemon holds others open", "[spawner]") {
  // Inheritable on purpose, as asio sockets, spdlog files and plain pipes are.
  int socket = ::socket(AF_INET, SOCK_STREAM, 0);
  int file = ::open("/etc/hostname", O_RDONLY);
  int pipeFds[2];
  REQUIRE(::pipe(pipeFds) == 0);
  int high = ::dup2(file, 200);
  REQUIRE((socket >= 0 && file >= 0 && high == 200));

  // The child blocks in cat on its stdin while we look at its fd table from outside
  // (a child listing its own /proc/self/fd would see the directory fd it reads with).
  // Once cat has echoed a line, the dynamic loader's own fds are closed.
  auto child = Spawner().spawn(request({"cat"}));
  REQUIRE(child.ok());
  REQUIRE(::write(child->stdinFd.get(), "ping\n", 5) == 5);
  REQUIRE(readLine(child->stdoutFd.get()) == "ping\n");
  std::set<std::string> fds;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(child->pid) + "/fd"))
    fds.insert(entry.path().filename().string());
  CHECK(fds == std::set<std::string>{"0", "1", "2"});
  auto target = [&](int fd) {
    return std::filesystem::read_symlink("/proc/" + std::to_string(child->pid) + "/fd/" + std::to_string(fd))
        .string();
  };
  CHECK(target(0).rfind("pipe:", 0) == 0);
  CHECK(target(1).rfind("pipe:", 0) == 0);
  CHECK(target(2).rfind("pipe:", 0) == 0);

  child->stdinFd.reset();
  reap(child->pid);
  for (int fd : {socket, file, pipeFds[0], pipeFds[1], high}) ::close(fd);
}

TEST_CASE("spawner: a passed fd reaches the child at the number asked for", "[spawner]") {
  int socket = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(socket >= 3);
  const std::string same = std::to_string(socket);
  auto r = request({"sh", "-c", "readlink /proc/$$/fd/0 /proc/$$/fd/7 /proc/$$/fd/" + same});
  r.passedFds = {{socket, 0}, {socket, 7}, {socket, socket}};
  auto child = Spawner().spawn(r);
  REQUIRE(child.ok());
  std::string out = readAll(child->stdoutFd.get());
  const std::string line = out.substr(0, out.find('\n') + 1);
  CHECK(line.rfind("socket:", 0) == 0);
  CHECK(out == line + line + line);
  reap(child->pid);
  ::close(socket);
}

TEST_CASE("spawner: a program that cannot be run gives Supervisor's message and no child", "[spawner]") {
  TempDirectory dir("spawner-test");
  const std::string plain = dir.write("plain", "echo hi\n");
  ::chmod(plain.c_str(), 0644);
  const std::string badInterpreter = dir.write("script", "#!/nonexistent/interpreter\n");
  ::chmod(badInterpreter.c_str(), 0755);

  CHECK(spawnError(request({"nosuchprogram"})) == "can't find command 'nosuchprogram'");
  CHECK(spawnError(request({"/no/such/program"})) == "can't find command '/no/such/program'");
  CHECK(spawnError(request({plain})) == "command at '" + plain + "' is not executable");
  CHECK(spawnError(request({dir.path().string()})) == "command at '" + dir.path().string() + "' is a directory");
  CHECK(spawnError(request({})) == "command is empty");
  // These two fail in the child, after fork: it must be reaped, not left a zombie.
  CHECK(spawnError(request({badInterpreter, "arg"})) == "couldn't exec " + badInterpreter + ": ENOENT");
  auto r = request({"/bin/true"});
  r.directory = "/nonexistent/dir";
  CHECK(spawnError(r) == "couldn't chdir to /nonexistent/dir: ENOENT");
  r.directory = plain;
  CHECK(spawnError(r) == "couldn't chdir to " + plain + ": ENOTDIR");

  CHECK(childrenOfOurs().empty());
  CHECK(noChildrenLeft());
}

TEST_CASE("spawner: user= as root gives the child that user's uid, gid and groups", "[spawner]") {
  if (::geteuid() != 0) {
    WARN("not root: skipped");
    return;
  }
  const passwd* nobody = ::getpwnam("nobody");
  REQUIRE(nobody != nullptr);
  auto r = request({});
  r.uid = nobody->pw_uid;
  std::string status = childStatus(r);
  const std::string uid = std::to_string(nobody->pw_uid), gid = std::to_string(nobody->pw_gid);
  CHECK(statusLine(status, "Uid") == uid + "\t" + uid + "\t" + uid + "\t" + uid);
  CHECK(statusLine(status, "Gid") == gid + "\t" + gid + "\t" + gid + "\t" + gid);
  CHECK(statusLine(status, "Groups") == gid);

  // Supplementary groups come from the group database (getgrouplist), primary first.
  if (const passwd* postgres = ::getpwnam("postgres")) {
    r.uid = postgres->pw_uid;
    std::string groups = statusLine(childStatus(r), "Groups");
    CHECK(groups.find(std::to_string(postgres->pw_gid)) != std::string::npos);
    CHECK(std::count(groups.begin(), groups.end(), ' ') >= 1);  // ssl-cert on Debian
  }

  // As Supervisor, the directory is entered after dropping privileges.
  TempDirectory rootOnly("spawner-test");  // mkdtemp makes it 0700, ours
  r.argv = {"/bin/true"};
  r.uid = nobody->pw_uid;
  r.directory = rootOnly.path().string();
  CHECK(spawnError(r) == "couldn't chdir to " + rootOnly.path().string() + ": EACCES");

  r.uid = 3999999;
  CHECK(spawnError(r) == "couldn't setuid to 3999999: Can't find uid 3999999");
  // A daemon that is not root cannot run a program as another user.
  pid_t unprivileged = ::fork();
  if (unprivileged == 0) {
    if (::setuid(nobody->pw_uid) != 0) ::_exit(2);
    auto asRoot = request({"/bin/true"});
    asRoot.uid = 0;
    ::_exit(spawnError(asRoot) == "couldn't setuid to 0: Can't drop privilege as nonroot user" ? 0 : 1);
  }
  CHECK(process::decodeWaitStatus(reap(unprivileged)).message == "exit status 0");

  r.uid = ::getuid();  // already that user: nothing to drop
  r.directory.reset();
  CHECK(statusLine(childStatus(r), "Uid") == "0\t0\t0\t0");
  CHECK(noChildrenLeft());
}

TEST_CASE("spawner: the child leads its own process group", "[spawner]") {
  auto child = Spawner().spawn(request({"cat"}));
  REQUIRE(child.ok());
  CHECK(::getpgid(child->pid) == child->pid);
  CHECK(::getpgid(child->pid) != ::getpgrp());
  child->stdinFd.reset();
  reap(child->pid);
}

TEST_CASE("spawner: blocked and ignored signals of the daemon are reset in the child", "[spawner]") {
  sigset_t blocked, saved;
  ::sigemptyset(&blocked);
  ::sigaddset(&blocked, SIGTERM);
  ::sigaddset(&blocked, SIGUSR1);
  ::sigprocmask(SIG_BLOCK, &blocked, &saved);
  auto savedPipe = ::signal(SIGPIPE, SIG_IGN);
  auto savedHup = ::signal(SIGHUP, SIG_IGN);

  std::string status = childStatus(request({}));
  CHECK(statusLine(status, "SigBlk") == "0000000000000000");
  CHECK(statusLine(status, "SigIgn") == "0000000000000000");

  // Ours are as they were.
  sigset_t now;
  ::sigprocmask(SIG_SETMASK, nullptr, &now);
  CHECK(::sigismember(&now, SIGTERM) == 1);
  CHECK(::sigismember(&now, SIGUSR1) == 1);
  CHECK(::sigismember(&now, SIGINT) == 0);
  CHECK(::signal(SIGPIPE, savedPipe) == SIG_IGN);
  ::signal(SIGHUP, savedHup);
  ::sigprocmask(SIG_SETMASK, &saved, nullptr);
}

TEST_CASE("reaper: 200 children are all reaped through SIGCHLD on the loop, none left", "[spawner][reaper]") {
  boost::asio::io_context io;
  std::map<pid_t, int> reaped;
  std::map<pid_t, std::string> expected;
  const std::size_t count = 200;
  process::ChildSignalWatcher watcher(io, [&](std::vector<process::ReapedChild> children) {
    for (const auto& child : children) reaped[child.pid] = child.status;
    if (reaped.size() >= count) io.stop();
  });

  Spawner spawner;
  for (std::size_t i = 0; i < count; ++i) {
    const bool fails = i % 2;
    auto child = spawner.spawn(request({"sh", "-c", fails ? "exit 3" : "exit 0"}));
    REQUIRE(child.ok());
    expected[child->pid] = fails ? "exit status 3" : "exit status 0";
  }  // our pipe ends close as each SpawnedChild goes

  boost::asio::steady_timer deadline(io, std::chrono::seconds(20));
  deadline.async_wait([&](const boost::system::error_code& error) {
    if (!error) io.stop();
  });
  io.run();

  REQUIRE(reaped.size() == count);
  for (const auto& [pid, status] : reaped) {
    REQUIRE(expected.count(pid) == 1);
    CHECK(process::decodeWaitStatus(status).message == expected[pid]);
  }
  CHECK(noChildrenLeft());
}

TEST_CASE("reaper: a child killed by a signal is reported as Supervisor words it", "[reaper]") {
  auto child = Spawner().spawn(request({"sleep", "30"}));
  REQUIRE(child.ok());
  ::kill(child->pid, SIGKILL);
  auto decoded = process::decodeWaitStatus(reap(child->pid));
  CHECK(decoded.exitstatus == -1);
  CHECK(decoded.message == "terminated by SIGKILL");
  CHECK(process::reapAll().empty());
}
