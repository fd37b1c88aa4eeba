#!/usr/bin/python3
"""Restart policies with real children, real sockets and real hooks: exponential
backoff and a restart budget that escalates, group strategies, start tiers gated on
a TCP readiness probe, a liveness probe on a hung HTTP server, hooks with their
environment and timeouts, and a loop that never blocks while they run. What is
asserted is what an operator sees: the daemon log, getProcessInfo, files the hooks
and programs write.
"""
import datetime
import os
import re
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from daemon_harness import SUPERVISORD, Daemon, free_port, process_alive, wait_until  # noqa: E402

LISTENER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "event_listener.py")


def log_times(log, pattern):
    """Timestamps (seconds) of the log lines matching pattern, in order."""
    times = []
    for line in log.splitlines():
        if re.search(pattern, line):
            stamp = datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
            times.append(stamp.timestamp())
    return times


def read(path):
    with open(path) as f:
        return f.read()


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def lines_matching(log, pattern):
    return [line[24:] for line in log.splitlines() if re.search(pattern, line)]


class CrashLoop(unittest.TestCase):
    def test_a_crash_loop_backs_off_exponentially_then_spends_its_budget_and_escalates(self):
        programs = Daemon.RPC_SECTION + """
[program:crasher]
command=/bin/sh -c 'sleep 0.2; exit 1'
startsecs=0
backoff=exponential
backoff_initial=0.25
backoff_max=10
restart_budget=4 in 60s
on_budget_spent=escalate
escalate_command=/bin/sh -c 'echo "$SUPERVISOR_HOOK|$SUPERVISOR_REASON|$SUPERVISOR_PROCESS_NAME" > {tmp}/escalated'

[eventlistener:policy_events]
command=/usr/bin/python3 %s
events=POLICY
environment=RECORD_FILE="{tmp}/events.jsonl",MODE="ok"
""" % LISTENER
        with Daemon(programs, name="crashloop") as d:
            d.wait_for_log(r"gave up: crasher entered FATAL state, restart budget spent "
                           r"\(more than 4 restarts in 60 seconds\)", timeout=30)
            log = d.log()
            # Supervisor would restart a crash after startsecs at once, forever. Here each
            # restart waits twice as long as the one before: 0.25, 0.5, 1, 2 s.
            exits = log_times(log, r"exited: crasher \(exit status 1; not expected\)")
            spawns = log_times(log, r"spawned: 'crasher'")
            self.assertEqual(len(spawns), 5)  # the first start and 4 restarts
            delays = [spawn - exited for exited, spawn in zip(exits, spawns[1:])]
            for delay, expected in zip(delays, [0.25, 0.5, 1, 2]):
                self.assertGreaterEqual(delay, expected - 0.01, delays)
            self.assertEqual(delays, sorted(delays))

            info = d.rpc().supervisor.getProcessInfo("crasher")
            self.assertEqual(info["statename"], "FATAL")
            self.assertEqual(info["spawnerr"], "restart budget spent (more than 4 restarts in 60 seconds)")
            d.wait_for_log(r"escalate_command of crasher: exit status 0")
            with open(os.path.join(d.tmp, "escalated")) as f:
                self.assertEqual(f.read().strip(),
                                 "escalate|restart budget spent (more than 4 restarts in 60 seconds)|crasher")
            self.assertIn("escalating: crasher (restart budget spent", d.log())
            # Listeners see the escalation and the hook's result.
            wait_until(lambda: "POLICY_ESCALATION" in read(os.path.join(d.tmp, "events.jsonl")),
                       message="POLICY_ESCALATION event")
            events = read(os.path.join(d.tmp, "events.jsonl"))
            self.assertIn("processname:crasher groupname:crasher\\nrestart budget spent", events)
            wait_until(lambda: "POLICY_HOOK_RESULT" in read(os.path.join(d.tmp, "events.jsonl")))
            self.assertIn("hook:escalate ok:1\\nexit status 0",
                          read(os.path.join(d.tmp, "events.jsonl")))

    def test_startretries_minus_one_never_gives_up_and_fatal_retry_comes_back_from_fatal(self):
        programs = """
[program:forever]
command=/bin/sh -c 'exit 2'
startsecs=1
startretries=-1
backoff=exponential
backoff_initial=0.05
backoff_max=0.1

[program:retried]
command=/bin/sh -c 'exit 2'
startsecs=1
startretries=0
fatal_retry=0.5
"""
        with Daemon(programs, name="retries") as d:
            d.wait_for_log(r"gave up: retried entered FATAL state, too many start retries too quickly")
            d.wait_for_log(r"retrying retried from FATAL state \(fatal_retry\)")
            d.wait_for_log(r"spawned: 'forever'", count=12)
            self.assertNotIn("gave up: forever", d.log())


