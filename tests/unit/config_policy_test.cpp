// The restart-policy keys (ours, policy_config.h) as a user writes them in
// supervisord.conf, through the public loadConfig(); and parseDuration, their unit.

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/value_types.h"
#include "config_fixture.h"
#include "supervisord/config/config_report.h"

namespace fs = std::filesystem;
using namespace config;

namespace {

const PolicyConfig& policyOf(ConfigDirectory& d, const std::string& programKeys, common::Result<Config>& holder) {
  holder = d.load("[supervisord]\n[program:db]\ncommand=/bin/cat\n" + programKeys);
  INFO((holder.ok() ? std::string() : holder.error()));
  REQUIRE(holder.ok());
  return onlyProcess(*holder).policy;
}

}  // namespace

TEST_CASE("parseDuration: seconds, or a number with ms, s, m or h", "[config][policy]") {
  CHECK(common::parseDuration("10").value() == 10);
  CHECK(common::parseDuration("2.5").value() == 2.5);
  CHECK(common::parseDuration("10s").value() == 10);
  CHECK(common::parseDuration("500ms").value() == 0.5);
  CHECK(common::parseDuration("5m").value() == 300);
  CHECK(common::parseDuration("1h").value() == 3600);
  CHECK(common::parseDuration("1.5H").value() == 5400);
  CHECK(common::parseDuration(" 30 s ").value() == 30);
  CHECK(common::parseDuration("0").value() == 0);
  CHECK(common::parseDuration(".5").value() == 0.5);
  for (const char* bad : {"", "s", "-1", "+1", "1e3", "1..2", "10 min", "5d", "ten", "1.2.3", "10sec", "inf", "nan"}) {
    INFO(bad);
    auto r = common::parseDuration(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error() == "not a duration: '" + std::string(bad) +
                           "' (expected seconds, or a number with ms, s, m or h, e.g. '500ms', '10s', '5m')");
  }
}

TEST_CASE("policy: a config without policy keys behaves as Supervisor (every default)", "[config][policy]") {
  ConfigDirectory d;
  auto c = d.load(
      "[supervisord]\n[program:a]\ncommand=/bin/cat\n[program:b]\ncommand=/bin/cat\n"
      "[group:g]\nprograms=b\n[fcgi-program:f]\ncommand=/bin/cat\nsocket=tcp://127.0.0.1:9999\n"
      "[eventlistener:l]\ncommand=/bin/cat\nevents=TICK_5\n");
  REQUIRE(c.ok());
  REQUIRE(c->warnings.size() == 1);  // only that FastCGI sockets are not created yet
  CHECK(c->warnings[0].find("does not create FastCGI sockets yet") != std::string::npos);
  CHECK(c->supervisord.startOrder == StartOrder::Priority);
  REQUIRE(c->groups.size() == 4);
  for (const auto& g : c->groups) {
    INFO(g.name);
    CHECK(g.policy == GroupPolicyConfig{});
    for (const auto& p : g.processes) CHECK(p.policy.isDefault());
  }
  const PolicyConfig p;  // the defaults, spelled out: Supervisor's behaviour
  CHECK(p.backoff == Backoff::Linear);
  CHECK(p.backoffInitial == 1);
  CHECK(p.backoffMax == 300);
  CHECK(p.backoffJitter == 0);
  CHECK(p.backoffReset == 0);
  CHECK_FALSE(p.restartBudget);
  CHECK(p.onBudgetSpent == OnBudgetSpent::Fatal);
  CHECK_FALSE(p.fatalRetry);
  CHECK_FALSE(p.readinessProbe);
  CHECK_FALSE(p.livenessProbe);
  CHECK(p.role == Role::None);
  CHECK(p.hookTimeout == 30);
  CHECK(p.scoreInterval == 10);
  // The dump has no policy anywhere, as Python Supervisor's (tests/compat/).
  auto dump = nlohmann::json::parse(configJson(*c));
  CHECK_FALSE(dump["supervisord"].contains("start_order"));
  for (const auto& g : dump["groups"]) {
    CHECK_FALSE(g.contains("policy"));
    for (const auto& process : g["processes"]) CHECK_FALSE(process.contains("policy"));
  }
  CHECK(configSummary(*c).find("policy: ") == std::string::npos);
}

