"""The two small C programs the scenarios run as children, compiled once per bench run.

stamp: writes "name pid monotonic_ns" to a fifo, then execs the real program (see stamp.c).
writer: writes N bytes to stdout in chunks of M bytes, optionally after a go signal (see writer.c).
Compiled with the system cc into the bench's work directory; a failure to compile is fatal
(both sides need them), with the compiler's message.
"""
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))


class ChildPrograms:
    def __init__(self, work_dir):
        self.bin_dir = os.path.join(work_dir, "bin")
        os.makedirs(self.bin_dir, exist_ok=True)
        self.stamp = self._compile("stamp")
        self.writer = self._compile("writer")

    def _compile(self, name):
        output = os.path.join(self.bin_dir, name)
        source = os.path.join(HERE, name + ".c")
        result = subprocess.run(["cc", "-O2", "-Wall", "-Wextra", "-o", output, source],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit("bench: cannot compile %s:\n%s" % (source, result.stderr))
        return output