class StopDuringADelayedRestart(unittest.TestCase):
    def test_stopping_a_process_that_waits_out_its_backoff_cancels_the_restart(self):
        programs = Daemon.RPC_SECTION + """
[program:waiter]
command=/bin/sh -c 'sleep 0.3; exit 1'
startsecs=0
backoff=exponential
backoff_initial=2
"""
        with Daemon(programs, name="stopdelayed") as d:
            d.wait_for_log(r"exited: waiter \(exit status 1; not expected\)")
            rpc = d.rpc()
            self.assertEqual(rpc.supervisor.getProcessInfo("waiter")["statename"], "EXITED")
            self.assertTrue(rpc.supervisor.stopProcess("waiter"))
            self.assertEqual(rpc.supervisor.getProcessInfo("waiter")["statename"], "STOPPED")
            time.sleep(2.5)  # past the 2 s the restart would have waited
            self.assertEqual(d.count(r"spawned: 'waiter'"), 1)
            self.assertEqual(rpc.supervisor.getProcessInfo("waiter")["statename"], "STOPPED")
            # stopAllProcesses selects such a process too.
            rpc.supervisor.startProcess("waiter")
            d.wait_for_log(r"exited: waiter \(exit status 1; not expected\)", count=2)
            self.assertEqual([r["name"] for r in rpc.supervisor.stopAllProcesses()], ["waiter"])
            self.assertEqual(rpc.supervisor.getProcessInfo("waiter")["statename"], "STOPPED")


class EscalationChain(unittest.TestCase):
    def test_a_spent_budget_restarts_the_group_then_a_spent_group_budget_escalates(self):
        programs = Daemon.RPC_SECTION + """
[group:pair]
programs=flaky,steady
restart_budget=1 in 60s

[program:flaky]
command=/bin/sh -c 'sleep 0.3; exit 1'
priority=1
startsecs=0
restart_budget=1 in 60s
backoff_initial=0.05
on_budget_spent=restart_group
escalate_command=/bin/sh -c 'echo "$SUPERVISOR_REASON" > {tmp}/escalated'

[program:steady]
command=sleep 1000
priority=2
startsecs=0
"""
        with Daemon(programs, name="chain") as d:
            d.wait_for_log(r"gave up: flaky entered FATAL state, restart budget spent")
            # 1. its own budget spent: the whole group restarts, steady included.
            d.wait_for_log(r"restarting group pair \(one_for_all\): flaky must restart")
            d.wait_for_log(r"spawned: 'steady'", count=2)
            # 2. its budget spent again: the group's budget (1 group restart) is spent too: escalate.
            d.wait_for_log(r"gave up: flaky entered FATAL state, restart budget spent", count=2, timeout=30)
            d.wait_for_log(r"escalating: flaky \(restart budget spent")
            d.wait_for_log(r"escalate_command of flaky: exit status 0")
            with open(os.path.join(d.tmp, "escalated")) as f:
                self.assertIn("restart budget spent", f.read())
            self.assertEqual(d.count(r"restarting group pair"), 1)
            info = d.rpc().supervisor.getProcessInfo("pair:flaky")
            self.assertEqual(info["statename"], "FATAL")
            self.assertEqual(d.rpc().supervisor.getProcessInfo("pair:steady")["statename"], "RUNNING")


