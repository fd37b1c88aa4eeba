#!/usr/bin/python3
"""supervisord's command line as a user meets it: -v, -h, usage errors, the config
search order when -c is absent, and --check-config / --dump-config exit codes."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from leftover_processes import Marker

SUPERVISORD = os.path.abspath(os.environ.get(
    "SUPERVISORD_BIN", os.path.join(os.path.dirname(__file__), "..", "..", "build", "bin", "supervisord")))


# In the environment of every supervisord run: none may outlive its test.
MARKER = Marker()


def run(args, cwd=None):
    return subprocess.run([SUPERVISORD] + args, cwd=cwd, capture_output=True, text=True, timeout=30,
                          env=MARKER.env())


class CommandLine(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sha-cli-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
        MARKER.assert_none_left("a supervisord run")

    def write(self, relative, text):
        path = os.path.join(self.tmp, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_version_is_supervisors(self):
        result = run(["-v"])
        self.assertEqual((result.returncode, result.stdout), (0, "4.2.5\n"))

    def test_help_lists_the_options(self):
        result = run(["--help"])
        self.assertEqual(result.returncode, 0)
        for option in ("-c/--configuration", "-n/--nodaemon", "--minprocs", "--check-config"):
            self.assertIn(option, result.stdout)

    def test_usage_errors_exit_2_with_a_hint(self):
        for args, message in ((["-Z"], "option -Z not recognized"),
                              (["stray"], "positional arguments are not supported"),
                              (["-c"], "option -c requires argument")):
            result = run(args)
            self.assertEqual(result.returncode, 2, args)
            self.assertIn("Error: " + message, result.stderr)
            self.assertIn("For help, use %s -h" % SUPERVISORD, result.stderr)

    def test_without_c_the_working_directory_is_searched_in_supervisors_order(self):
        self.write("etc/supervisord.conf", "[supervisord]\nidentifier=from-etc\n")
        result = run(["--dump-config"], cwd=self.tmp)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["supervisord"]["identifier"], "from-etc")
        # ./supervisord.conf comes before ./etc/supervisord.conf
        self.write("supervisord.conf", "[supervisord]\nidentifier=from-cwd\n")
        result = run(["--dump-config"], cwd=self.tmp)
        self.assertEqual(json.loads(result.stdout)["supervisord"]["identifier"], "from-cwd")

    def test_check_config_exits_0_with_a_summary_or_1_with_the_error(self):
        good = self.write("good.conf", "[supervisord]\n[program:cat]\ncommand=/bin/cat\nnumprocs=2\n"
                          "process_name=%(program_name)s_%(process_num)d\n")
        result = run(["-c", good, "--check-config"])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("configuration is valid", result.stdout)
        self.assertIn("cat:cat_0: /bin/cat", result.stdout)
        self.assertIn("cat:cat_1: /bin/cat", result.stdout)

        bad = self.write("bad.conf", "[supervisord]\n[program:cat]\ncommand=/bin/cat\nstopsignal=NOPE\n")
        result = run(["-c", bad, "--check-config"])
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout, "")
        self.assertIn(bad + ":4: [program:cat] stopsignal: value 'NOPE' is not a valid signal name", result.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
