#!/usr/bin/python3
"""The ha.* XML-RPC namespace of a real daemon (restart policies, promote/demote
hooks) through Python's xmlrpc.client, then the same through our supervisorctl:
policy, promote, demote, resetbudget, their output and exit codes.
"""
import os
import subprocess
import sys
import threading
import time
import unittest
import xmlrpc.client

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_harness import Daemon, free_port, wait_until, write_portable_config  # noqa: E402
from leftover_processes import Marker  # noqa: E402

SUPERVISORCTL = os.path.abspath(os.environ.get(
    "SUPERVISORCTL_BIN",
    os.path.join(os.path.dirname(__file__), "..", "..", "build", "bin", "supervisorctl")))

HA_METHODS = ["ha.demote", "ha.failover", "ha.getAllPolicyStates", "ha.getClusterState", "ha.getPolicyState",
              "ha.promote", "ha.resetBudget", "ha.setMaintenance", "ha.switchover"]

# Hooks: small scripts that leave a marker file, one that fails, and one that runs until
# the test releases it (at most 60 s: a failed test does not leave it behind).
SCRIPTS = {
    "promote.sh": "#!/bin/sh\necho promoted >> {tmp}/promote.marker\nexit 0\n",
    "demote.sh": "#!/bin/sh\necho demoted >> {tmp}/demote.marker\nexit 0\n",
    "fail.sh": "#!/bin/sh\necho cannot promote\nexit 1\n",
    "slow.sh": "#!/bin/sh\ntouch {tmp}/slow.running\ni=0\n"
               "while [ ! -e {tmp}/slow.release ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done\n"
               "rm -f {tmp}/slow.running {tmp}/slow.release\nexit 0\n",
}

PROGRAMS = """
[inet_http_server]
port=127.0.0.1:{port}

[supervisorctl]
serverurl=http://127.0.0.1:{port}

[program:db]
command=sleep 1000
startsecs=0
role=promotable
promote_command={tmp}/promote.sh
demote_command={tmp}/demote.sh
hook_timeout=10

[program:broken]
command=sleep 1000
startsecs=0
role=promotable
promote_command={tmp}/fail.sh
demote_command={tmp}/fail.sh

[program:slow]
command=sleep 1000
startsecs=0
role=promotable
promote_command={tmp}/slow.sh
demote_command={tmp}/slow.sh

[program:idle]
command=sleep 1000
autostart=false
role=promotable
promote_command={tmp}/promote.sh
demote_command={tmp}/demote.sh

[program:plain]
command=sleep 1000
startsecs=0

[group:grp]
programs=member

[program:member]
command=sleep 1000
startsecs=0
"""

POLICY_KEYS = {"name", "group", "backoff", "tries", "next_delay", "retry_at", "budget_used", "budget_limit",
               "budget_window", "on_budget_spent", "group_strategy", "group_budget_used", "group_budget_limit",
               "role", "score", "escalation", "probes", "hooks"}
HOOK_KEYS = {"hook", "reason", "started", "finished", "ok", "description", "output"}


def setUpModule():
    global DAEMON, PORT
    PORT = free_port()
    DAEMON = Daemon(PROGRAMS.replace("{port}", str(PORT)), name="ha")
    for name, body in SCRIPTS.items():
        path = os.path.join(DAEMON.tmp, name)
        with open(path, "w") as f:
            f.write(body.replace("{tmp}", DAEMON.tmp))
        os.chmod(path, 0o755)
    try:
        DAEMON.start()
        for name in ("db", "broken", "slow", "plain", "member"):
            DAEMON.wait_for_log(r"success: %s entered RUNNING state" % name)
    except BaseException:
        DAEMON.__exit__(None, None, None)
        raise


def tearDownModule():
    if PROXY is not None:
        PROXY("close")()
    DAEMON.__exit__(None, None, None)
    DAEMON.output.close()


def new_proxy():
    return xmlrpc.client.ServerProxy("http://127.0.0.1:%d/RPC2" % PORT)


def rpc():
    """The main thread's proxy (one kept-alive connection)."""
    global PROXY
    if PROXY is None:
        PROXY = new_proxy()
    return PROXY


PROXY = None


def ctl(*args):
    done = subprocess.run([SUPERVISORCTL, "-c", DAEMON.conf_path] + list(args), capture_output=True, text=True,
                          timeout=60)
    return done.stdout, done.returncode


def read(name):
    try:
        with open(os.path.join(DAEMON.tmp, name)) as f:
            return f.read()
    except FileNotFoundError:
        return ""


