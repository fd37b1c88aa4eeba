#!/usr/bin/python3
"""An event listener written the way users write them for Python Supervisor, with
supervisor.childutils. Records every event it gets as a JSON line in RECORD_FILE.

MODE (environment):
  ok            answer OK to everything
  fail-first    answer FAIL the first time an event (by serial) is seen, OK after
  die-on-exited exit without answering on the first PROCESS_STATE_EXITED it sees
  shutdown      on PROCESS_STATE_FATAL, ask supervisord to shut down (the container pattern)
  never-ready   never says READY: events pile up in supervisord's buffer
"""
import json
import os
import sys
import time

from supervisor import childutils

record = open(os.environ["RECORD_FILE"], "a")
mode = os.environ.get("MODE", "ok")
seen = set()
if mode == "never-ready":
    time.sleep(1000000)
marker = os.environ["RECORD_FILE"] + ".died"

while True:
    headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
    record.write(json.dumps({"headers": headers, "payload": payload}) + "\n")
    record.flush()
    serial = headers["serial"]
    if mode == "fail-first" and serial not in seen:
        seen.add(serial)
        childutils.listener.fail(sys.stdout)
        continue
    if mode == "die-on-exited" and headers["eventname"] == "PROCESS_STATE_EXITED" and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)  # BUSY, no answer
    if mode == "shutdown" and headers["eventname"] == "PROCESS_STATE_FATAL":
        childutils.getRPCInterface(os.environ).supervisor.shutdown()
    childutils.listener.ok(sys.stdout)
