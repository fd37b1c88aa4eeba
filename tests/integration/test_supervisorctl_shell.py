"""Our supervisorctl's interactive shell on a pseudo-terminal, against Python
Supervisor 4.2.5's supervisord: the `supervisor> ` prompt after the initial
status, a command, Tab completion of a process name, the history file."""
import os
import pty
import select
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from test_supervisorctl_vs_python import OUR_SUPERVISORCTL, PythonSupervisord  # noqa: E402


class Terminal:
    def __init__(self, argv):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execv(argv[0], argv)
        self.seen = b""

    def expect(self, text, timeout=10):
        deadline = time.time() + timeout
        while text not in self.seen:
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError("never saw %r; screen: %r" % (text, self.seen))
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    self.seen += os.read(self.fd, 4096)
                except OSError:
                    break
        if text not in self.seen:
            raise AssertionError("never saw %r; screen: %r" % (text, self.seen))

    def type(self, text):
        # As a person would: after the line editor has set up the terminal
        # (input typed earlier may be flushed when it switches modes).
        time.sleep(0.3)
        os.write(self.fd, text.encode())

    def wait(self, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.1)
                if ready:
                    self.seen += os.read(self.fd, 4096)
            except OSError:
                time.sleep(0.05)
        raise AssertionError("the shell did not exit; screen: %r" % self.seen)


class InteractiveShell(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = PythonSupervisord()
        cls.daemon.start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()

    def test_prompt_command_tab_completion_and_history(self):
        history = os.path.join(self.daemon.tmp, "history")
        with open(history, "w") as f:
            f.write("avail\n")
        term = Terminal([OUR_SUPERVISORCTL, "-c", self.daemon.conf, "-r", history])
        # The shell starts with `status`, then prompts.
        term.expect(b"talker")
        term.expect(b"supervisor> ")
        term.type("version\r")
        term.expect(b"4.2.5")
        term.expect(b"supervisor> ", timeout=5)
        # "tal" + Tab completes to the process name.
        term.seen = b""
        term.type("status tal\t")
        term.expect(b"ker ")  # the terminal shows only what Tab added
        term.type("\r")
        term.expect(b"RUNNING")
        term.expect(b"supervisor> ")
        term.type("quit\r")
        self.assertEqual(term.wait(), 0)
        with open(history) as f:
            lines = f.read().splitlines()
        # Kept from before, then each line typed (as Python's readline: no immediate repeats).
        self.assertEqual(lines[0], "avail")
        self.assertEqual(lines[1], "version")
        self.assertEqual(lines[2].rstrip(), "status talker")
        self.assertEqual(lines[3], "quit")

    def test_end_of_input_leaves_with_status_zero(self):
        term = Terminal([OUR_SUPERVISORCTL, "-c", self.daemon.conf])
        term.expect(b"supervisor> ")
        term.type("\x04")
        self.assertEqual(term.wait(), 0)


if __name__ == "__main__":
    unittest.main()