class PolicyStateOverXmlRpc(unittest.TestCase):
    def assertFault(self, code, text, call, *params):
        with self.assertRaises(xmlrpc.client.Fault) as raised:
            call(*params)
        self.assertEqual((raised.exception.faultCode, raised.exception.faultString), (code, text))

    def test_a_program_without_policy_keys_reports_supervisors_defaults(self):
        state = rpc().ha.getPolicyState("plain")
        self.assertEqual(set(state), POLICY_KEYS)
        self.assertEqual((state["name"], state["group"]), ("plain", "plain"))
        self.assertEqual(state["backoff"], "linear")
        self.assertEqual(state["tries"], 0)
        self.assertEqual((state["budget_used"], state["budget_limit"]), (0, 0))
        self.assertEqual(state["role"], "")
        self.assertEqual(state["score"], "")        # no score: '' (Supervisor's XML-RPC has no nil)
        self.assertEqual(state["escalation"], "")
        self.assertEqual((state["probes"], state["hooks"]), ([], []))
        for key in ("next_delay", "retry_at", "budget_window"):
            self.assertIsInstance(state[key], float, key)
        for key in ("tries", "budget_used", "budget_limit", "group_budget_used", "group_budget_limit"):
            self.assertIsInstance(state[key], int, key)

    def test_a_process_is_named_like_getProcessInfo_names_it(self):
        self.assertEqual(rpc().ha.getPolicyState("grp:member")["group"], "grp")
        self.assertEqual(rpc().ha.getPolicyState("plain:plain")["name"], "plain")
        self.assertFault(10, "BAD_NAME: nope", rpc().ha.getPolicyState, "nope")
        self.assertFault(10, "BAD_NAME: grp:*", rpc().ha.getPolicyState, "grp:*")
        self.assertFault(10, "BAD_NAME: member", rpc().ha.getPolicyState, "member")
        self.assertFault(2, "INCORRECT_PARAMETERS", rpc().ha.getPolicyState)

    def test_all_policy_states_come_in_getAllProcessInfo_order(self):
        states = rpc().ha.getAllPolicyStates()
        infos = rpc().supervisor.getAllProcessInfo()
        self.assertEqual([(s["group"], s["name"]) for s in states], [(i["group"], i["name"]) for i in infos])
        for state in states:
            self.assertEqual(set(state), POLICY_KEYS)

    def test_reset_budget_answers_true_or_bad_name(self):
        self.assertIs(rpc().ha.resetBudget("plain"), True)
        self.assertIs(rpc().ha.resetBudget("grp:member"), True)
        self.assertFault(10, "BAD_NAME: nope", rpc().ha.resetBudget, "nope")

    def test_a_plain_program_cannot_be_promoted_or_demoted(self):
        self.assertFault(200, "NOT_PROMOTABLE: plain", rpc().ha.promote, "plain")
        self.assertFault(200, "NOT_PROMOTABLE: plain", rpc().ha.demote, "plain")
        self.assertFault(10, "BAD_NAME: nope", rpc().ha.promote, "nope")
        self.assertFault(10, "BAD_NAME: nope", rpc().ha.demote, "nope")

    def test_the_ha_methods_are_listed_with_help_and_signatures_beside_supervisors(self):
        server = rpc()
        methods = server.system.listMethods()
        self.assertEqual([m for m in methods if m.startswith("ha.")], HA_METHODS)
        self.assertEqual(len(methods), 41 + len(HA_METHODS))
        self.assertEqual(server.system.methodSignature("ha.getPolicyState"), ["struct", "string"])
        self.assertEqual(server.system.methodSignature("ha.getAllPolicyStates"), ["array"])
        for name in ("ha.promote", "ha.demote", "ha.resetBudget"):
            self.assertEqual(server.system.methodSignature(name), ["boolean", "string"])
        for name in HA_METHODS:
            self.assertIn("@return", server.system.methodHelp(name))
        self.assertIn("HOOK_FAILED", server.system.methodHelp("ha.promote"))
        self.assertEqual(server.system.methodSignature("ha.switchover"), ["boolean", "string", "string"])
        self.assertEqual(server.system.methodSignature("ha.getClusterState"), ["struct"])

    def test_the_cluster_methods_without_a_cluster_section(self):
        self.assertFault(204, "NOT_CLUSTERED: this supervisord has no [cluster] section", rpc().ha.getClusterState)
        self.assertFault(204, "NOT_CLUSTERED: this supervisord has no [cluster] section",
                         rpc().ha.switchover, "plain", "n2")
        self.assertFault(204, "NOT_CLUSTERED: this supervisord has no [cluster] section", rpc().ha.setMaintenance, True)
        out, code = ctl("cluster")
        self.assertEqual((out, code), ("ERROR: this supervisord is not in a cluster (no [cluster] section)\n", 1))

    def test_supervisor_methods_are_unaffected(self):
        server = rpc()
        self.assertEqual(server.supervisor.getState(), {"statecode": 1, "statename": "RUNNING"})
        self.assertEqual(server.supervisor.getProcessInfo("plain")["statename"], "RUNNING")
        with self.assertRaises(xmlrpc.client.Fault) as raised:
            server.supervisor.getProcessInfo("nope")
        self.assertEqual(raised.exception.faultCode, 10)
        results = server.system.multicall([{"methodName": "ha.promote", "params": ["plain"]},
                                           {"methodName": "supervisor.getAPIVersion", "params": []}])
        self.assertEqual(results, [{"faultCode": 200, "faultString": "NOT_PROMOTABLE: plain"}, "3.0"])