class GroupStrategies(unittest.TestCase):
    def test_one_for_all_stops_the_others_in_reverse_priority_and_starts_all_in_priority_order(self):
        programs = """
[group:stack]
programs=db,app,web
strategy=one_for_all

[program:db]
command=sleep 1000
priority=1
startsecs=0

[program:app]
command=sleep 1000
priority=2
startsecs=0

[program:web]
command=sleep 1000
priority=3
startsecs=0
"""
        with Daemon(programs, name="oneforall") as d:
            for name in ("db", "app", "web"):
                d.wait_for_log(r"success: %s entered RUNNING" % name)
            mark = len(d.log())
            os.kill(d.pid_of("app"), signal.SIGKILL)
            d.wait_for_log(r"success: web entered RUNNING", count=2)
            after = d.log()[mark:]
            events = lines_matching(after, r"(stopped|exited|spawned): ")
            names = [re.sub(r"(stopped|exited|spawned): '?(\w+)'?.*", r"\1 \2", line.split(" ", 1)[1])
                     for line in events]
            self.assertEqual(names, ["exited app", "stopped web", "stopped db",
                                     "spawned db", "spawned app", "spawned web"])
            self.assertIn("restarting group stack (one_for_all): app must restart", after)
            self.assertEqual(d.zombies(), [])

    def test_rest_for_one_restarts_the_failed_member_and_the_ones_after_it(self):
        programs = """
[group:chain]
programs=first,second,third
strategy=rest_for_one

[program:first]
command=sleep 1000
priority=1
startsecs=0

[program:second]
command=sleep 1000
priority=2
startsecs=0

[program:third]
command=sleep 1000
priority=3
startsecs=0
"""
        with Daemon(programs, name="restforone") as d:
            d.wait_for_log(r"success: third entered RUNNING")
            first = d.pid_of("first")
            mark = len(d.log())
            os.kill(d.pid_of("second"), signal.SIGKILL)
            d.wait_for_log(r"success: third entered RUNNING", count=2)
            after = d.log()[mark:]
            self.assertNotIn("first", "".join(lines_matching(after, r"(stopped|spawned): ")))
            self.assertEqual(d.pid_of("first"), first)
            self.assertEqual(len(lines_matching(after, r"spawned: '(second|third)'")), 2)


SERVER = r"""
import socket, sys, time
time.sleep(float(sys.argv[2]))
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
open(sys.argv[3], "w").write(repr(time.time()))
while True:
    c, _ = s.accept(); c.close()
"""

HANGING_HTTP = r"""
import http.server, sys, time
answered = [0]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        answered[0] += 1
        if answered[0] > int(sys.argv[2]):
            time.sleep(1000)  # hung: accepts, never answers
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


class Probes(unittest.TestCase):
    def test_a_later_tier_starts_only_once_the_tcp_readiness_probe_of_the_earlier_one_passes(self):
        port = free_port()
        programs = """
[program:db]
command=/usr/bin/python3 {tmp}/tier-server.py %d 1.0 {tmp}/db-listening
priority=1
readiness_probe=tcp:127.0.0.1:%d
readiness_probe_interval=0.1
readiness_probe_failures=100

