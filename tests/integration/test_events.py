#!/usr/bin/python3
"""Events and event listeners with real listeners written with Python Supervisor's
own supervisor.childutils, against our daemon and, for the exact sequence and bytes,
against Python Supervisor running the same configuration."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import xmlrpc.client

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from daemon_harness import SUPERVISORD, UnixTransport, terminate, wait_until, write_portable_config  # noqa: E402
from leftover_processes import Marker  # noqa: E402

LISTENER = os.path.join(HERE, "event_listener.py")
PYTHON_SUPERVISORD = "/usr/bin/supervisord"


class Run:
    """One daemon (ours or Python's) with a listener recording into a file."""

    def __init__(self, binary, programs, events, mode="ok", extra_listener="", buffer_size=100):
        self.tmp = tempfile.mkdtemp(prefix="sha-events-")
        self.record = os.path.join(self.tmp, "events.jsonl")
        self.log_path = os.path.join(self.tmp, "supervisord.log")
        self.socket = os.path.join(self.tmp, "s.sock")
        conf = write_portable_config(
            self.tmp,
            "[unix_http_server]\nfile=%s\n"
            "[eventlistener:rec]\ncommand=/usr/bin/python3 %s\nevents=%s\nbuffer_size=%d\n"
            "environment=RECORD_FILE=\"%s\",MODE=\"%s\"\n%s\n%s"
            % (self.socket, LISTENER, events, buffer_size, self.record, mode, extra_listener, programs),
            loglevel="debug")
        self.marker = Marker()
        self.proc = subprocess.Popen([binary, "-n", "-c", conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, cwd=self.tmp, env=self.marker.env())

    def rpc(self):
        return xmlrpc.client.ServerProxy("http://localhost/RPC2", transport=UnixTransport(self.socket))

    def events(self):
        try:
            with open(self.record) as f:
                return [json.loads(line) for line in f]
        except FileNotFoundError:
            return []

    def names(self):
        return [e["headers"]["eventname"] for e in self.events()]

    def wait_for_event(self, name, count=1, timeout=20):
        wait_until(lambda: self.names().count(name) >= count, timeout=timeout, message="%d x %s" % (count, name))

    def log(self):
        try:
            return open(self.log_path, errors="replace").read()
        except FileNotFoundError:
            return ""

    def close(self):
        """Stops the daemon; AssertionError if a process it started outlives it."""
        try:
            terminate(self.proc)
            self.marker.assert_none_left("supervisord in %s" % self.tmp)
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


def normalized(events):
    """Events as (serial, poolserial, name, payload) with pids replaced; TICKs dropped (timing)."""
    out = []
    for e in events:
        h = e["headers"]
        if h["eventname"].startswith("TICK"):
            continue
        payload = re.sub(r"pid:\d+", "pid:N", e["payload"])
        out.append((h["ver"], h["server"], h["pool"], h["eventname"], payload,
                    int(h["len"]) == len(e["payload"])))
    return out


class AgainstPythonSupervisor(unittest.TestCase):
    def test_the_same_events_with_the_same_headers_and_payloads(self):
        programs = ("[program:short]\ncommand=/bin/sh -c 'sleep 0.5; exit 2'\nstartsecs=0\nautorestart=false\n"
                    "[program:bad]\ncommand=/bin/false\nstartsecs=3\nstartretries=1\npriority=5\n")
        events = "PROCESS_STATE,PROCESS_GROUP,SUPERVISOR_STATE_CHANGE"
        sequences = []
        for binary in (SUPERVISORD, PYTHON_SUPERVISORD):
            run = Run(binary, programs, events)
            try:
                run.wait_for_event("PROCESS_STATE_FATAL")
                run.wait_for_event("PROCESS_STATE_EXITED")
                time.sleep(0.5)
                sequences.append(normalized(run.events()))
            finally:
                run.close()
        ours, python = sequences
        # (startsecs is far from how long /bin/false lives: Python notices exits on a
        # 1-second poll and, on a loaded machine, could call it RUNNING first.)
        # Both daemons run the same processes concurrently: compare each process's own
        # sequence, and the daemon-wide events in order.
        def by_process(seq):
            grouped = {}
            for item in seq:
                m = re.match(r"processname:(\S+)", item[4])
                grouped.setdefault(m.group(1) if m else "*", []).append(item)
            return grouped
        self.assertEqual(by_process(ours), by_process(python))
        self.assertTrue(all(item[5] for item in ours), "len: header must match the payload")


class Delivery(unittest.TestCase):
    def test_an_event_answered_with_fail_is_sent_again_with_the_same_serial(self):
        run = Run(SUPERVISORD, "", "PROCESS_GROUP", mode="fail-first")
        try:
            run.wait_for_event("PROCESS_GROUP_ADDED", count=2)
            first, second = run.events()[:2]
            self.assertEqual(first["headers"]["serial"], second["headers"]["serial"])
            self.assertEqual(first["payload"], second["payload"])
        finally:
            run.close()

    def test_an_event_whose_listener_dies_while_busy_is_not_lost(self):
        programs = "[program:short]\ncommand=/bin/sh -c 'sleep 0.3; exit 0'\nstartsecs=0\nautorestart=false\n"
        run = Run(SUPERVISORD, programs, "PROCESS_STATE_EXITED", mode="die-on-exited")
        try:
            # The listener dies on its first EXITED event (short's exit), is restarted,
            # and gets that same event again, along with its own EXITED.
            wait_until(lambda: len([e for e in run.events() if "processname:short" in e["payload"]]) >= 2,
                       timeout=20, message="the event re-sent")
            shorts = [e for e in run.events() if "processname:short" in e["payload"]]
            self.assertEqual(shorts[0]["headers"]["serial"], shorts[1]["headers"]["serial"])
        finally:
            run.close()

    def test_an_overflowing_buffer_drops_the_oldest_event_and_says_so(self):
        # The listener never says READY, so a flapping program's events pile up beyond buffer_size.
        programs = "[program:flap]\ncommand=/bin/sh -c 'exit 1'\nstartsecs=0\nautorestart=true\n"
        run = Run(SUPERVISORD, programs, "PROCESS_STATE", mode="never-ready", buffer_size=3)
        try:
            wait_until(lambda: run.log().count("pool rec event buffer overflowed, discarding event") >= 3,
                       timeout=15, message="overflow logged")
            discarded = [int(n) for n in re.findall(r"discarding event (\d+)", run.log())]
            self.assertEqual(discarded[:3], [0, 1, 2])  # the oldest go first
            self.assertEqual(run.events(), [])
        finally:
            run.close()

    def test_process_log_communication_and_remote_events(self):
        programs = ("[program:talk]\ncommand=/bin/sh -c 'echo hello; "
                    "printf \"<!--XSUPERVISOR:BEGIN-->secret<!--XSUPERVISOR:END-->\"; exec sleep 1000'\n"
                    "stdout_events_enabled=true\nstdout_capture_maxbytes=1KB\nstartsecs=0\n"
                    "stdout_logfile=%(here)s/talk.log\n")
        run = Run(SUPERVISORD, programs, "PROCESS_LOG,PROCESS_COMMUNICATION,REMOTE_COMMUNICATION")
        try:
            run.wait_for_event("PROCESS_COMMUNICATION_STDOUT")
            run.rpc().supervisor.sendRemoteCommEvent("my-type", "some data")
            run.wait_for_event("REMOTE_COMMUNICATION")
            by_name = {e["headers"]["eventname"]: e["payload"] for e in run.events()}
            pid = re.search(r"pid:(\d+)", by_name["PROCESS_COMMUNICATION_STDOUT"]).group(1)
            self.assertEqual(by_name["PROCESS_COMMUNICATION_STDOUT"],
                             "processname:talk groupname:talk pid:%s\nsecret" % pid)
            logs = [e["payload"] for e in run.events() if e["headers"]["eventname"] == "PROCESS_LOG_STDOUT"]
            self.assertEqual(logs[0], "processname:talk groupname:talk pid:%s channel:stdout\nhello\n" % pid)
            self.assertEqual(by_name["REMOTE_COMMUNICATION"], "type:my-type\nsome data")
            # Captured text stays out of the program's log file.
            self.assertEqual(open(os.path.join(run.tmp, "talk.log")).read(), "hello\n")
        finally:
            run.close()


class Ticks(unittest.TestCase):
    def test_tick_5_arrives_on_a_five_second_boundary(self):
        run = Run(SUPERVISORD, "", "TICK_5")
        try:
            run.wait_for_event("TICK_5", timeout=12)
            tick = [e for e in run.events() if e["headers"]["eventname"] == "TICK_5"][0]
            when = int(re.match(r"when:(\d+)$", tick["payload"]).group(1))
            self.assertEqual(when % 5, 0)
            self.assertLessEqual(abs(time.time() - when), 10)
        finally:
            run.close()


class ContainerPattern(unittest.TestCase):
    def test_a_fatal_program_makes_a_listener_shut_supervisord_down(self):
        programs = "[program:bad]\ncommand=/bin/false\nstartsecs=1\nstartretries=0\n"
        run = Run(SUPERVISORD, programs, "PROCESS_STATE_FATAL", mode="shutdown")
        try:
            self.assertEqual(run.proc.wait(30), 0)
            self.assertIn("gave up: bad entered FATAL state", run.log())
        finally:
            run.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