class PromoteAndDemoteOverXmlRpc(unittest.TestCase):
    def assertFault(self, code, call, *params):
        with self.assertRaises(xmlrpc.client.Fault) as raised:
            call(*params)
        self.assertEqual(raised.exception.faultCode, code, raised.exception.faultString)
        return raised.exception.faultString

    def test_the_report_names_the_default_group_strategy_and_budget_action(self):
        state = rpc().ha.getPolicyState("plain")
        self.assertEqual(state["on_budget_spent"], "fatal")
        self.assertEqual(state["group_strategy"], "one_for_one")

    def test_promote_runs_the_hook_then_the_process_is_primary_and_demote_makes_it_replica(self):
        before = read("promote.marker"), read("demote.marker")
        self.assertIs(rpc().ha.promote("db"), True)
        self.assertEqual(read("promote.marker"), before[0] + "promoted\n")  # the answer came after the hook
        state = rpc().ha.getPolicyState("db")
        self.assertEqual(state["role"], "primary")
        promote = [h for h in state["hooks"] if h["hook"] == "promote"]
        self.assertEqual(len(promote), 1, state["hooks"])
        self.assertEqual(set(promote[0]), HOOK_KEYS)
        self.assertIs(promote[0]["ok"], True)
        self.assertEqual(promote[0]["description"], "exit status 0")
        self.assertGreaterEqual(promote[0]["finished"], promote[0]["started"])
        self.assertGreater(promote[0]["started"], 0)

        self.assertIs(rpc().ha.demote("db"), True)
        self.assertEqual(read("demote.marker"), before[1] + "demoted\n")
        state = rpc().ha.getPolicyState("db")
        self.assertEqual(state["role"], "replica")
        self.assertIn("demote", [h["hook"] for h in state["hooks"]])

    def test_a_failing_hook_is_HOOK_FAILED_and_the_role_does_not_change(self):
        text = self.assertFault(201, rpc().ha.promote, "broken")
        self.assertTrue(text.startswith("HOOK_FAILED: broken: "), text)
        self.assertIn("exit status 1", text)
        state = rpc().ha.getPolicyState("broken")
        self.assertNotEqual(state["role"], "primary")
        promote = [h for h in state["hooks"] if h["hook"] == "promote"]
        self.assertEqual(len(promote), 1, state["hooks"])
        self.assertIs(promote[0]["ok"], False)
        self.assertIn("cannot promote", promote[0]["output"])

    def test_promote_needs_a_running_process(self):
        self.assertEqual(self.assertFault(70, rpc().ha.promote, "idle"), "NOT_RUNNING: idle")

    def test_the_daemon_answers_others_while_a_hook_runs_and_a_second_promote_is_BUSY(self):
        answers = {}
        def promote():
            with new_proxy() as server:
                answers["first"] = server.ha.promote("slow")
        first = threading.Thread(target=promote)
        first.start()
        release = os.path.join(DAEMON.tmp, "slow.release")
        try:
            wait_until(lambda: os.path.exists(os.path.join(DAEMON.tmp, "slow.running")), message="the hook running")
            # Both answered while the hook still runs: it waits for the release below.
            self.assertEqual(rpc().supervisor.getState()["statename"], "RUNNING")
            self.assertEqual(self.assertFault(202, rpc().ha.promote, "slow"), "BUSY: slow")
            self.assertNotIn("first", answers)
        finally:
            open(release, "w").close()
        first.join(30)
        self.assertIs(answers.get("first"), True)


