"""The scenarios, in the order the table lists them.

Each module has NAME, figures(sizes) -> [Figure], and run(session, side) -> {key: value or
Unavailable}. run() may raise Unavailable for the whole scenario on that side. Every wait
inside a scenario has a timeout, so no scenario can hang the bench.
"""
from scenarios import spawn, stop_all, shutdown, respawn, memory, idle, rpc, logs, ctl_status

ALL = [spawn, stop_all, shutdown, respawn, memory, idle, rpc, logs, ctl_status]
BY_NAME = {module.NAME: module for module in ALL}