TEST_CASE("policy: every program key is read, in any case, with durations in any unit", "[config][policy]") {
  ConfigDirectory d;
  common::Result<Config> c = common::makeError("");
  const auto& p = policyOf(d,
                           "backoff=Exponential\nbackoff_initial=500ms\nbackoff_max=2m\nbackoff_jitter=20%\n"
                           "backoff_reset=1h\nrestart_budget=5 in 60s\non_budget_spent=ESCALATE\nfatal_retry=10m\n"
                           "role=promotable\npre_start_command=/bin/prep\npost_stop_command=/bin/clean --all\n"
                           "promote_command=/bin/promote\ndemote_command=/bin/demote\nscore_command=/bin/score\n"
                           "escalate_command=/bin/page me\nhook_timeout=5\nscore_interval=2.5\n",
                           c);
  CHECK(p.backoff == Backoff::Exponential);
  CHECK(p.backoffInitial == 0.5);
  CHECK(p.backoffMax == 120);
  CHECK(p.backoffJitter == Approx(0.2));
  CHECK(p.backoffReset == 3600);
  REQUIRE(p.restartBudget);
  CHECK(*p.restartBudget == RestartBudget{5, 60});
  CHECK(p.onBudgetSpent == OnBudgetSpent::Escalate);
  CHECK(p.fatalRetry == 600);
  CHECK(p.role == Role::Promotable);
  CHECK(p.preStartCommand == "/bin/prep");
  CHECK(p.postStopCommand == "/bin/clean --all");
  CHECK(p.promoteCommand == "/bin/promote");
  CHECK(p.demoteCommand == "/bin/demote");
  CHECK(p.scoreCommand == "/bin/score");
  CHECK(p.escalateCommand == "/bin/page me");
  CHECK(p.hookTimeout == 5);
  CHECK(p.scoreInterval == 2.5);
  CHECK(c->warnings.empty());  // every key is known

  CHECK(policyOf(d, "backoff=LINEAR\nbackoff_jitter=0.25\non_budget_spent=restart_group\n", c).backoffJitter == 0.25);
  CHECK(c->groups[0].processes[0].policy.onBudgetSpent == OnBudgetSpent::RestartGroup);
  CHECK(policyOf(d, "restart_budget=3 IN 1m\nbackoff_jitter=1\n", c).restartBudget == RestartBudget{3, 60});
  // A lone trailing '%' needs no escaping; "%%" (Supervisor's escape) works too.
  CHECK(policyOf(d, "backoff_jitter=5%%\n", c).backoffJitter == Approx(0.05));
  CHECK(policyOf(d, "backoff_jitter= 50 %\n", c).backoffJitter == Approx(0.5));
  CHECK(policyOf(d, "role=None\nbackoff_initial=300\n", c).isDefault() == false);  // backoff_max == initial is fine
}

TEST_CASE("policy: probes are exec:, tcp: or http:// with their four keys", "[config][policy]") {
  ConfigDirectory d;
  common::Result<Config> c = common::makeError("");
  const auto& p = policyOf(d,
                           "readiness_probe=exec:pg_isready -p 5432\nreadiness_probe_interval=2s\n"
                           "readiness_probe_timeout=500ms\nreadiness_probe_failures=5\nreadiness_probe_delay=1m\n"
                           "liveness_probe=tcp:127.0.0.1:5432\n",
                           c);
  REQUIRE(p.readinessProbe);
  CHECK(p.readinessProbe->kind == ProbeConfig::Kind::Exec);
  CHECK(p.readinessProbe->spec == "exec:pg_isready -p 5432");
  CHECK(p.readinessProbe->command == "pg_isready -p 5432");
  CHECK(p.readinessProbe->interval == 2);
  CHECK(p.readinessProbe->timeout == 0.5);
  CHECK(p.readinessProbe->failureThreshold == 5);
  CHECK(p.readinessProbe->initialDelay == 60);
  REQUIRE(p.livenessProbe);
  CHECK(p.livenessProbe->kind == ProbeConfig::Kind::Tcp);
  CHECK(p.livenessProbe->host == "127.0.0.1");
  CHECK(p.livenessProbe->port == 5432);
  // Defaults of the four keys.
  CHECK(p.livenessProbe->interval == 10);
  CHECK(p.livenessProbe->timeout == 1);
  CHECK(p.livenessProbe->failureThreshold == 3);
  CHECK(p.livenessProbe->initialDelay == 0);

  struct Http {
    const char* spec;
    const char* host;
    int port;
    const char* path;
  };
  for (const Http& h : {Http{"http://localhost", "localhost", 80, "/"},
                        Http{"http://127.0.0.1:8080/health", "127.0.0.1", 8080, "/health"},
                        Http{"HTTP://web/ready?full=1", "web", 80, "/ready?full=1"},
                        Http{"http://[::1]:9000/", "::1", 9000, "/"}}) {
    INFO(h.spec);
    const auto& probe = policyOf(d, std::string("liveness_probe=") + h.spec + "\n", c).livenessProbe;
    REQUIRE(probe);
    CHECK(probe->kind == ProbeConfig::Kind::Http);
    CHECK(probe->spec == h.spec);
    CHECK(probe->host == h.host);
    CHECK(probe->port == h.port);
    CHECK(probe->path == h.path);
  }
  CHECK(policyOf(d, "readiness_probe=tcp:[::1]:6379\n", c).readinessProbe->host == "::1");
}

