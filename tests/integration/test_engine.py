#!/usr/bin/python3
"""The process engine with a real daemon and real children, observed through the
daemon's log (Supervisor's own wording), the children's logs, signals and /proc."""
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_harness import SUPERVISORD, Daemon, process_alive, wait_until  # noqa: E402


def voluntary_switches(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("voluntary_ctxt_switches:"):
                return int(line.split()[1])
    raise AssertionError("no voluntary_ctxt_switches for %d" % pid)


def open_files_limit(pid):
    with open("/proc/%d/limits" % pid) as f:
        for line in f:
            if line.startswith("Max open files"):
                return int(line.split()[3])
    raise AssertionError("no open files limit for %d" % pid)


class CrashAndRestart(unittest.TestCase):
    def test_a_crashing_program_is_restarted_with_supervisors_log_lines(self):
        with Daemon("[program:crash]\ncommand=/bin/sh -c 'sleep 0.2; exit 3'\nstartsecs=0\nautorestart=true\n") as d:
            d.wait_for_log(r"exited: crash \(exit status 3; not expected\)", count=2)
            self.assertGreaterEqual(d.count(r"spawned: 'crash' with pid \d+"), 2)
            self.assertIn("success: crash entered RUNNING state, process has stayed up for > than 0 seconds (startsecs)",
                          d.log())

    def test_at_debug_level_each_reaped_child_logs_supervisors_sigchld_line(self):
        # Supervisor's own end-to-end tests (test_issue_638) wait for this line.
        with Daemon("[program:job]\ncommand=/bin/sh -c 'exit 0'\nstartsecs=0\nautorestart=false\n") as d:
            d.wait_for_log(r"exited: job \(exit status 0; expected\)")
            self.assertEqual(d.count(r"DEBG received SIGCHLD indicating a child quit"), 1)

    def test_an_expected_exit_is_not_restarted_with_autorestart_unexpected(self):
        with Daemon("[program:job]\ncommand=/bin/sh -c 'exit 0'\nstartsecs=0\n") as d:
            d.wait_for_log(r"exited: job \(exit status 0; expected\)")
            time.sleep(1.2)
            self.assertEqual(d.count(r"spawned: 'job'"), 1)

    def test_a_program_that_never_stays_up_goes_fatal_after_startretries(self):
        with Daemon("[program:bad]\ncommand=/bin/false\nstartsecs=1\nstartretries=2\n") as d:
            d.wait_for_log(r"gave up: bad entered FATAL state, too many start retries too quickly", timeout=20)
            self.assertEqual(d.count(r"spawned: 'bad'"), 3)  # startretries + 1 attempts

    def test_a_missing_command_is_a_spawn_error_then_fatal(self):
        with Daemon("[program:ghost]\ncommand=/no/such/program\nstartretries=1\n") as d:
            d.wait_for_log(r"spawnerr: can't find command '/no/such/program'")
            d.wait_for_log(r"gave up: ghost entered FATAL state", timeout=20)
            self.assertEqual(d.zombies(), [])


class Stopping(unittest.TestCase):
    def test_a_child_that_ignores_term_is_killed_after_stopwaitsecs(self):
        # The child says when its trap is set: a stop that came before would kill it at once.
        program = ("[program:stubborn]\ncommand=/bin/sh -c 'trap \"\" TERM; touch {tmp}/trapped; "
                   "while true; do sleep 0.1; done'\nstopwaitsecs=1\nstartsecs=0\n")
        with Daemon(program) as d:
            d.wait_for_log(r"success: stubborn entered RUNNING state")
            wait_until(lambda: os.path.exists(os.path.join(d.tmp, "trapped")), message="the TERM trap set")
            pid = d.pid_of("stubborn")
            started = time.time()
            self.assertEqual(d.stop(), 0)
            self.assertGreaterEqual(time.time() - started, 0.9)
            self.assertIn("killing 'stubborn' (%d) with SIGKILL" % pid, d.log())
            self.assertIn("stopped: stubborn (terminated by SIGKILL)", d.log())
            self.assertFalse(process_alive(pid))

    def test_killasgroup_kills_grandchildren(self):
        program = ("[program:tree]\ncommand=/bin/sh -c 'sleep 1000 & echo $! > {tmp}/grandchild; wait'\n"
                   "stopasgroup=true\nstartsecs=0\n")
        with Daemon(program) as d:
            d.wait_for_log(r"success: tree entered RUNNING state")
            grandchild_file = os.path.join(d.tmp, "grandchild")
            wait_until(lambda: os.path.exists(grandchild_file) and open(grandchild_file).read().strip(),
                       message="grandchild pid")
            grandchild = int(open(grandchild_file).read())
            self.assertTrue(process_alive(grandchild))
            d.stop()
            wait_until(lambda: not process_alive(grandchild), message="grandchild killed")

    def test_shutdown_stops_groups_in_descending_priority(self):
        programs = "".join(
            "[program:p%d]\ncommand=/bin/sleep 1000\npriority=%d\nstartsecs=0\n" % (i, i * 10) for i in (1, 2, 3))
        with Daemon(programs) as d:
            d.wait_for_log(r"success: p\d entered RUNNING", count=3)
            d.stop()
            log = d.log()
            order = [log.index("stopped: p%d" % i) for i in (3, 2, 1)]
            self.assertEqual(order, sorted(order))
            self.assertIn("received SIGTERM indicating exit request", log)


class ChildSetup(unittest.TestCase):
    def test_environment_expansions_and_directory_reach_the_child(self):
        program = ("[program:env]\ncommand=/bin/sh -c 'echo \"$FOO $SUPERVISOR_ENABLED $SUPERVISOR_PROCESS_NAME "
                   "$SUPERVISOR_GROUP_NAME $(pwd) $(umask)\"; exec sleep 1000'\n"
                   "environment=FOO=\"%(program_name)s-%(process_num)d\"\ndirectory={tmp}\numask=027\n"
                   "stdout_logfile={tmp}/env.log\nstartsecs=0\n")
        with Daemon(program) as d:
            path = os.path.join(d.tmp, "env.log")
            wait_until(lambda: os.path.exists(path) and open(path).read(), message="child output")
            self.assertEqual(open(path).read().strip(), "env-0 1 env env %s 0027" % d.tmp)

    def test_no_daemon_file_descriptor_leaks_into_a_child(self):
        program = ("[program:fds]\ncommand=/bin/sh -c 'ls /proc/self/fd; exec sleep 1000'\n"
                   "stdout_logfile={tmp}/fds.log\nstartsecs=0\n")
        with Daemon(program) as d:
            path = os.path.join(d.tmp, "fds.log")
            wait_until(lambda: os.path.exists(path) and open(path).read(), message="child output")
            # ls itself opens the directory it lists (fd 3); the shell has 0, 1, 2.
            fds = sorted(int(x) for x in open(path).read().split())
            self.assertEqual(fds, [0, 1, 2, 3])

    @unittest.skipUnless(os.getuid() == 0, "needs root")
    def test_user_runs_the_child_as_that_user(self):
        program = ("[program:who]\ncommand=/bin/sh -c 'id -u; id -g; exec sleep 1000'\nuser=nobody\n"
                   "stdout_logfile={tmp}/who.log\nstartsecs=0\n")
        with Daemon(program) as d:
            path = os.path.join(d.tmp, "who.log")
            wait_until(lambda: os.path.exists(path) and len(open(path).read().split()) == 2, message="child output")
            self.assertEqual(open(path).read().split(), ["65534", "65534"])


class ManyChildren(unittest.TestCase):
    def test_500_children_start_and_stop_with_no_zombie(self):
        programs = "[program:many]\ncommand=/bin/sleep 1000\nprocess_name=%(program_name)s_%(process_num)03d\n" \
                   "numprocs=500\nstartsecs=0\nstdout_logfile=NONE\nstderr_logfile=NONE\n"
        with Daemon(programs, supervisord_extra="minfds=4096") as d:
            d.wait_for_log(r"success: many_\d+ entered RUNNING", count=500, timeout=60)
            children = d.children()
            self.assertEqual(len(children), 500)
            pids = list(children)
            self.assertEqual(d.stop(), 0)
            self.assertEqual([p for p in pids if process_alive(p)], [])
            self.assertEqual(d.count(r"stopped: many_\d+"), 500)


class Signals(unittest.TestCase):
    def test_sighup_restarts_every_program_with_the_new_config(self):
        with Daemon("[program:a]\ncommand=/bin/sleep 1000\nstartsecs=0\n") as d:
            d.wait_for_log(r"success: a entered RUNNING")
            first = d.pid_of("a")
            d.write_config("[program:b]\ncommand=/bin/sleep 1000\nstartsecs=0\n")
            d.signal(signal.SIGHUP)
            d.wait_for_log(r"received SIGHUP indicating restart request")
            d.wait_for_log(r"success: b entered RUNNING")
            self.assertFalse(process_alive(first))
            self.assertIn("stopped: a (terminated by SIGTERM)", d.log())

    def test_sigusr2_reopens_child_logs_after_external_rotation(self):
        program = ("[program:talk]\ncommand=/bin/sh -c 'while true; do echo tick; sleep 0.05; done'\n"
                   "stdout_logfile={tmp}/talk.log\nstartsecs=0\n")
        with Daemon(program) as d:
            path = os.path.join(d.tmp, "talk.log")
            wait_until(lambda: os.path.exists(path) and os.path.getsize(path) > 0, message="output")
            os.rename(path, path + ".old")
            d.signal(signal.SIGUSR2)
            d.wait_for_log(r"received SIGUSR2 indicating log reopen request")
            wait_until(lambda: os.path.exists(path) and os.path.getsize(path) > 0, message="new log file")


class DaemonProcess(unittest.TestCase):
    def test_without_nodaemon_it_daemonizes_and_writes_its_pidfile(self):
        d = Daemon("[program:sleeper]\ncommand=/bin/sleep 1000\nstartsecs=0\n", name="daemonize")
        try:
            launcher = subprocess.run([SUPERVISORD, "-c", d.conf_path], cwd=d.tmp, timeout=30,
                                      env=d.environment())
            self.assertEqual(launcher.returncode, 0)  # the parent exits once the daemon is forked
            pidfile = os.path.join(d.tmp, "supervisord.pid")
            wait_until(lambda: os.path.exists(pidfile) and open(pidfile).read().strip(), message="pidfile")
            pid = int(open(pidfile).read())
            self.assertTrue(process_alive(pid))
            self.assertEqual(os.getsid(pid), pid)  # its own session, no terminal
            wait_until(lambda: "success: sleeper entered RUNNING" in d.log(), message="child running")
            self.assertIn("daemonizing the supervisord process", d.log())
            self.assertIn("supervisord started with pid %d" % pid, d.log())
            os.kill(pid, signal.SIGTERM)
            wait_until(lambda: not process_alive(pid), timeout=15, message="daemon exit")
            self.assertFalse(os.path.exists(pidfile))  # removed on exit
        finally:
            try:
                d.assert_nothing_left()
            finally:
                shutil.rmtree(d.tmp, ignore_errors=True)

    @unittest.skipUnless(os.getuid() == 0 and shutil.which("unshare"), "needs root and unshare")
    def test_as_pid_1_it_reaps_orphans_it_never_started(self):
        d = Daemon("[program:orphaner]\ncommand=/bin/sh -c 'sleep 0.3 & exit 0'\nstartsecs=0\n"
                   "autorestart=false\n", name="pid1")
        try:
            proc = subprocess.Popen(["unshare", "--pid", "--fork", SUPERVISORD, "-n", "-c", d.conf_path],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=d.environment())
            try:
                wait_until(lambda: "reaped unknown pid" in d.log(), timeout=15, message="orphan reaped")
                self.assertRegex(d.log(), r"reaped unknown pid \d+ \(exit status 0\)")
            finally:
                # unshare does not pass signals on: stop the daemon (its child) directly.
                for task in os.listdir("/proc/%d/task" % proc.pid):
                    for child in open("/proc/%d/task/%s/children" % (proc.pid, task)).read().split():
                        os.kill(int(child), signal.SIGTERM)
                proc.wait(30)
        finally:
            try:
                d.assert_nothing_left()
            finally:
                shutil.rmtree(d.tmp, ignore_errors=True)

    def test_an_idle_daemon_does_not_wake_up(self):
        with Daemon("[program:sleeper]\ncommand=/bin/sleep 1000\nstartsecs=0\n") as d:
            d.wait_for_log(r"success: sleeper entered RUNNING")
            time.sleep(0.5)
            before = voluntary_switches(d.proc.pid)
            time.sleep(3)
            self.assertEqual(voluntary_switches(d.proc.pid) - before, 0)

    def test_minfds_raises_the_file_limit(self):
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        wanted = 1500 if hard == resource.RLIM_INFINITY else min(hard, 1500)

        def lower_soft_limit():
            resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))

        d = Daemon("", supervisord_extra="minfds=%d" % wanted)
        try:
            d.start(preexec_fn=lower_soft_limit)
            self.assertEqual(open_files_limit(d.proc.pid), wanted)
            self.assertIn("Increased RLIMIT_NOFILE limit to %d" % wanted, d.log())
        finally:
            d.__exit__(None, None, None)

    def test_a_bad_config_is_refused_with_exit_status_2(self):
        d = Daemon("[program:x]\ncommand=/bin/cat\nstartsecs=soon\n", name="badconfig")
        try:
            result = subprocess.run([SUPERVISORD, "-n", "-c", d.conf_path], capture_output=True, text=True, timeout=30,
                                    env=d.environment())
            self.assertEqual(result.returncode, 2)
            self.assertIn("supervisord.conf:", result.stderr)
            self.assertIn("[program:x] startsecs: not an integer: 'soon'", result.stderr)
            self.assertFalse(os.path.exists(d.log_path))  # nothing started
        finally:
            try:
                d.assert_nothing_left()
            finally:
                shutil.rmtree(d.tmp, ignore_errors=True)

    def test_sigusr2_reopens_the_main_log(self):
        with Daemon("") as d:
            os.rename(d.log_path, d.log_path + ".old")
            d.signal(signal.SIGUSR2)
            # As Supervisor: the request is logged to the old file, then the file is reopened.
            wait_until(lambda: os.path.exists(d.log_path), message="main log reopened")
            self.assertIn("supervisord logreopen", open(d.log_path + ".old").read())


