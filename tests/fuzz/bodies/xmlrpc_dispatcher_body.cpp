#include <optional>
#include <stdexcept>

#include "common/xmlrpc_codec.h"
#include "supervisord/config/config_loader.h"
#include "supervisord/daemon/supervisor.h"
#include "supervisord/events/event_bus.h"
#include "supervisord/logs/daemon_log.h"
#include "supervisord/rpc/dispatcher.h"
#include "supervisord/rpc/ha_interface.h"
#include "supervisord/rpc/supervisor_interface.h"
#include "tests/fuzz/bodies/contract.h"
#include "tests/fuzz/bodies/scratch_directory.h"
#include "tests/fuzz/fuzz_bodies.h"

namespace fuzz {
namespace {

// Programs of every kind the API knows (a plain one, numprocs, a group with a
// strategy, a promotable one with hooks, an event listener), none autostarted.
// Every command is a path that does not exist: a start fails in the spawner before
// fork(), so no input ever makes a child (the loop that would reap it never runs).
constexpr std::string_view kConfig = R"([supervisord]
logfile=%(here)s/supervisord.log
logfile_maxbytes=1MB
logfile_backups=1
pidfile=%(here)s/supervisord.pid
childlogdir=%(here)s
identifier=fuzz

[unix_http_server]
file=%(here)s/unused.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[program:cat]
command=/nonexistent/fuzz/cat
autostart=false
startsecs=0

[program:db]
command=/nonexistent/fuzz/db
autostart=false
role=promotable
promote_command=/nonexistent/fuzz/promote
demote_command=/nonexistent/fuzz/demote
score_command=/nonexistent/fuzz/score
escalate_command=/nonexistent/fuzz/escalate
backoff=exponential
restart_budget=5 in 10m
on_budget_spent=escalate
stdout_logfile=%(here)s/db.log
stderr_logfile=%(here)s/db.err

[program:worker]
command=/nonexistent/fuzz/worker %(process_num)d
process_name=%(program_name)s_%(process_num)02d
numprocs=2
autostart=false
pre_start_command=/nonexistent/fuzz/pre-start

[group:app]
programs=worker,cat
strategy=one_for_all
restart_budget=3 in 5m

[eventlistener:listener]
command=/nonexistent/fuzz/listener
events=PROCESS_STATE,TICK_5,REMOTE_COMMUNICATION
autostart=false
)";

struct Daemon {
  config::LoadOptions load;
  config::Config config;
  logs::DaemonLog log;
};

// Loaded once per process; each input gets a fresh Supervisor built from it.
Daemon& daemon() {
  static Daemon* made = [] {
    auto* d = new Daemon;
    d->load.configFile = writeScratchFile("xmlrpc_dispatcher", "supervisord.conf", kConfig);
    d->load.daemonEnvironment = {{"HOME", "/root"}, {"PATH", "/usr/bin:/bin"}};
    d->load.hostNodeName = "fuzzhost";
    auto loaded = config::loadConfig(d->load);
    if (!loaded) throw std::runtime_error("the dispatcher fixture's config does not load: " + loaded.error());
    d->config = std::move(*loaded);
    logs::DaemonLogOptions options;
    options.logfile = d->config.supervisord.logfile;
    options.maxbytes = 1 << 20;
    options.backups = 1;
    options.level = common::LogLevel::Info;
    if (auto opened = d->log.open(options); !opened) throw std::runtime_error(opened.error());
    return d;
  }();
  return *made;
}

// The answer goes to the client as XML: it must be a document the client parses.
void requireEncodable(const rpc::Outcome& outcome) {
  if (const auto* fault = std::get_if<rpc::Fault>(&outcome)) {
    auto parsed = common::xmlrpc::parseResponse(common::xmlrpc::encodeFault(*fault));
    require(parsed.ok() && parsed->isFault(), "a fault encodes into a response that parses");
  } else {
    auto parsed = common::xmlrpc::parseResponse(common::xmlrpc::encodeResponse(std::get<rpc::Value>(outcome)));
    require(parsed.ok() && !parsed->isFault(), "a value encodes into a response that parses: " +
                                                    (parsed ? std::string() : parsed.error()));
  }
}

}  // namespace

// The input is a request body as POST /RPC2 receives it: parsed, then called on the
// real method table (supervisor.*, ha.*, system.*) of a Supervisor that has its
// groups but whose loop never runs. A deferred answer is polled a few times.
void xmlrpcDispatcher(std::string_view input) {
  auto call = common::xmlrpc::parseCall(input);
  if (!call || call->method.empty()) return;
  Daemon& d = daemon();
  events::EventBus bus;
  supervisord::Supervisor supervisor(d.config, d.log, bus, /*first=*/false, {}, d.load);
  for (const auto& group : d.config.groups) supervisor.addProcessGroup(group);
  rpc::Dispatcher dispatcher;
  rpc::addSupervisorMethods(dispatcher, supervisor);
  rpc::addHaMethods(dispatcher, supervisor);

  rpc::Reply reply = dispatcher.call(call->method, call->params);
  if (auto outcome = rpc::finished(reply)) return requireEncodable(*outcome);
  auto& poll = std::get<rpc::Poll>(reply);
  for (int i = 0; i < 3; ++i) {
    if (auto outcome = poll.next()) return requireEncodable(*outcome);
  }
}

}  // namespace fuzz