TEST_CASE("policy: hook commands and probes are expanded per process, like command=", "[config][policy]") {
  ConfigDirectory d;
  auto c = d.load(
      "[supervisord]\n[program:pg]\ncommand=/bin/cat\nnumprocs=2\nprocess_name=%(program_name)s-%(process_num)d\n"
      "environment=DATA=\"/srv/%(process_num)02d\"\n"
      "pre_start_command=%(here)s/prep.sh %(program_name)s %(process_num)02d %(ENV_DATA)s %(host_node_name)s\n"
      "post_stop_command=/bin/echo %(group_name)s %(ENV_HOME)s 100%%\n"
      "escalate_command=/bin/page %(process_num)d/%(numprocs)d\n"
      "readiness_probe=tcp:localhost:%(ENV_PGPORT)s\n"
      "liveness_probe=http://localhost:80%(process_num)02d/health\n"
      "hook_timeout=%(process_num)d5\n");
  REQUIRE(c.ok());
  REQUIRE(c->groups[0].processes.size() == 2);
  const auto& first = c->groups[0].processes[0].policy;
  const auto& second = c->groups[0].processes[1].policy;
  CHECK(first.preStartCommand == d.path().string() + "/prep.sh pg 00 /srv/00 node1");
  CHECK(second.preStartCommand == d.path().string() + "/prep.sh pg 01 /srv/01 node1");
  CHECK(first.postStopCommand == "/bin/echo pg /root 100%");
  CHECK(second.escalateCommand == "/bin/page 1/2");
  CHECK(first.readinessProbe->port == 5432);
  CHECK(first.livenessProbe->port == 8000);
  CHECK(second.livenessProbe->port == 8001);
  CHECK(second.livenessProbe->spec == "http://localhost:8001/health");
  CHECK(first.hookTimeout == 5);
  CHECK(second.hookTimeout == 15);
}

TEST_CASE("policy: [group:x] strategy and restart_budget; [supervisord] start_order", "[config][policy]") {
  ConfigDirectory d;
  auto c = d.load(
      "[supervisord]\nstart_order=Ready\n[program:a]\ncommand=/bin/cat\n[program:b]\ncommand=/bin/cat\n"
      "[program:c]\ncommand=/bin/cat\n[group:ab]\nprograms=a,b\nstrategy=rest_for_one\nrestart_budget=3 in 5m\n");
  REQUIRE(c.ok());
  CHECK(c->warnings.empty());
  CHECK(c->supervisord.startOrder == StartOrder::Ready);
  const ProcessGroupConfig* ab = c->findGroup("ab");
  REQUIRE(ab);
  CHECK(ab->policy.strategy == GroupStrategy::RestForOne);
  CHECK(ab->policy.restartBudget == RestartBudget{3, 300});
  for (const auto& p : ab->processes) CHECK(p.policy.isDefault());
  // A program without [group:x] is a group of its own with the default group policy.
  REQUIRE(c->findGroup("c"));
  CHECK(c->findGroup("c")->policy == GroupPolicyConfig{});

  c = d.load("[supervisord]\nstart_order=priority\n[program:a]\ncommand=/bin/cat\n"
             "[group:g]\nprograms=a\nstrategy=ONE_FOR_ALL\n");
  REQUIRE(c.ok());
  CHECK(c->supervisord.startOrder == StartOrder::Priority);
  CHECK(c->findGroup("g")->policy.strategy == GroupStrategy::OneForAll);
  CHECK_FALSE(c->findGroup("g")->policy.restartBudget);
}

