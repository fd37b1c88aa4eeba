#!/usr/bin/python3
"""Differential test: every config is loaded by Python Supervisor 4.2.5's own parser
(supervisor_config_oracle.py) and by `supervisord --dump-config`; both must reject it,
or both must accept it with the same programs and the same values, field by field.

Configs: Supervisor's own test fixtures and skel/sample.conf (Debian package),
conf/supervisord.conf, and tests/compat/configs/*.conf (tricky cases of ours).
"""
import glob
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.environ.get("PROJECT_DIR", os.path.dirname(os.path.dirname(HERE)))
SUPERVISORD = os.path.abspath(os.environ.get("SUPERVISORD_BIN", os.path.join(PROJECT, "build/bin/supervisord")))
ORACLE = os.path.join(HERE, "supervisor_config_oracle.py")
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from leftover_processes import Marker  # noqa: E402

# In the environment of every supervisord and oracle run: none may outlive its test.
MARKER = Marker()
SUPERVISOR_PKG = "/usr/lib/python3/dist-packages/supervisor"


def config_files():
    files = sorted(glob.glob(os.path.join(SUPERVISOR_PKG, "tests/fixtures/*.conf")))
    files.append(os.path.join(SUPERVISOR_PKG, "skel/sample.conf"))
    files.append(os.path.join(PROJECT, "conf/supervisord.conf"))
    files += sorted(glob.glob(os.path.join(HERE, "configs/*.conf")))
    return [f for f in files if os.path.exists(f)]


def normalize(doc):
    for group in doc["groups"]:
        if group["kind"] == "group":
            group["kind"] = "program"
    return doc


def run(command, cwd):
    env = MARKER.env(COMPAT_TEST_VALUE="from-env", HOME="/root")
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


class ConfigAgainstSupervisor(unittest.TestCase):
    def tearDown(self):
        MARKER.assert_none_left("a supervisord --dump-config or oracle run")

    def test_every_config_loads_like_python_supervisor(self):
        files = config_files()
        self.assertGreater(len(files), 25, "Supervisor's fixtures are missing: is the supervisor package installed?")
        for path in files:
            with self.subTest(config=os.path.relpath(path, "/")):
                cwd = os.path.dirname(path)
                python = run([sys.executable, ORACLE, path], cwd)
                ours = run([SUPERVISORD, "-c", path, "--dump-config"], cwd)
                if python.returncode != 0:
                    self.assertNotEqual(ours.returncode, 0,
                                        "Python Supervisor rejects this config but we accept it:\n" + python.stderr)
                    self.assertIn("Error:", ours.stderr)
                    continue
                self.assertEqual(ours.returncode, 0, "we reject a config Python Supervisor accepts:\n" + ours.stderr)
                expected = normalize(json.loads(python.stdout))
                actual = normalize(json.loads(ours.stdout))
                self.assertEqual(actual["supervisord"], expected["supervisord"])
                self.assertEqual(actual["servers"], expected["servers"])
                self.assertEqual(actual["serverurl"], expected["serverurl"])
                self.assertEqual([g["name"] for g in actual["groups"]], [g["name"] for g in expected["groups"]],
                                 "groups differ (or their start order)")
                for ours_group, their_group in zip(actual["groups"], expected["groups"]):
                    self.assertEqual(ours_group, their_group)


if __name__ == "__main__":
    unittest.main()