class ChildLogs(unittest.TestCase):
    def test_logs_rotate_with_supervisors_names(self):
        program = ("[program:chatty]\ncommand=/bin/sh -c 'while true; do echo 0123456789012345678901234567890123456789;"
                   " done'\nstdout_logfile={tmp}/chatty.log\nstdout_logfile_maxbytes=10KB\nstdout_logfile_backups=2\n"
                   "startsecs=0\n")
        with Daemon(program) as d:
            path = os.path.join(d.tmp, "chatty.log")
            wait_until(lambda: os.path.exists(path + ".2"), message="second backup")
            d.stop()
            self.assertFalse(os.path.exists(path + ".3"))
            for name in (path + ".1", path + ".2"):
                self.assertGreaterEqual(os.path.getsize(name), 10 * 1024)

    def test_a_gigabyte_of_output_is_logged_without_loss(self):
        # 10^8 records "%09d\n" (10 bytes each): exactly 10^9 bytes, as fast as seq writes them.
        program = ("[program:flood]\ncommand=/usr/bin/seq -f %%09.0f 0 99999999\nstdout_logfile={tmp}/flood.log\n"
                   "stdout_logfile_maxbytes=0\nstartsecs=0\nautorestart=false\n"
                   "[program:canary]\ncommand=/bin/sh -c 'sleep 0.3; exit 1'\nstartsecs=0\nautorestart=true\n")
        # At loglevel debug the main log would also carry the gigabyte (as Supervisor's does).
        with Daemon(program, supervisord_extra="loglevel=info") as d:
            d.wait_for_log(r"exited: flood \(exit status 0; expected\)", timeout=240)
            # The chatty child did not starve the loop: while the flood lasted, the canary
            # (which exits every 0.3 s) kept being restarted.
            log = d.log()
            stamp = lambda line: time.mktime(time.strptime(line[:19], "%Y-%m-%d %H:%M:%S")) + int(line[20:23]) / 1000
            lines = log.splitlines()
            began = stamp(next(l for l in lines if "spawned: 'flood'" in l))
            ended = stamp(next(l for l in lines if "exited: flood" in l))
            canary = [stamp(l) for l in lines if "spawned: 'canary'" in l and began <= stamp(l) <= ended]
            if ended - began >= 1.5:
                self.assertGreaterEqual(len(canary), int((ended - began) / 1.5))
            path = os.path.join(d.tmp, "flood.log")
            wait_until(lambda: os.path.getsize(path) == 10 ** 9, timeout=30, message="all output logged")
            with open(path, "rb") as f:
                expected = 0
                while True:
                    block = f.read(10 << 20)
                    if not block:
                        break
                    self.assertEqual(int(block[:9]), expected)
                    expected += len(block) // 10
                    self.assertEqual(int(block[-10:-1]), expected - 1)
            self.assertEqual(expected, 10 ** 8)


if __name__ == "__main__":
    unittest.main(verbosity=2)