[program:app]
command=/bin/sh -c 'date +%%%%s.%%%%N > {tmp}/app-started; exec sleep 1000'
priority=2
startsecs=0
""" % (port, port)
        d = Daemon(programs, supervisord_extra="start_order=ready", name="tiers")
        write(os.path.join(d.tmp, "tier-server.py"), SERVER)
        with d:
            d.wait_for_log(r"success: app entered RUNNING")
            log = d.log()
            self.assertIn("waiting for earlier priorities to be ready before starting app (start_order = ready)", log)
            self.assertRegex(log, r"success: db entered RUNNING state, process is ready \(tcp 127.0.0.1:%d: " % port)
            ready = log_times(log, r"success: db entered RUNNING")[0]
            self.assertLess(ready, log_times(log, r"spawned: 'app'")[0] + 0.001)
            # The programs write these themselves, just after listening and just before exec.
            for name in ("db-listening", "app-started"):
                wait_until(lambda: os.path.exists(os.path.join(d.tmp, name)) and read(os.path.join(d.tmp, name)).strip(),
                           message=name)
            listening = float(read(os.path.join(d.tmp, "db-listening")))
            self.assertGreater(float(read(os.path.join(d.tmp, "app-started"))), listening)

    def test_a_liveness_probe_on_a_hung_http_server_restarts_it(self):
        port = free_port()
        programs = Daemon.RPC_SECTION + """
[program:web]
command=/usr/bin/python3 {tmp}/hanging-http.py %d 3
startsecs=0
liveness_probe=http://127.0.0.1:%d/health
liveness_probe_interval=0.1
liveness_probe_timeout=0.3
liveness_probe_failures=2
liveness_probe_delay=0.3
stopwaitsecs=2
""" % (port, port)
        d = Daemon(programs, name="liveness")
        write(os.path.join(d.tmp, "hanging-http.py"), HANGING_HTTP)
        with d:
            d.wait_for_log(r"spawned: 'web'")
            first = d.pid_of("web")
            d.wait_for_log(r"restarting: web \(liveness probe failed: http http://127.0.0.1:%d/health: "
                           r"timed out after 0.3 s\)" % port, timeout=20)
            d.wait_for_log(r"spawned: 'web'", count=2)
            self.assertNotEqual(d.pid_of("web"), first)
            wait_until(lambda: not process_alive(first), message="the hung server gone")


class Hooks(unittest.TestCase):
    def test_pre_start_and_post_stop_hooks_run_with_the_process_context_in_their_environment(self):
        dump = "env | grep -E '^SUPERVISOR_(HOOK|REASON|PROCESS_NAME|GROUP_NAME|EXIT_STATUS|ENABLED)=' | sort"
        programs = Daemon.RPC_SECTION + """
[program:worker]
command=/bin/sh -c 'sleep 0.3; exit 4'
startsecs=0
autorestart=false
environment=MY_SETTING="from-config"
pre_start_command=/bin/sh -c "%s > {tmp}/pre_start.env; echo $MY_SETTING >> {tmp}/pre_start.env"
post_stop_command=/bin/sh -c "%s > {tmp}/post_stop.env"
""" % (dump, dump)
        with Daemon(programs, name="hooks") as d:
            d.wait_for_log(r"post_stop_command of worker: exit status 0")
            with open(os.path.join(d.tmp, "pre_start.env")) as f:
                self.assertEqual(f.read().split(), ["SUPERVISOR_ENABLED=1", "SUPERVISOR_GROUP_NAME=worker",
                                                    "SUPERVISOR_HOOK=pre_start", "SUPERVISOR_PROCESS_NAME=worker",
                                                    "SUPERVISOR_REASON=start", "from-config"])
            with open(os.path.join(d.tmp, "post_stop.env")) as f:
                self.assertEqual(f.read().split(), ["SUPERVISOR_ENABLED=1", "SUPERVISOR_EXIT_STATUS=4",
                                                    "SUPERVISOR_GROUP_NAME=worker", "SUPERVISOR_HOOK=post_stop",
                                                    "SUPERVISOR_PROCESS_NAME=worker", "SUPERVISOR_REASON=exited"])
            log = d.log()
            self.assertLess(log_times(log, r"pre_start_command of worker: exit status 0")[0],
                            log_times(log, r"spawned: 'worker'")[0] + 0.001)

    def test_a_hung_hook_is_killed_at_hook_timeout_and_the_loop_answers_meanwhile(self):
        programs = Daemon.RPC_SECTION + """
