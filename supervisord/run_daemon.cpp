#include "supervisord/run_daemon.h"

#include <errno.h>  // program_invocation_name
#include <signal.h>

#include <iostream>

#include "supervisord/cluster/cluster_node.h"
#include "supervisord/daemon/daemon_process.h"
#include "supervisord/daemon/supervisor.h"
#include "supervisord/events/event_bus.h"
#include "supervisord/logs/daemon_log.h"
#include "supervisord/rpc/http_servers.h"

namespace supervisord {

namespace {

[[noreturn]] void refuseToStart(const std::string& message) {
  std::cerr << "Error: " << message << "\n";
  std::exit(2);
}

logs::DaemonLogOptions logOptions(const config::SupervisordConfig& s) {
  logs::DaemonLogOptions options;
  options.logfile = s.logfile;
  options.maxbytes = s.logfileMaxbytes;
  options.backups = s.logfileBackups;
  options.level = s.loglevel;
  options.toStdout = s.nodaemon && !s.silent;
  return options;
}

// The cluster agent as one of the Supervisor's services: a shutdown waits while it is busy.
class ClusterService final : public Service {
 public:
  explicit ClusterService(std::unique_ptr<cluster::ClusterNode> node) : node_(std::move(node)) {}
  bool busy() const override { return node_->busy(); }

 private:
  std::unique_ptr<cluster::ClusterNode> node_;
};

}  // namespace

int runDaemon(config::Config config, const config::LoadOptions& load) {
  // Writes to a closed socket or pipe return EPIPE instead of killing the daemon.
  ::signal(SIGPIPE, SIG_IGN);

  // As Supervisor: drop privileges, then raise limits, then open the log.
  StartupMessages messages;
  if (auto user = setUserOrNote(config.supervisord.user, messages); !user) refuseToStart(user.error());
  if (auto limits = raiseResourceLimits(config.supervisord.minfds, config.supervisord.minprocs, messages); !limits)
    refuseToStart(limits.error());

  logs::DaemonLog log;
  events::EventBus bus;  // one for the daemon's life: event serials go on across restarts
  bool first = true;
  while (true) {
    if (auto opened = log.open(logOptions(config.supervisord)); !opened) refuseToStart(opened.error());
    config::Config current = config;
    Supervisor supervisor(std::move(current), log, bus, first, std::move(messages), load);
    messages = {};
    if (supervisor.config().cluster)  // before the API uses it
      supervisor.addService([](Supervisor& s) -> common::Result<std::unique_ptr<Service>> {
        auto node = cluster::ClusterNode::open(s);
        if (!node) return node.takeError();
        return std::unique_ptr<Service>(std::make_unique<ClusterService>(std::move(*node)));
      });
    supervisor.addService([](Supervisor& s) -> common::Result<std::unique_ptr<Service>> {
      auto servers = rpc::HttpServers::open(s);
      if (!servers) return servers.takeError();
      return std::unique_ptr<Service>(std::move(*servers));
    });
    const Supervisor::Outcome outcome = supervisor.run();
    if (outcome == Supervisor::Outcome::Refused) {
      // Supervisor's options.usage(): the message, a hint, exit status 2.
      std::cerr << "Error: " << supervisor.refusal() << "\nFor help, use " << program_invocation_name << " -h\n";
      return 2;
    }
    if (outcome == Supervisor::Outcome::Shutdown) return 0;
    first = false;
    // SIGHUP / restart: read the configuration again. A broken file keeps the
    // running configuration (Python Supervisor would exit instead).
    auto reloaded = config::loadConfig(load);
    if (reloaded)
      config = std::move(*reloaded);
    else
      log.critical("could not reload the configuration, keeping the previous one: " + reloaded.error());
  }
}

}  // namespace supervisord