TEST_CASE("policy: fcgi-programs read the keys; event listeners warn about them as unknown", "[config][policy]") {
  ConfigDirectory d;
  auto c = d.load(
      "[supervisord]\n[fcgi-program:f]\ncommand=/bin/cat\nsocket=tcp://127.0.0.1:9999\nbackoff=exponential\n"
      "[eventlistener:l]\ncommand=/bin/cat\nevents=TICK_5\nbackoff=exponential\nrole=whatever\n");
  REQUIRE(c.ok());
  CHECK(c->findGroup("f")->processes[0].policy.backoff == Backoff::Exponential);
  CHECK(c->findGroup("l")->processes[0].policy.isDefault());
  const std::string file = d.configFile();
  std::vector<std::string> expected = {file + ":4: [fcgi-program:f] socket tcp://127.0.0.1:9999: supervisor-ha does "
                                       "not create FastCGI sockets yet: its processes start as a [program:x]'s would, "
                                       "without the socket on their stdin",
                                       file + ":9: unknown key 'backoff' in [eventlistener:l] (ignored)",
                                       file + ":10: unknown key 'role' in [eventlistener:l] (ignored)"};
  CHECK(c->warnings == expected);
}

TEST_CASE("policy: startretries=-1 retries forever; below -1 is an error", "[config][policy]") {
  ConfigDirectory d;
  auto c = d.load("[supervisord]\n[program:x]\ncommand=/bin/cat\nstartretries=-1\n");
  REQUIRE(c.ok());
  CHECK(onlyProcess(*c).startretries == -1);
  c = d.load("[supervisord]\n[program:x]\ncommand=/bin/cat\nstartretries=-2\n");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error() == d.configFile() +
                         ":4: [program:x] startretries: invalid 'startretries' value '-2' "
                         "(expected an integer >= 0, or -1 to retry forever)");
}

TEST_CASE("policy: probe keys without their probe are ignored with a warning", "[config][policy]") {
  ConfigDirectory d;
  auto c = d.load(
      "[supervisord]\n[program:x]\ncommand=/bin/cat\nnumprocs=2\nprocess_name=x%(process_num)d\n"
      "liveness_probe_interval=5\nreadiness_probe=exec:true\nreadiness_probe_timeout=2\n");
  REQUIRE(c.ok());
  std::vector<std::string> expected = {
      d.configFile() + ":6: key 'liveness_probe_interval' in [program:x] is ignored without 'liveness_probe'"};
  CHECK(c->warnings == expected);  // once per section, not per process
  CHECK_FALSE(c->groups[0].processes[0].policy.livenessProbe);
  CHECK(c->groups[0].processes[0].policy.readinessProbe->timeout == 2);
}

