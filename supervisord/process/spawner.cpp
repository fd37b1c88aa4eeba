#include "supervisord/process/spawner.h"

// Boost.Process 1.74 pitfalls handled here (reference/libs.md §2): every daemon fd
// is inherited unless marked close-on-exec (close_range below), start_dir ignores
// chdir errors (our own chdir), set_error() does not stop the child (_exit after it),
// ~child() kills an attached child (detach at once), and giving bp the io_context or
// on_exit would make it reap behind our back (we do neither, and never wait()).
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/args.hpp>
#include <boost/process/extend.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <linux/close_range.h>
#include <system_error>

#include "supervisord/process/command_path.h"

namespace bp = boost::process;

namespace process {

namespace {

// Python's errno.errorcode[e] (Supervisor prints these), or the number.
std::string errnoName(int error) {
  if (error == EDEADLK) return "EDEADLOCK";
  if (error == EOPNOTSUPP) return "ENOTSUP";
  if (error == EHWPOISON) return std::to_string(error);
  const char* name = ::strerrorname_np(error);
  return name ? name : std::to_string(error);
}

// What to become in the child; computed here because NSS (getpwuid, getgrouplist)
// is not safe between fork and exec.
struct Credentials {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // primary gid first, as Supervisor's drop_privileges
};

// nullopt: nothing to change (no user, or already that user).
common::Result<std::optional<Credentials>> credentialsFor(std::optional<uid_t> uid) {
  if (!uid) return std::optional<Credentials>{};
  const std::string prefix = "couldn't setuid to " + std::to_string(*uid) + ": ";
  const passwd* entry = ::getpwuid(*uid);
  if (!entry) return common::makeError(prefix + "Can't find uid " + std::to_string(*uid));
  if (::getuid() == *uid) return std::optional<Credentials>{};
  if (::getuid() != 0) return common::makeError(prefix + "Can't drop privilege as nonroot user");

  Credentials credentials{*uid, entry->pw_gid, {}};
  int count = 32;
  std::vector<gid_t> groups(count);
  while (::getgrouplist(entry->pw_name, entry->pw_gid, groups.data(), &count) < 0) groups.resize(count);
  groups.resize(count);
  credentials.groups.push_back(entry->pw_gid);
  for (gid_t group : groups)
    if (group != entry->pw_gid) credentials.groups.push_back(group);
  return std::optional<Credentials>{std::move(credentials)};
}

// Keeps 0, 1 and 2 free for the child's streams even if the daemon has them closed.
common::UniqueFd aboveStandardStreams(int fd) {
  if (fd > 2) return common::UniqueFd(fd);
  common::UniqueFd low(fd);
  return common::UniqueFd(::fcntl(fd, F_DUPFD_CLOEXEC, 3));
}

struct Pipe {
  common::UniqueFd readEnd;
  common::UniqueFd writeEnd;
};

// Both ends close-on-exec; the caller makes its own end non-blocking.
bool makePipe(Pipe& pipe) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  pipe.readEnd = aboveStandardStreams(fds[0]);
  pipe.writeEnd = aboveStandardStreams(fds[1]);
  return pipe.readEnd && pipe.writeEnd;
}

bool setNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

// The step that failed in the child travels to us in the error code's value,
// above errno (bp sends only the value through its exec-error pipe).
enum class ChildStep : int { Exec = 0, Streams, SetGroups, SetGid, SetUid, Chdir };
constexpr int kStepUnit = 1 << 16;

std::error_code childError(ChildStep step) {
  return std::error_code(static_cast<int>(step) * kStepUnit + errno, std::system_category());
}

// Blocks every signal in the daemon while it forks, so that no handler of ours
// (asio's signal_set) runs in the child before the child resets them; the child
// then unblocks everything just before exec.
class SignalsBlocked {
 public:
  SignalsBlocked() {
    sigset_t all;
    ::sigfillset(&all);
    ::sigprocmask(SIG_SETMASK, &all, &saved_);
  }
  ~SignalsBlocked() { ::sigprocmask(SIG_SETMASK, &saved_, nullptr); }
  SignalsBlocked(const SignalsBlocked&) = delete;
  SignalsBlocked& operator=(const SignalsBlocked&) = delete;

