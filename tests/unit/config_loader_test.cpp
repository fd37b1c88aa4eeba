// The configuration loader, through its public entry point loadConfig(): what a
// user's supervisord.conf means, and how a bad one is reported.

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>

#include "config_fixture.h"

namespace fs = std::filesystem;
using namespace config;

namespace {

std::string errorOf(ConfigDirectory& d, const std::string& text) {
  auto r = d.load(text);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

}  // namespace

TEST_CASE("config: a program with only a command gets Supervisor's defaults", "[config]") {
  ConfigDirectory d;
  auto c = d.load("[supervisord]\n[program:cat]\ncommand=/bin/cat\n");
  REQUIRE(c.ok());
  const auto& p = onlyProcess(*c);
  CHECK(p.name == "cat");
  CHECK(p.groupName == "cat");
  CHECK(p.priority == 999);
  CHECK(p.autostart);
  CHECK(p.autorestart == AutoRestart::Unexpected);
  CHECK(p.startsecs == 1);
  CHECK(p.startretries == 3);
  CHECK(p.stopsignal == SIGTERM);
  CHECK(p.stopwaitsecs == 10);
  CHECK_FALSE(p.stopasgroup);
  CHECK_FALSE(p.killasgroup);
  CHECK(p.exitcodes == std::vector<int>{0});
  CHECK(p.stdoutChannel.target == ChannelConfig::Target::Auto);
  CHECK(p.stdoutChannel.logfileMaxbytes == 50 * 1024 * 1024);
  CHECK(p.stdoutChannel.logfileBackups == 10);
  CHECK_FALSE(p.umask.has_value());
  CHECK_FALSE(p.uid.has_value());
  CHECK_FALSE(p.serverurl.has_value());
}

TEST_CASE("config: [supervisord] defaults are Supervisor's, paths relative to the working directory", "[config]") {
  ConfigDirectory d;
  auto c = d.load("[supervisord]\n");
  REQUIRE(c.ok());
  const auto& s = c->supervisord;
  CHECK(s.logfile == fs::current_path().string() + "/supervisord.log");
  CHECK(s.pidfile == fs::current_path().string() + "/supervisord.pid");
  CHECK(s.logfileMaxbytes == 50 * 1024 * 1024);
  CHECK(s.logfileBackups == 10);
  CHECK(s.loglevel == LogLevel::Info);
  CHECK(s.umask == 022);
  CHECK(s.minfds == 1024);
  CHECK(s.minprocs == 200);
  CHECK(s.identifier == "supervisor");
  CHECK_FALSE(s.nodaemon);
}

TEST_CASE("config: every value type is parsed as Supervisor parses it", "[config]") {
  ConfigDirectory d;
  auto c = d.load(
      "[supervisord]\nloglevel=WARN\numask=0o27\nlogfile_maxbytes=1GB\n"
      "[program:x]\ncommand=/bin/cat\nautostart=No\nautorestart=TRUE\nstopsignal=sigkill\n"
      "exitcodes=0,2, 255\nstdout_logfile_maxbytes=10kb\nstdout_logfile=none\nstderr_logfile=%(here)s/err.log\n"
      "umask=077\nuser=nobody\nstopasgroup=on\nstartsecs=+5\n");
  REQUIRE(c.ok());
  CHECK(c->supervisord.loglevel == LogLevel::Warn);
  CHECK(c->supervisord.umask == 027);
  CHECK(c->supervisord.logfileMaxbytes == 1024LL * 1024 * 1024);
  const auto& p = onlyProcess(*c);
  CHECK_FALSE(p.autostart);
  CHECK(p.autorestart == AutoRestart::Always);
  CHECK(p.stopsignal == SIGKILL);
  CHECK(p.exitcodes == std::vector<int>{0, 2, 255});
  CHECK(p.stdoutChannel.logfileMaxbytes == 10240);
  CHECK(p.stdoutChannel.target == ChannelConfig::Target::None);
  CHECK(p.stderrChannel.target == ChannelConfig::Target::File);
  CHECK(p.stderrChannel.logfile == d.path().string() + "/err.log");
  CHECK(p.umask == 077u);
  CHECK(p.uid == 65534u);
  CHECK(p.stopasgroup);
  CHECK(p.killasgroup);  // follows stopasgroup
  CHECK(p.startsecs == 5);
}

TEST_CASE("config: expansions reach every key that Supervisor expands", "[config]") {
  ConfigDirectory d;
  auto c = d.load(
      "[supervisord]\nenvironment=BASE=\"%(ENV_GREETING)s\"\n"
      "[program:web]\ncommand=/bin/echo %(program_name)s %(group_name)s %(process_num)02d/%(numprocs)d "
      "%(host_node_name)s %(ENV_BASE)s %(ENV_OWN)s 100%%\n"
      "process_name=%(program_name)s-%(process_num)d\nnumprocs=2\nnumprocs_start=3\n"
      "environment=OWN=\"p%(process_num)d\"\ndirectory=%(here)s\n");
  REQUIRE(c.ok());
  REQUIRE(c->groups[0].processes.size() == 2);
  const auto& p = c->groups[0].processes[0];
  CHECK(p.name == "web-3");
  CHECK(p.command == "/bin/echo web web 03/2 node1 hello p3 100%");
  CHECK(p.directory == d.path().string());
  CHECK(c->groups[0].processes[1].name == "web-4");
  // The program's environment sits on top of [supervisord]'s.
  CHECK(p.environment == Environment{{"BASE", "hello"}, {"OWN", "p3"}});
}

TEST_CASE("config: %(here)s is the directory of the file each section came from", "[config]") {
  ConfigDirectory d;
  d.write("conf.d/extra.conf", "[program:inc]\ncommand=%(here)s/run.sh\n");
  auto c = d.load("[supervisord]\nlogfile=%(here)s/main.log\n[include]\nfiles=conf.d/*.conf nomatch/*.conf\n");
  REQUIRE(c.ok());
  CHECK(c->supervisord.logfile == d.path().string() + "/main.log");
  CHECK(onlyProcess(*c).command == d.path().string() + "/conf.d/run.sh");
  bool warned = false;
  for (const auto& w : c->warnings) warned |= w.find("No file matches via include") != std::string::npos;
  CHECK(warned);
}

TEST_CASE("config: groups are ordered by priority and [group:x] takes its programs", "[config]") {
  ConfigDirectory d;
  auto c = d.load(
      "[supervisord]\n[program:late]\ncommand=/bin/cat\npriority=900\n"
      "[program:a]\ncommand=/bin/cat\npriority=20\n[program:b]\ncommand=/bin/cat\npriority=10\n"
      "[group:app]\nprograms=a,b\npriority=100\n"
      "[eventlistener:mon]\ncommand=/bin/cat\nevents=PROCESS_STATE,tick_60\n");
  REQUIRE(c.ok());
  REQUIRE(c->groups.size() == 3);
  CHECK(c->groups[0].name == "mon");  // listeners default to priority -1
  CHECK(c->groups[0].kind == GroupKind::EventListenerPool);
  CHECK(c->groups[0].events == std::vector<std::string>{"PROCESS_STATE", "TICK_60"});
  CHECK(c->groups[1].name == "app");
  REQUIRE(c->groups[1].processes.size() == 2);
  CHECK(c->groups[1].processes[0].name == "b");  // ascending process priority
  CHECK(c->groups[1].processes[0].groupName == "app");
  CHECK(c->groups[2].name == "late");
}

TEST_CASE("config: servers and the SUPERVISOR_SERVER_URL fallback", "[config]") {
  ConfigDirectory d;
  auto c = d.load(
      "[unix_http_server]\nfile=%(here)s/s.sock\nchmod=0770\n[inet_http_server]\nport=*:9001\n"
      "username=u\npassword={SHA}abc\n[supervisord]\n");
  REQUIRE(c.ok());
  REQUIRE(c->servers.size() == 2);
  CHECK(c->servers[0].family == HttpServerConfig::Family::Inet);
  CHECK(c->servers[0].host.empty());
  CHECK(c->servers[0].port == 9001);
  CHECK(c->servers[1].file == d.path().string() + "/s.sock");
  CHECK(c->servers[1].chmod == 0770u);
  CHECK(c->serverurl == "unix://" + d.path().string() + "/s.sock");
}

TEST_CASE("config: the command line wins over the file", "[config]") {
  ConfigDirectory d;
  auto cl = parseCommandLine({"-n", "--logl=debug", "-i", "cli-id", "-q", "/tmp"});
  REQUIRE(cl.ok());
  auto c = d.load("[supervisord]\nnodaemon=false\nloglevel=info\nidentifier=file-id\n", *cl);
  REQUIRE(c.ok());
  CHECK(c->supervisord.nodaemon);
  CHECK(c->supervisord.loglevel == LogLevel::Debug);
  CHECK(c->supervisord.identifier == "cli-id");
  CHECK(c->supervisord.childlogdir == "/tmp");
}

TEST_CASE("config: each error names the file, the line, the section and the key", "[config]") {
  ConfigDirectory d;
  const std::string file = d.path().string() + "/supervisord.conf";
  struct Case {
    const char* text;
    const char* where;     // expected "file:line: [section] key" part after the file name
    const char* message;   // part of what was expected
  };
  const Case cases[] = {
      {"[supervisord]\n[program:x]\ncommand=/bin/cat\nstartsecs=soon\n", ":4: [program:x] startsecs", "not an integer"},
      {"[supervisord]\n[program:x]\ncommand=/bin/cat\nautostart=maybe\n", ":4: [program:x] autostart", "boolean"},
      {"[supervisord]\n[program:x]\ncommand=/bin/cat\nstopsignal=NOPE\n", ":4: [program:x] stopsignal", "signal name"},
      {"[supervisord]\n[program:x]\ncommand=/bin/cat\nexitcodes=0,300\n", ":4: [program:x] exitcodes", "exit codes"},
      {"[supervisord]\n[program:x]\ncommand=/bin/cat\nstdout_logfile_maxbytes=5XB\n",
       ":4: [program:x] stdout_logfile_maxbytes", "byte size"},
      {"[supervisord]\n[program:x]\ncommand=/bin/cat\nuser=no-such-user\n", ":4: [program:x] user", "Invalid user name"},
      {"[supervisord]\n[program:x]\ncommand=/bin/cat %(nope)s\n", ":3: [program:x] command", "Available names:"},
      {"[supervisord]\n[program:x]\ncommand=/bin/cat\nnumprocs=2\n", ":2: [program:x] process_name",
       "%(process_num) must be present"},
      {"[supervisord]\n[program:x]\ncommand=/bin/cat\nstopasgroup=true\nkillasgroup=false\n",
       ":5: [program:x] killasgroup", "Cannot set stopasgroup=true and killasgroup=false"},
      {"[supervisord]\n[program:x]\nautostart=true\n", ":2: [program:x]", "does not specify a command"},
      {"[supervisord]\n[program:x]\ncommand=/bin/cat\nstdout_logfile=/no/such/dir/x.log\n",
       ":4: [program:x] stdout_logfile", "does not exist"},
      {"[supervisord]\nchildlogdir=/no/such/dir\n", ":2: [supervisord] childlogdir", "not an existing directory"},
      {"[supervisord]\n[group:g]\nprograms=missing\n", ":3: [group:g] programs", "unknown program"},
      {"[supervisord]\n[eventlistener:l]\ncommand=/bin/cat\n", ":2: [eventlistener:l]", "requires an \"events\" line"},
      {"[supervisord]\n[eventlistener:l]\ncommand=/bin/cat\nevents=NOT_AN_EVENT\n", ":4: [eventlistener:l] events",
       "Unknown event type"},
      {"[supervisord]\n[inet_http_server]\nport=127.0.0.1:99999\n", ":3: [inet_http_server] port", "out of range"},
      {"[supervisord]\n[inet_http_server]\nport=9001\nusername=u\n", ":2: [inet_http_server]",
       "incomplete authentication"},
      {"[supervisord]\n[fcgi-program:f]\ncommand=/bin/cat\nsocket=udp://x\n", ":4: [fcgi-program:f] socket",
       "Bad socket format"},
      {"[program:x]\ncommand=/bin/cat\n", "", "does not include supervisord section"},
      {"[supervisord]\nthis line is junk\n", ":2", "cannot parse line"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    std::string error = errorOf(d, c.text);
    CHECK(error.find(file + c.where) == 0);
    CHECK(error.find(c.message) != std::string::npos);
  }
}

TEST_CASE("config: output to syslog, not supported yet, is a warning naming the key's line", "[config]") {
  ConfigDirectory d;
  auto c = d.load("[supervisord]\n[program:x]\ncommand=/bin/cat\nstderr_syslog=true\n"
                  "[program:y]\ncommand=/bin/cat\nstdout_logfile=syslog\n");
  REQUIRE(c.ok());
  const std::string file = d.configFile();
  CHECK(std::count(c->warnings.begin(), c->warnings.end(),
                   file + ":4: [program:x] stderr to syslog: supervisor-ha does not send child output to syslog yet "
                          "(ignored)") == 1);
  CHECK(std::count(c->warnings.begin(), c->warnings.end(),
                   file + ":7: [program:y] stdout to syslog: supervisor-ha does not send child output to syslog yet "
                          "(ignored)") == 1);
}

TEST_CASE("config: unknown keys and sections are warnings with file and line", "[config]") {
  ConfigDirectory d;
  auto c = d.load("[supervisord]\n[program:x]\ncommand=/bin/cat\nauto_restart=true\n[programs:y]\ncommand=x\n");
  REQUIRE(c.ok());
  const std::string file = d.path().string() + "/supervisord.conf";
  std::vector<std::string> expected = {file + ":4: unknown key 'auto_restart' in [program:x] (ignored)",
                                       file + ":5: unknown section [programs:y] (ignored)"};
  CHECK(c->warnings == expected);
}

TEST_CASE("command line: Supervisor's options, long prefixes and usage errors", "[config]") {
  auto cl = parseCommandLine({"-nc", "/etc/s.conf", "--user=nobody", "--minprocs", "300", "-kts"});
  REQUIRE(cl.ok());
  CHECK(cl->configFile == "/etc/s.conf");
  CHECK(cl->nodaemon == true);
  CHECK(cl->user == "nobody");
  CHECK(cl->minprocs == 300);
  CHECK(cl->nocleanup == true);
  CHECK(cl->stripAnsi == true);
  CHECK(cl->silent == true);

  CHECK(parseCommandLine({"--log"}).error() == "option --log not a unique prefix");
  CHECK(parseCommandLine({"-x"}).error() == "option -x not recognized");
  CHECK(parseCommandLine({"-c"}).error() == "option -c requires argument");
  CHECK(parseCommandLine({"-n", "-n"}).error() == "conflicting command line option '-n'");
  CHECK(parseCommandLine({"stray"}).error() == "positional arguments are not supported: ['stray']");
  CHECK(parseCommandLine({"-e", "loud"}).error().find("invalid value for -e 'loud'") == 0);
  CHECK(parseCommandLine({"--check-config"})->checkConfig);
}