[program:slowstart]
command=sleep 1000
startsecs=0
startretries=0
hook_timeout=3
pre_start_command=/bin/sh -c 'echo $$ > {tmp}/hook.pid; exec sleep 1000'
"""
        with Daemon(programs, name="hungs") as d:
            wait_until(lambda: os.path.exists(os.path.join(d.tmp, "hook.pid")), message="the hook running")
            time.sleep(0.05)
            hook_pid = int(read(os.path.join(d.tmp, "hook.pid")))
            # While the hook runs, the daemon answers (a blocked loop would not).
            rpc = d.rpc()
            self.assertEqual(rpc.supervisor.getState()["statename"], "RUNNING")
            self.assertEqual(rpc.supervisor.getProcessInfo("slowstart")["statename"], "STARTING")
            self.assertTrue(process_alive(hook_pid))
            d.wait_for_log(r"gave up: slowstart entered FATAL state, too many start retries too quickly")
            self.assertIn("pre_start_command of slowstart: timed out after 3 s", d.log())
            self.assertEqual(rpc.supervisor.getProcessInfo("slowstart")["spawnerr"],
                             "pre_start_command failed: timed out after 3 s")
            wait_until(lambda: not process_alive(hook_pid), message="the hung hook killed")
            self.assertNotIn("spawned: 'slowstart'", d.log())
            self.assertEqual(d.zombies(), [])

    def test_a_stop_during_pre_start_cancels_the_hook_and_stops_the_process(self):
        programs = Daemon.RPC_SECTION + """
[program:waiting]
command=sleep 1000
pre_start_command=/bin/sh -c 'echo $$ > {tmp}/hook.pid; exec sleep 1000'
"""
        with Daemon(programs, name="cancel") as d:
            wait_until(lambda: os.path.exists(os.path.join(d.tmp, "hook.pid")), message="the hook running")
            time.sleep(0.05)
            hook_pid = int(read(os.path.join(d.tmp, "hook.pid")))
            self.assertTrue(d.rpc().supervisor.stopProcess("waiting"))
            self.assertEqual(d.rpc().supervisor.getProcessInfo("waiting")["statename"], "STOPPED")
            wait_until(lambda: not process_alive(hook_pid), message="the hook killed")


class WorkedExample(unittest.TestCase):
    def test_the_example_in_examples_loads(self):
        example = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples",
                               "restart-policies", "supervisord.conf")
        done = subprocess.run([SUPERVISORD, "-c", example, "--check-config"], capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("configuration is valid", done.stdout)
        self.assertIn("strategy=one_for_all", done.stdout)


class PolicyStateOverTheApi(unittest.TestCase):
    def test_the_score_and_the_probes_last_results_are_visible_and_a_stopped_process_has_no_score(self):
        programs = Daemon.RPC_SECTION + """
[program:db]
command=sleep 1000
role=promotable
score_command=/bin/sh -c 'echo " -5"'
score_interval=0.2
readiness_probe=exec:/bin/true
readiness_probe_interval=0.1
"""
        with Daemon(programs, name="score") as d:
            rpc = d.rpc()
            wait_until(lambda: rpc.ha.getPolicyState("db")["score"] == -5, message="score -5")
            state = rpc.ha.getPolicyState("db")
            self.assertEqual(state["role"], "replica")
            [probe] = state["probes"]
            self.assertEqual((probe["kind"], probe["spec"], probe["active"], probe["last_ok"]),
                             ("readiness", "exec:/bin/true", False, True))
            self.assertEqual(probe["last_detail"], "exec /bin/true: exit status 0")
            self.assertEqual([(h["hook"], h["ok"], h["description"]) for h in state["hooks"]],
                             [("score", True, "exit status 0")])
            d.wait_for_log(r"score_command of db: exit status 0", count=2)  # refreshed every score_interval
            rpc.supervisor.stopProcess("db")
            self.assertEqual(rpc.ha.getPolicyState("db")["score"], "")  # not up: never promote


if __name__ == "__main__":
    unittest.main(verbosity=2)