 private:
  sigset_t saved_;
};

std::vector<char*> nullTerminated(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

common::Result<SpawnedChild> Spawner::spawn(const SpawnRequest& request) {
  const std::string quotedName = "'" + request.name + "'";
  if (request.argv.empty()) return common::makeError("command is empty");
  auto filename = resolveCommand(request.argv.front(), request.environment);
  if (!filename) return filename.takeError();
  auto credentials = credentialsFor(request.uid);
  if (!credentials) return credentials.takeError();

  // Pipes, as Supervisor's make_pipes: errors worded as its make_dispatchers.
  Pipe stdinPipe, stdoutPipe, stderrPipe;
  common::UniqueFd devNull;
  const bool wantStderrPipe = request.stderrPipe && !request.redirectStderr;
  const bool wantDevNull = !request.stdinPipe || !request.stdoutPipe || (!wantStderrPipe && !request.redirectStderr);
  bool made = (!request.stdinPipe || makePipe(stdinPipe)) && (!request.stdoutPipe || makePipe(stdoutPipe)) &&
              (!wantStderrPipe || makePipe(stderrPipe));
  if (made && wantDevNull) {
    devNull = aboveStandardStreams(::open("/dev/null", O_RDWR | O_CLOEXEC));
    made = devNull.valid();
  }
  made = made && (!request.stdinPipe || setNonBlocking(stdinPipe.writeEnd.get())) &&
         (!request.stdoutPipe || setNonBlocking(stdoutPipe.readEnd.get())) &&
         (!wantStderrPipe || setNonBlocking(stderrPipe.readEnd.get()));
  if (!made) {
    if (errno == EMFILE) return common::makeError("too many open files to spawn " + quotedName);
    return common::makeError("unknown error making dispatchers for " + quotedName + ": " + errnoName(errno));
  }

  // The child's fds 0, 1, 2 (as our fd numbers).
  const int childStdin = request.stdinPipe ? stdinPipe.readEnd.get() : devNull.get();
  const int childStdout = request.stdoutPipe ? stdoutPipe.writeEnd.get() : devNull.get();
  const int childStderr = request.redirectStderr ? childStdout
                          : wantStderrPipe       ? stderrPipe.writeEnd.get()
                                                 : devNull.get();

  // Everything the child touches is prepared here: after fork only syscalls.
  std::vector<std::string> argvStrings = request.argv;
  std::vector<std::string> envStrings;
  envStrings.reserve(request.environment.size());
  for (const auto& [key, value] : request.environment) envStrings.push_back(key + "=" + value);
  std::vector<char*> argv = nullTerminated(argvStrings);
  std::vector<char*> envp = nullTerminated(envStrings);
  const char* const directory = request.directory ? request.directory->c_str() : nullptr;
  const Credentials* const user = *credentials ? &**credentials : nullptr;

  auto setUpChild = [&](auto& exec) {
    // All signals are blocked (SignalsBlocked): reset dispositions, SIG_IGN survives exec.
    for (int signal = 1; signal < NSIG; ++signal) ::signal(signal, SIG_DFL);
    ::setpgid(0, 0);  // Supervisor's setpgrp(): signals to the daemon's group miss us

    const int streams[3] = {childStdin, childStdout, childStderr};
    for (int target = 0; target < 3; ++target) {
      if (::dup2(streams[target], target) < 0) {
        exec.set_error(childError(ChildStep::Streams), "spawn");
        ::_exit(127);
      }
    }
    // No daemon fd survives exec (sockets, log files, other children's pipes);
    // bp's exec-error pipe is close-on-exec already and keeps working until then.
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    for (const auto& [ours, theirs] : request.passedFds) {
      int result = ours == theirs ? ::fcntl(ours, F_SETFD, 0) : ::dup2(ours, theirs);
      if (result < 0) {
        exec.set_error(childError(ChildStep::Streams), "spawn");
        ::_exit(127);
      }
    }

    if (user) {
      if (::setgroups(user->groups.size(), user->groups.data()) != 0) {
        exec.set_error(childError(ChildStep::SetGroups), "spawn");
        ::_exit(127);
      }
      if (::setgid(user->gid) != 0) {
        exec.set_error(childError(ChildStep::SetGid), "spawn");
        ::_exit(127);
      }
      if (::setuid(user->uid) != 0) {
        exec.set_error(childError(ChildStep::SetUid), "spawn");
        ::_exit(127);
      }
    }
    if (directory && ::chdir(directory) != 0) {
      exec.set_error(childError(ChildStep::Chdir), "spawn");
      ::_exit(127);
    }
    if (request.umask) ::umask(*request.umask);

    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // bp execs exec.exe with exec.cmd_line and exec.env right after this: ours, so
    // that argv[0] is the command as written (bp would put the path) and the
    // environment keeps its order.
    exec.exe = filename->c_str();
    exec.cmd_line = argv.data();
    exec.env = envp.data();
  };

  pid_t failedPid = -1;
  bool forkFailed = false;
  std::error_code error;
  pid_t pid = -1;
  {
    SignalsBlocked blocked;
    bp::child child(bp::exe = *filename, bp::args = std::vector<std::string>{},
                    bp::extend::on_exec_setup = setUpChild,
                    bp::extend::on_fork_error = [&](auto&, const std::error_code&) { forkFailed = true; },
                    bp::extend::on_error = [&](auto& exec, const std::error_code&) { failedPid = exec.pid; },
                    error);
    child.detach();  // never let ~child() signal or wait; we reap
    if (!error) pid = child.id();
    if (error && failedPid > 0) {
      // It failed before exec and is exiting: reap it now rather than leave a
      // zombie whose pid nobody knows (it never was a process of ours).
      int status;
      while (::waitpid(failedPid, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }

  if (error) {
    const int code = error.value() % kStepUnit;
    const auto step = static_cast<ChildStep>(error.value() / kStepUnit);
    if (forkFailed || failedPid <= 0) {
      if (code == EAGAIN) return common::makeError("Too many processes in process table to spawn " + quotedName);
      if (code == EMFILE) return common::makeError("too many open files to spawn " + quotedName);
      return common::makeError("unknown error during fork for " + quotedName + ": " + errnoName(code));
    }
    const std::string setuidPrefix = user ? "couldn't setuid to " + std::to_string(user->uid) + ": " : "";
    switch (step) {
      case ChildStep::Exec:
        return common::makeError("couldn't exec " + request.argv.front() + ": " + errnoName(code));
      case ChildStep::Streams:
        return common::makeError("couldn't set up the standard streams of " + quotedName + ": " + errnoName(code));
      case ChildStep::SetGroups:
        return common::makeError(setuidPrefix + "Could not set groups of effective user");
      case ChildStep::SetGid:
        return common::makeError(setuidPrefix + "Could not set group id of effective user");
      case ChildStep::SetUid:
        return common::makeError(setuidPrefix + errnoName(code));
      case ChildStep::Chdir:
        return common::makeError("couldn't chdir to " + *request.directory + ": " + errnoName(code));
    }
    return common::makeError("couldn't spawn " + quotedName + ": " + error.message());
  }

  SpawnedChild spawned;
  spawned.pid = pid;
  if (request.stdinPipe) spawned.stdinFd = std::move(stdinPipe.writeEnd);
  if (request.stdoutPipe) spawned.stdoutFd = std::move(stdoutPipe.readEnd);
  if (wantStderrPipe) spawned.stderrFd = std::move(stderrPipe.readEnd);
  return spawned;  // the child's ends close here, with the rest of the pipes
}

}  // namespace process