class PolicyCommandsOfSupervisorctl(unittest.TestCase):
    def test_policy_shows_one_block_per_process(self):
        out, code = ctl("policy", "plain")
        self.assertEqual(code, 0, out)
        self.assertRegex(out, r"^plain {17}backoff linear  tries 0  next \d+\.\ds  budget none\n$")

        out, code = ctl("policy")
        self.assertEqual(code, 0, out)
        firsts = [line.split()[0] for line in out.splitlines() if not line.startswith(" ")]
        self.assertEqual(firsts, ["broken", "db", "grp:member", "idle", "plain", "slow"])
        out_all, _ = ctl("policy", "all")
        self.assertEqual(out_all, out)

        out, code = ctl("policy", "grp:*")
        self.assertEqual((out.split()[0], code), ("grp:member", 0))

    def test_policy_of_unknown_names_says_so_and_exits_1(self):
        out, code = ctl("policy", "nope", "plain", "nogroup:*")
        lines = out.splitlines()
        self.assertEqual(lines[:2], ["nope: ERROR (no such process)", "nogroup: ERROR (no such group)"])
        self.assertTrue(lines[2].startswith("plain "), out)
        self.assertEqual(code, 1)

    def test_promote_demote_and_resetbudget_report_like_start_and_stop(self):
        self.assertEqual(ctl("promote", "plain"), ("plain: ERROR (not promotable)\n", 1))
        self.assertEqual(ctl("demote", "nope"), ("nope: ERROR (no such process)\n", 1))
        self.assertEqual(ctl("resetbudget", "plain", "grp:member"),
                         ("plain: budget reset\ngrp:member: budget reset\n", 0))
        self.assertEqual(ctl("resetbudget", "nope"), ("nope: ERROR (no such process)\n", 1))
        out, code = ctl("promote")
        self.assertEqual(code, 2)
        self.assertEqual(out.splitlines()[0], "Error: promote requires a process name")
        self.assertTrue(out.splitlines()[1].startswith("promote <name>"), out)

    def test_help_lists_the_ha_commands(self):
        out, code = ctl("help")
        self.assertEqual(code, 0)
        self.assertIn("\nha commands (type help <topic>):\n================================\n"
                      "cluster  failover     policy   resetbudget\n"
                      "demote   maintenance  promote  switchover \n", out)
        for action in ("policy", "promote", "demote", "resetbudget"):
            out, code = ctl("help", action)
            self.assertTrue(out.startswith(action + " <name>"), out)

    def test_against_a_daemon_without_ha_methods_it_says_so(self):
        # Python's supervisord has no ha.*: UNKNOWN_METHOD.
        python = "/usr/bin/supervisord"
        self.assertTrue(os.path.exists(python), "scripts/setup installs Debian's supervisor")
        port = free_port()
        conf = write_portable_config(
            DAEMON.tmp,
            "[inet_http_server]\nport=127.0.0.1:%d\n\n[supervisorctl]\nserverurl=http://127.0.0.1:%d\n\n"
            "[program:x]\ncommand=sleep 1000\n" % (port, port),
            name="python")
        marker = Marker()
        proc = subprocess.Popen([python, "-n", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=marker.env())
        try:
            deadline = time.time() + 20
            while time.time() < deadline:
                done = subprocess.run([SUPERVISORCTL, "-c", conf, "version"], capture_output=True, text=True)
                if done.returncode == 0:
                    break
                time.sleep(0.2)
            for args in (["policy"], ["promote", "x"]):
                done = subprocess.run([SUPERVISORCTL, "-c", conf] + args, capture_output=True, text=True)
                self.assertEqual(done.stdout, "ERROR: this supervisord has no restart policies "
                                              "(the ha.* methods are supervisor-ha's)\n")
                self.assertEqual(done.returncode, 3)
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            finally:
                marker.assert_none_left("Python's supervisord on %s" % conf)


class PromoteAndDemoteOfSupervisorctl(unittest.TestCase):
    def test_promote_and_demote_print_the_outcome_and_policy_shows_role_and_hook(self):
        self.assertEqual(ctl("promote", "db"), ("db: promoted\n", 0))
        out, code = ctl("policy", "db")
        self.assertEqual(code, 0)
        self.assertIn("\n  role primary  score ", out)
        self.assertRegex(out, r"\n  hook promote  ok  exit status 0  \(.*\d\d\d\d-\d\d-\d\d \d\d:\d\d:\d\d\)\n")
        self.assertEqual(ctl("demote", "db"), ("db: demoted\n", 0))
        self.assertIn("\n  role replica  score ", ctl("policy", "db")[0])

    def test_a_failed_hook_and_a_stopped_process_are_errors(self):
        out, code = ctl("promote", "broken")
        self.assertEqual((out, code), ("broken: ERROR (hook failed: exit status 1)\n", 1))
        self.assertEqual(ctl("promote", "idle"), ("idle: ERROR (not running)\n", 7))


if __name__ == "__main__":
    unittest.main(verbosity=2)