TEST_CASE("policy: each bad value is an error naming the file, the line, the section and the key",
          "[config][policy]") {
  ConfigDirectory d;
  const std::string program = "[supervisord]\n[program:x]\ncommand=/bin/cat\n";  // keys start on line 4
  struct Case {
    std::string text;
    std::string error;  // after "<file>:"
  };
  const std::string durationHint = " in seconds, or with ms, s, m or h, e.g. '10', '500ms', '5m')";
  const Case cases[] = {
      {program + "backoff=fibonacci\n",
       "4: [program:x] backoff: invalid 'backoff' value 'fibonacci' (expected linear or exponential)"},
      {program + "backoff_initial=-1\n",
       "4: [program:x] backoff_initial: invalid 'backoff_initial' value '-1' (expected a duration >= 0" + durationHint},
      {program + "backoff_max=5d\n",
       "4: [program:x] backoff_max: invalid 'backoff_max' value '5d' (expected a duration >= 0" + durationHint},
      {program + "backoff_max=10\nbackoff_initial=1m\n",
       "4: [program:x] backoff_max: invalid 'backoff_max' value '10' (expected a duration >= backoff_initial, 60 s)"},
      {program + "backoff_initial=10m\n",
       "2: [program:x] backoff_max: the default backoff_max (300 s) is less than backoff_initial (600 s); set "
       "backoff_max"},
      {program + "backoff_jitter=1.5\n",
       "4: [program:x] backoff_jitter: invalid 'backoff_jitter' value '1.5' (expected a fraction from 0 to 1, e.g. "
       "'0.2' or '20%')"},
      {program + "backoff_jitter=150%\n",
       "4: [program:x] backoff_jitter: invalid 'backoff_jitter' value '150%' (expected a fraction from 0 to 1, e.g. "
       "'0.2' or '20%')"},
      {program + "backoff_reset=soon\n",
       "4: [program:x] backoff_reset: invalid 'backoff_reset' value 'soon' (expected a duration >= 0" + durationHint},
      {program + "restart_budget=5 per 60s\n",
       "4: [program:x] restart_budget: invalid 'restart_budget' value '5 per 60s' (expected 'N in T', e.g. '5 in "
       "60s')"},
      {program + "restart_budget=0 in 60s\n",
       "4: [program:x] restart_budget: invalid 'restart_budget' value '0 in 60s' (expected 'N in T' with N >= 1 "
       "restarts and a duration T > 0, e.g. '5 in 60s')"},
      {program + "restart_budget=5 in 0s\n",
       "4: [program:x] restart_budget: invalid 'restart_budget' value '5 in 0s' (expected 'N in T' with N >= 1 "
       "restarts and a duration T > 0, e.g. '5 in 60s')"},
      {program + "on_budget_spent=panic\n",
       "4: [program:x] on_budget_spent: invalid 'on_budget_spent' value 'panic' (expected fatal, restart_group or "
       "escalate)"},
      {program + "fatal_retry=0\n",
       "4: [program:x] fatal_retry: invalid 'fatal_retry' value '0' (expected a duration > 0" + durationHint},
      {program + "hook_timeout=0s\n",
       "4: [program:x] hook_timeout: invalid 'hook_timeout' value '0s' (expected a duration > 0" + durationHint},
      {program + "score_interval=0ms\n",
       "4: [program:x] score_interval: invalid 'score_interval' value '0ms' (expected a duration > 0" + durationHint},
      {program + "readiness_probe=https://localhost/health\n",
       "4: [program:x] readiness_probe: invalid 'readiness_probe' value 'https://localhost/health' (only http:// "
       "probes are supported, not https://)"},
      {program + "readiness_probe=grpc:localhost:50051\n",
       "4: [program:x] readiness_probe: invalid 'readiness_probe' value 'grpc:localhost:50051' (expected "
       "exec:<command>, tcp:<host>:<port> or http://<host>[:<port>][/path])"},
      {program + "liveness_probe=exec:  \n",
       "4: [program:x] liveness_probe: invalid 'liveness_probe' value 'exec:' (expected a command line after "
       "'exec:')"},
      {program + "liveness_probe=tcp:localhost\n",
       "4: [program:x] liveness_probe: invalid 'liveness_probe' value 'tcp:localhost' (expected tcp:<host>:<port> "
       "with a port 1-65535)"},
      {program + "liveness_probe=tcp:localhost:70000\n",
       "4: [program:x] liveness_probe: invalid 'liveness_probe' value 'tcp:localhost:70000' (expected "
       "tcp:<host>:<port> with a port 1-65535)"},
      {program + "liveness_probe=http://:8080/\n",
       "4: [program:x] liveness_probe: invalid 'liveness_probe' value 'http://:8080/' (expected "
       "http://<host>[:<port>][/path] with a port 1-65535)"},
      {program + "liveness_probe=tcp:h:1\nliveness_probe_interval=0\n",
       "5: [program:x] liveness_probe_interval: invalid 'liveness_probe_interval' value '0' (expected a duration > 0" +
           durationHint},
      {program + "liveness_probe=tcp:h:1\nliveness_probe_timeout=-1\n",
       "5: [program:x] liveness_probe_timeout: invalid 'liveness_probe_timeout' value '-1' (expected a duration > 0" +
           durationHint},
      {program + "readiness_probe=tcp:h:1\nreadiness_probe_failures=0\n",
       "5: [program:x] readiness_probe_failures: invalid 'readiness_probe_failures' value '0' (expected an integer "
       ">= 1)"},
      {program + "readiness_probe=tcp:h:1\nreadiness_probe_delay=later\n",
       "5: [program:x] readiness_probe_delay: invalid 'readiness_probe_delay' value 'later' (expected a duration >= "
       "0" + durationHint},
      {program + "role=primary\n",
       "4: [program:x] role: invalid 'role' value 'primary' (expected none or promotable)"},
      {program + "promote_command=/bin/promote\n",
       "4: [program:x] promote_command: promote_command needs role = promotable (this program's role is none)"},
      {program + "role=none\ndemote_command=/bin/demote\n",
       "5: [program:x] demote_command: demote_command needs role = promotable (this program's role is none)"},
      {program + "score_command=/bin/score\n",
       "4: [program:x] score_command: score_command needs role = promotable (this program's role is none)"},
      {program + "pre_start_command=/bin/prep %(nope)s\n",
       "4: [program:x] pre_start_command: Format string '/bin/prep %(nope)s' for 'program:x.pre_start_command' "
       "contains names ('nope') which cannot be expanded."},
      {"[supervisord]\n[program:a]\ncommand=/bin/cat\n[group:g]\nprograms=a\nstrategy=one_for_some\n",
       "6: [group:g] strategy: invalid 'strategy' value 'one_for_some' (expected one_for_one, one_for_all or "
       "rest_for_one)"},
      {"[supervisord]\n[program:a]\ncommand=/bin/cat\n[group:g]\nprograms=a\nrestart_budget=often\n",
       "6: [group:g] restart_budget: invalid 'restart_budget' value 'often' (expected 'N in T', e.g. '5 in 60s')"},
      {"[supervisord]\nstart_order=alphabetical\n",
       "2: [supervisord] start_order: invalid 'start_order' value 'alphabetical' (expected priority or ready)"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto r = d.load(c.text);
    REQUIRE_FALSE(r.ok());
    if (c.text.find("%(nope)s") != std::string::npos) {
      // The expansion error is Supervisor's own wording (common/python_format), then the available names.
      CHECK(r.error().find(d.configFile() + ":" + c.error) == 0);
    } else {
      CHECK(r.error() == d.configFile() + ":" + c.error);
    }
  }
}

TEST_CASE("policy: --dump-config and --check-config show only what differs from Supervisor", "[config][policy]") {
  ConfigDirectory d;
  auto c = d.load(
      "[supervisord]\nstart_order=ready\n[program:db]\ncommand=/bin/cat\nbackoff=exponential\n"
      "restart_budget=5 in 60s\nreadiness_probe=tcp:127.0.0.1:5432\n[program:web]\ncommand=/bin/cat\n"
      "[group:g]\nprograms=db\nstrategy=one_for_all\n");
  REQUIRE(c.ok());
  auto dump = nlohmann::json::parse(configJson(*c));
  CHECK(dump["supervisord"]["start_order"] == "ready");
  const auto& groups = dump["groups"];
  REQUIRE(groups.size() == 2);
  const auto& g = groups[0]["name"] == "g" ? groups[0] : groups[1];
  const auto& web = groups[0]["name"] == "g" ? groups[1] : groups[0];
  CHECK(g["policy"] == nlohmann::json{{"strategy", "one_for_all"}});
  CHECK_FALSE(web.contains("policy"));
  CHECK_FALSE(web["processes"][0].contains("policy"));
  const auto& policy = g["processes"][0]["policy"];
  CHECK(policy["backoff"] == "exponential");
  CHECK(policy["restart_budget"] == nlohmann::json{{"restarts", 5}, {"seconds", 60.0}});
  CHECK(policy["readiness_probe"]["kind"] == "tcp");
  CHECK(policy["readiness_probe"]["port"] == 5432);
  CHECK(policy.size() == 3);

  std::string summary = configSummary(*c);
  INFO(summary);
  CHECK(summary.find("start_order ready") != std::string::npos);
  CHECK(summary.find("[g] group, priority 999, strategy=one_for_all\n") != std::string::npos);
  CHECK(summary.find("      policy: backoff=exponential, readiness_probe=tcp:127.0.0.1:5432, restart_budget=5 in "
                     "60s\n") != std::string::npos);
}
