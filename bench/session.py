"""What every scenario gets: the sizes for this run (full or --quick), the compiled child
programs, a scratch directory, and factories for daemons and stamp fifos that it cleans up.

A scenario calls session.daemon(...) / session.fifo() and never has to stop them itself:
session.cleanup() (called after each scenario run) stops every daemon and closes every fifo.
"""
import itertools
import os
import time

import daemons
from stamps import StampFifo


class Sizes:
    def __init__(self, quick):
        self.quick = quick
        self.programs = 100 if quick else 500          # "500 programs" everywhere
        self.spawn_counts = (20, 100) if quick else (100, 500)
        self.respawn_kills = 20 if quick else 200
        self.respawn_outstanding = 8                    # kills in flight at once, at most
        self.idle_seconds = 2 if quick else 10
        self.settle_seconds = 1.5 if quick else 2.5     # after the last exec, before measuring
        self.rpc_seconds = 0.5 if quick else 2.0        # each calls/s window
        self.rpc_all_info_calls = 3 if quick else 15
        self.rpc_concurrent_clients = 4
        self.ctl_calls = 1 if quick else 3
        self.log_chunk_total = (20 if quick else 200) * 2**20
        self.log_chunk = 2**20
        self.log_lines_total = (5 if quick else 50) * 2**20 // 100 * 100   # whole lines
        self.log_line = 100


class Session:
    def __init__(self, work_dir, child_programs, sizes):
        self.work_dir = work_dir
        self.child_programs = child_programs
        self.sizes = sizes
        self._counter = itertools.count(1)
        self._daemons = []
        self._fifos = []

    def _path(self, tag):
        return os.path.join(self.work_dir, "%03d-%s" % (next(self._counter), tag))

    def fifo(self):
        fifo = StampFifo(self._path("stamps.fifo"))
        self._fifos.append(fifo)
        return fifo

    def sleep_programs(self, count, fifo):
        return daemons.sleep_programs(count, self.child_programs, fifo.path)

    def daemon(self, side, tag, programs_text, supervisord_extra=""):
        daemon = daemons.Daemon(side, self._path("%s-%s" % (side.name, tag)), programs_text,
                                supervisord_extra)
        self._daemons.append(daemon)
        return daemon

    def running_daemon(self, side, tag, count, fifo):
        """A started daemon with count sleep programs, all exec'd, then settle_seconds idle."""
        daemon = self.daemon(side, tag, self.sleep_programs(count, fifo)).start()
        daemon.wait_for_execs(fifo, count)
        time.sleep(self.sizes.settle_seconds)
        return daemon

    def cleanup(self):
        leftovers = []
        for daemon in self._daemons:
            leftovers += daemon.stop() or []
        for fifo in self._fifos:
            fifo.close()
        self._daemons, self._fifos = [], []
        return leftovers
