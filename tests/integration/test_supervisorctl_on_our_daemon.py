#!/usr/bin/python3
"""Interop the other way round: Python Supervisor's supervisorctl and ours, run with the
same arguments against OUR supervisord, must print the same output and exit with the
same codes (the comparisons of test_supervisorctl_vs_python.py, on our daemon)."""
import os
import runpy

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ["CTL_TEST_DAEMON"] = os.path.abspath(os.environ.get(
    "SUPERVISORD_BIN", os.path.join(HERE, "..", "..", "build", "bin", "supervisord")))
runpy.run_path(os.path.join(HERE, "test_supervisorctl_vs_python.py"), run_name="__main__")
