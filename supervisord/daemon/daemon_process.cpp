#include "supervisord/daemon/daemon_process.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "common/value_types.h"

namespace supervisord {

namespace {

struct LimitSpec {
  int resource;
  const char* name;
  int minimum;
  std::string explanation;
};

std::string limitText(rlim_t value) { return value == RLIM_INFINITY ? "-1" : std::to_string(value); }

}  // namespace

common::Result<void> raiseResourceLimits(int minfds, int minprocs, StartupMessages& messages) {
  const LimitSpec limits[] = {
      {RLIMIT_NOFILE, "RLIMIT_NOFILE", minfds,
       "The minimum number of file descriptors required to run this process is %min% as per the \"minfds\" "
       "command-line argument or config file setting. The current environment will only allow you to open %hard% "
       "file descriptors.  Either raise the number of usable file descriptors in your environment (see README.rst) "
       "or lower the minfds setting in the config file to allow the process to start."},
      {RLIMIT_NPROC, "RLIMIT_NPROC", minprocs,
       "The minimum number of available processes required to run this program is %min% as per the \"minprocs\" "
       "command-line argument or config file setting. The current environment will only allow you to open %hard% "
       "processes.  Either raise the number of usable processes in your environment (see README.rst) or lower the "
       "minprocs setting in the config file to allow the program to start."},
  };
  for (const auto& limit : limits) {
    struct rlimit current {};
    if (::getrlimit(limit.resource, &current) != 0) continue;
    const rlim_t minimum = static_cast<rlim_t>(limit.minimum);
    if (current.rlim_cur == RLIM_INFINITY || current.rlim_cur >= minimum) continue;
    struct rlimit wanted = current;
    wanted.rlim_cur = minimum;
    if (current.rlim_max != RLIM_INFINITY && current.rlim_max < minimum) wanted.rlim_max = minimum;
    if (::setrlimit(limit.resource, &wanted) != 0) {
      std::string message = limit.explanation;
      message.replace(message.find("%min%"), 5, std::to_string(limit.minimum));
      message.replace(message.find("%hard%"), 6, limitText(wanted.rlim_max));
      return common::makeError(message);
    }
    messages.infos.push_back(std::string("Increased ") + limit.name + " limit to " + std::to_string(limit.minimum));
  }
  return {};
}

common::Result<void> dropPrivileges(const std::string& user) {
  const passwd* pw = nullptr;
  if (auto uid = common::parseInteger(user)) {
    pw = ::getpwuid(static_cast<uid_t>(*uid));
    if (!pw) return common::makeError("Can't find uid " + user);
  } else {
    pw = ::getpwnam(user.c_str());
    if (!pw) return common::makeError("Can't find username '" + user + "'");
  }
  const uid_t uid = pw->pw_uid;
  const gid_t gid = pw->pw_gid;
  if (::getuid() == uid) return {};
  if (::getuid() != 0) return common::makeError("Can't drop privilege as nonroot user");
  if (::initgroups(pw->pw_name, gid) != 0) return common::makeError("Could not set groups of effective user");
  if (::setgid(gid) != 0) return common::makeError("Could not set group id of effective user");
  if (::setuid(uid) != 0) return common::makeError("Could not set user id of effective user");
  return {};
}

common::Result<void> setUserOrNote(const std::optional<std::string>& user, StartupMessages& messages) {
  if (!user) {
    if (::getuid() == 0)
      messages.criticals.push_back(
          "Supervisor is running as root.  Privileges were not dropped because no user is specified in the config "
          "file.  If you intend to run as root, you can set user=root in the config file to avoid this message.");
    return {};
  }
  auto dropped = dropPrivileges(*user);
  if (!dropped) return dropped;
  messages.infos.push_back("Set uid to user " + *user + " succeeded");
  return {};
}

void daemonize(const std::optional<std::string>& directory, mode_t umask, StartupMessages& messages) {
  pid_t pid = ::fork();
  if (pid < 0) {
    messages.criticals.push_back(std::string("could not fork to daemonize: ") + std::strerror(errno));
    return;
  }
  if (pid != 0) ::_exit(0);
  messages.infos.push_back("daemonizing the supervisord process");
  if (directory) {
    if (::chdir(directory->c_str()) != 0)
      messages.criticals.push_back("can't chdir into '" + *directory + "': " + std::strerror(errno));
    else
      messages.infos.push_back("set current directory: '" + *directory + "'");
  }
  int devnull = ::open("/dev/null", O_RDWR);
  if (devnull >= 0) {
    ::dup2(devnull, 0);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    if (devnull > 2) ::close(devnull);
  }
  ::setsid();
  ::umask(umask);
}

bool writePidfile(const std::string& path) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return false;
  out << ::getpid() << "\n";
  return static_cast<bool>(out.flush());
}

}  // namespace supervisord
