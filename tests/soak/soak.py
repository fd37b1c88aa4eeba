#!/usr/bin/env python3
"""Soak and fault injection: our real supervisord under load, faults and reloads.

    soak.py [--duration SECONDS] [--minutes M] [--children N] [--seed S] [--keep]

(SOAK_SECONDS, SOAK_MINUTES and SOAK_CHILDREN in the environment set the defaults:
ctest -L soak.) --minutes bounds the whole run: the chaos is shortened so that the
warm-up and the end checks fit, and a run still going at the bound is stopped (its
daemon and every process it started killed) with the figures so far; the bound alone
is not a failure. A progress line is printed at least once a minute.
It starts build/bin/supervisord with ~N programs of several kinds (tests/soak/programs.py:
crashers, TERM-ignorers, grandchildren in and out of the process group, setsid'd
escapes, a bounded fork bomb, restart policies with backoff, budgets and liveness
probes, numbered-line writers, stdout flooders logging into an 8 MB tmpfs that fills
up), then for the duration, all at once:
  - kill -9 of random children and grandchildren,
  - XML-RPC clients (threads) calling start/stop/restart/info at random,
  - supervisorctl status/restart/update,
  - liveness files removed and restored (probe-driven restarts),
  - config rewrites applied alternately by SIGHUP and by `supervisorctl update`.
Invariants, checked every few seconds and at the end; each violation is counted:
  - the daemon is alive and answers getState within a deadline (a SIGHUP restart
    closes the socket for a moment: the deadline covers that),
  - no zombie child for more than one check,
  - fds bounded while running, and equal (within a small margin) at two quiescent
    points (everything stopped) with the same program set,
  - VmRSS at the end within 20% + 2 MB of the one after warm-up (both quiescent),
  - after stopAll and shutdown: no spawned pid alive, no process-group grandchild
    alive (the setsid'd and non-group grandchildren Supervisor does not kill are
    counted and removed by the soak),
  - the numbered writers' logs (with rotated backups) hold every line, in order,
    up to the last one each writer wrote before its TERM,
  - each flooder's disk-full error is logged at most once per daemon generation
    (a SIGHUP makes new log files) and at least once.
Prints the figures and exits 1 on any violation.
"""
import argparse
import collections
import glob
import http.client
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)
import daemon_harness  # noqa: E402
import programs  # noqa: E402

SUPERVISORD = daemon_harness.SUPERVISORD
SUPERVISORCTL = os.path.abspath(os.environ.get(
    "SUPERVISORCTL_BIN", os.path.join(HERE, "..", "..", "build", "bin", "supervisorctl")))

# Seconds without a getState answer = violation. A SIGHUP restart answers SHUTDOWN_STATE
# while it stops, then the new generation spawns every autostart program in one pass of
# the loop before it serves (as Supervisor does, which is twice as slow at it): about
# 30 ms per spawn here, 7 s for 240 programs on an idle machine, far more under load.
ANSWER_DEADLINE = 60.0
CHECK_EVERY = 3.0
FULL_DISK = "8m"


class TimedUnixTransport(daemon_harness.UnixTransport):
    """A timeout on every call, and each connection closed when its call is done
    (the harness's connection keeps itself alive through a reference cycle until
    Python's collector runs: its socket would count as the daemon's fd)."""

    def __init__(self, path, timeout):
        super().__init__(path)
        self.timeout = timeout
        self.last = None

    def make_connection(self, host):
        connection = super().make_connection(host)
        connect, timeout = connection.connect, self.timeout

        def connect_with_timeout():
            connect()
            connection.sock.settimeout(timeout)
        connection.connect = connect_with_timeout
        self.last = connection
        return connection

    def request(self, *args, **kwargs):
        try:
            return super().request(*args, **kwargs)
        finally:
            if self.last is not None:
                self.last.close()
                self.last = None


class Figures:
    """Counters shared by the threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = collections.Counter()
        self.violations = []

    def add(self, key, n=1):
        with self.lock:
            self.counts[key] += n

    def violation(self, text):
        with self.lock:
            self.violations.append("%.1fs %s" % (time.time() - START, text))
        print("VIOLATION: " + text, flush=True)


START = time.time()
# The last progress line (a line each check, each phase): a heartbeat fills silences.
LAST_OUTPUT = [START]
# The time left for the end (stop the chaos threads, quiescent point, shutdown, log
# checks) when --minutes bounds the run: two stopAlls of 240 programs under load.
END_RESERVE = 240.0


class BoundReached(BaseException):
    pass


def read_proc(pid, what):
    try:
        with open("/proc/%d/%s" % (pid, what), "rb") as f:
            return f.read()
    except OSError:
        return None


def stat_of(pid):
    """(state, ppid) or None."""
    raw = read_proc(pid, "stat")
    if raw is None:
        return None
    fields = raw.rsplit(b")", 1)[1].split()
    return fields[0].decode(), int(fields[1])


def environ_of(pid):
    raw = read_proc(pid, "environ")
    if not raw:
        return {}
    env = {}
    for item in raw.split(b"\0"):
        key, _, value = item.partition(b"=")
        if key in (b"SOAK_RUN", b"SOAK_KIND"):
            env[key.decode()] = value.decode(errors="replace")
    return env


class Soak:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.figures = Figures()
        self.tmp = tempfile.mkdtemp(prefix="sha-soak-")
        self.run_id = os.path.basename(self.tmp)
        for d in ("bin", "logs", "final", "alive", "full"):
            os.makedirs(os.path.join(self.tmp, d))
        self.fulldir = os.path.join(self.tmp, "full")
        self.tmpfs = False
        if os.geteuid() == 0:
            self.tmpfs = subprocess.call(["mount", "-t", "tmpfs", "-o", "size=" + FULL_DISK, "soakfull",
                                          self.fulldir]) == 0
        if not self.tmpfs:
            print("note: no tmpfs (not root?): the flooders fill nothing and the disk-full check is skipped")
        programs.write_scripts(os.path.join(self.tmp, "bin"))
        self.sock = os.path.join(self.tmp, "supervisor.sock")
        self.conf = os.path.join(self.tmp, "supervisord.conf")
        self.log_path = os.path.join(self.tmp, "supervisord.log")
        self.variant = 0
        self.mix = self.write_config(0)
        self.names = sorted(self.mix.kinds)
        for name in self.mix.liveness:
            open(os.path.join(self.tmp, "alive", name), "w").close()
        self.proc = None
        self.stop_event = threading.Event()    # ends the chaos threads
        self.pause_event = threading.Event()   # set = chaos threads hold still
        self.idle = collections.Counter()      # threads currently holding still
        self.idle_lock = threading.Lock()
        self.generations = 1                   # daemon generations (1 + SIGHUPs)
        self.zombie_seen = {}
        self.unanswered_since = None
        self.rss_max = 0
        self.fd_max = 0
        self.threads = []

    # -- configuration ----------------------------------------------------------------

    def write_config(self, variant):
        body, mix = programs.programs(self.args.children, self.tmp, self.fulldir, variant, seed=self.args.seed)
        text = (
            "[supervisord]\n"
            "logfile=%(tmp)s/supervisord.log\nlogfile_maxbytes=0\n"
            "pidfile=%(tmp)s/supervisord.pid\nchildlogdir=%(tmp)s/logs\nloglevel=info\n"
            "minfds=8192\nminprocs=4096\n"
            "environment=SOAK_RUN=\"%(run)s\"\n\n"
            "[unix_http_server]\nfile=%(tmp)s/supervisor.sock\n\n"
            "[rpcinterface:supervisor]\n"
            "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n"
            "[supervisorctl]\nserverurl=unix://%(tmp)s/supervisor.sock\n\n"
            % {"tmp": self.tmp, "run": self.run_id}) + body
        partial = self.conf + ".new"
        with open(partial, "w") as f:
            f.write(text)
        os.rename(partial, self.conf)  # the daemon never reads half a file
        self.variant = variant
        return mix

    # -- the daemon ---------------------------------------------------------------------

    def rpc(self, timeout=60.0):
        return xmlrpc.client.ServerProxy("http://localhost/RPC2", transport=TimedUnixTransport(self.sock, timeout))

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def start_daemon(self):
        self.output = open(os.path.join(self.tmp, "stdout.txt"), "wb")
        self.proc = subprocess.Popen([SUPERVISORD, "-n", "-c", self.conf], stdout=self.output,
                                     stderr=subprocess.STDOUT, cwd=self.tmp)
        self.wait_running(120, "first start")
        self.first_answer = time.time() - START

    def daemon_alive(self):
        return self.proc.poll() is None

    def wait_running(self, timeout, what):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not self.daemon_alive():
                break
            try:
                if self.rpc(5).supervisor.getState()["statename"] == "RUNNING":
                    return True
            except (OSError, xmlrpc.client.Error):
                pass
            time.sleep(0.2)
        self.figures.violation("daemon not RUNNING %.0f s after %s" % (timeout, what))
        return False

    def ctl(self, *words, timeout=90):
        self.figures.add("supervisorctl runs")
        try:
            done = subprocess.run([SUPERVISORCTL, "-c", self.conf] + list(words), capture_output=True,
                                  text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            self.figures.violation("supervisorctl %s took more than %d s" % (" ".join(words), timeout))
            return None
        text = done.stdout + done.stderr
        if done.returncode < 0 or "Traceback" in text:
            self.figures.violation("supervisorctl %s: status %d: %s" % (" ".join(words), done.returncode,
                                                                          text[-500:]))
        return done

    # -- /proc ----------------------------------------------------------------------------

    def ours(self):
        """pid -> (state, ppid, kind) for every process of this soak (not the daemon):
        those with our SOAK_RUN, and the daemon's zombies (a zombie has no environment)."""
        found = {}
        daemon = self.proc.pid if self.proc else -1
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            if pid == daemon:
                continue
            st = stat_of(pid)
            if st is None:
                continue
            if st[0] == "Z":
                if st[1] == daemon:
                    found[pid] = (st[0], st[1], "")
                continue
            env = environ_of(pid)
            if env.get("SOAK_RUN") != self.run_id:
                continue
            found[pid] = (st[0], st[1], env.get("SOAK_KIND", "main"))
        return found

    def fd_count(self):
        try:
            return len(os.listdir("/proc/%d/fd" % self.proc.pid))
        except OSError:
            return 0

    def cpu_percent(self):
        """The daemon's CPU use since the previous call, in % of one core."""
        raw = read_proc(self.proc.pid, "stat")
        if raw is None:
            return 0.0
        fields = raw.rsplit(b")", 1)[1].split()
        ticks = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        now = time.time()
        last = getattr(self, "_cpu_last", None)
        self._cpu_last = (now, ticks)
        self.cpu_max = max(getattr(self, "cpu_max", 0.0), 0.0)
        if last is None or now <= last[0]:
            return 0.0
        percent = 100.0 * (ticks - last[1]) / (now - last[0])
        self.cpu_max = max(self.cpu_max, percent)
        return percent

    def rss_kb(self):
        raw = read_proc(self.proc.pid, "status") or b""
        m = re.search(rb"VmRSS:\s+(\d+)", raw)
        return int(m.group(1)) if m else 0

    # -- chaos threads ---------------------------------------------------------------------

    def hold_if_paused(self, me):
        if not self.pause_event.is_set():
            return
        with self.idle_lock:
            self.idle[me] += 1
        while self.pause_event.is_set() and not self.stop_event.is_set():
            time.sleep(0.05)
        with self.idle_lock:
            self.idle[me] -= 1

    def pause(self):
        """Chaos threads finish their current step and hold still."""
        self.pause_event.set()
        deadline = time.time() + 180
        while time.time() < deadline:
            with self.idle_lock:
                if sum(self.idle.values()) >= len(self.threads):
                    return
            time.sleep(0.05)
        self.figures.violation("chaos threads did not pause within 180 s (a call hangs?)")

    def resume(self):
        self.pause_event.clear()

    def chaos(self, me, step, period):
        def loop():
            rng = random.Random(hash((self.args.seed, me)))
            while not self.stop_event.wait(rng.uniform(*period)):
                self.hold_if_paused(me)
                if self.stop_event.is_set():
                    break
                try:
                    step(rng)
                except Exception as e:  # a bug in the soak itself: make it loud
                    self.figures.violation("soak thread %s raised %r" % (me, e))
        thread = threading.Thread(target=loop, name=me, daemon=True)
        self.threads.append(thread)

    def killer_step(self, rng):
        procs = self.ours()
        candidates = []
        for pid, (state, ppid, kind) in procs.items():
            if state == "Z":
                continue
            if ppid == self.proc.pid:
                if kind == "holder":
                    continue  # the holder of a process group: its grandchildren would orphan
                candidates.append((pid, "children"))
            else:
                candidates.append((pid, "grandchildren"))
        if not candidates:
            return
        pid, what = rng.choice(candidates)
        try:
            os.kill(pid, signal.SIGKILL)
            self.figures.add("kill -9 " + what)
        except ProcessLookupError:
            pass

    def rpc_step_factory(self):
        proxy = {"p": None}

        def step(rng):
            if proxy["p"] is None:
                proxy["p"] = self.rpc(60)
            p = proxy["p"]
            name = rng.choice(self.names + ["extra_0", "extra_1", "extra_2"])
            action = rng.choice(["start", "stop", "restart", "info", "all", "start_wait", "stop_wait",
                                 "group"])
            try:
                if action == "start":
                    p.supervisor.startProcess(name, False)
                elif action == "start_wait":
                    p.supervisor.startProcess(name, True)
                elif action == "stop":
                    p.supervisor.stopProcess(name, False)
                elif action == "stop_wait":
                    p.supervisor.stopProcess(name, True)
                elif action == "restart":  # supervisorctl's restart: stop, then start
                    try:
                        self.figures.add("api calls")
                        p.supervisor.stopProcess(name, True)
                    except xmlrpc.client.Fault:
                        self.figures.add("api faults (expected)")
                    p.supervisor.startProcess(name, False)
                elif action == "info":
                    p.supervisor.getProcessInfo(name)
                elif action == "group":
                    p.supervisor.startProcessGroup(name, False)
                else:
                    p.supervisor.getAllProcessInfo()
                self.figures.add("api calls")
            except xmlrpc.client.Fault:
                self.figures.add("api calls")
                self.figures.add("api faults (expected)")
            except socket.timeout:
                self.figures.add("api calls")
                self.figures.violation("XML-RPC %s %s: no answer within 60 s" % (action, name))
                proxy["p"] = None
            except (OSError, xmlrpc.client.ProtocolError, http.client.HTTPException) as e:
                # Refused or cut by a SIGHUP restart (the socket is closed, then reopened).
                self.figures.add("api calls refused during restarts")
                proxy["p"] = None
        return step

    def ctl_step(self, rng):
        choice = rng.random()
        if choice < 0.5:
            self.ctl("status")
        elif choice < 0.8:
            self.ctl("restart", rng.choice(self.names))
        else:
            self.ctl("update")

    def liveness_step(self, rng):
        name = rng.choice(self.mix.liveness)
        path = os.path.join(self.tmp, "alive", name)
        if os.path.exists(path):
            os.unlink(path)
            self.figures.add("liveness files removed")
        else:
            open(path, "w").close()

    def reload_step(self, rng):
        """A new config, applied by SIGHUP or by supervisorctl update, in turns."""
        variant = self.variant + 1
        self.mix = self.write_config(variant)
        self.names = sorted(self.mix.kinds)
        if variant % 2:
            self.proc.send_signal(signal.SIGHUP)
            self.figures.add("SIGHUPs")
            self.generations += 1
            time.sleep(1)
            self.wait_running(120, "SIGHUP")
        else:
            self.ctl("reread")
            done = self.ctl("update")
            self.figures.add("config updates")
            if done is not None and done.returncode != 0:
                self.figures.violation("supervisorctl update failed: " + (done.stdout + done.stderr)[-300:])

    # -- invariants -------------------------------------------------------------------------

    def check(self, quiet=False):
        if not self.daemon_alive():
            self.figures.violation("the daemon died: exit status %s" % self.proc.returncode)
            return False
        asked = time.time()
        try:
            self.rpc(10).supervisor.getState()
            self.figures.add("api calls")
            self.unanswered_since = None
            self.slowest_answer = max(getattr(self, "slowest_answer", 0.0), time.time() - asked)
        except xmlrpc.client.Fault:  # SHUTDOWN_STATE while stopping for a restart: an answer
            self.figures.add("api calls")
            self.unanswered_since = None
        except (OSError, xmlrpc.client.Error, http.client.HTTPException):
            now = time.time()
            if self.unanswered_since is None:
                self.unanswered_since = now - CHECK_EVERY / 2
            self.unanswered_max = max(getattr(self, "unanswered_max", 0.0), now - self.unanswered_since)
            if now - self.unanswered_since > ANSWER_DEADLINE:
                self.figures.violation("getState unanswered for %.0f s" % (now - self.unanswered_since))
                self.unanswered_since = now
        procs = self.ours()
        zombies = {pid for pid, (state, ppid, _) in procs.items() if state == "Z" and ppid == self.proc.pid}
        for pid in zombies & set(self.zombie_seen):
            self.figures.violation("zombie child %d not reaped for %.0f s" % (pid, time.time() - self.zombie_seen[pid]))
        now = time.time()
        self.zombie_seen = {pid: self.zombie_seen.get(pid, now) for pid in zombies}
        fds = self.fd_count()
        rss = self.rss_kb()
        self.fd_max = max(self.fd_max, fds)
        self.rss_max = max(self.rss_max, rss)
        # Per live descendant at most 3 pipe ends (an orphan keeps its parent's
        # pipes open), per program 2 log files, plus the daemon's own.
        bound = 64 + 3 * len(procs) + 2 * len(self.mix.kinds) + 16
        if fds > bound:
            self.figures.violation("daemon holds %d fds, more than %d for %d live processes" % (fds, bound, len(procs)))
        cpu = self.cpu_percent()
        if not quiet:
            LAST_OUTPUT[0] = time.time()
            print("%6.0fs  procs %4d  fds %4d  rss %6d kB  cpu %3.0f%%  load %4s  kills %5d  api %6d  sighup %d" % (
                time.time() - START, len(procs), fds, rss, cpu, os.getloadavg()[0],
                self.figures.counts["kill -9 children"] + self.figures.counts["kill -9 grandchildren"],
                self.figures.counts["api calls"], self.figures.counts["SIGHUPs"]), flush=True)
        return True

    def stop_all(self, label):
        try:
            self.rpc(300).supervisor.stopAllProcesses(True)
            self.figures.add("api calls")
        except (OSError, xmlrpc.client.Error, http.client.HTTPException) as e:
            self.figures.violation("stopAllProcesses (%s): %r" % (label, e))

    def quiescent(self, label):
        """Everything stopped (orphans removed): (fds, rss) of the daemon.

        A program that starts again after stopAll is a violation (named once); the
        soak then stops it again and waits for a longer quiet spell, so that the
        fd and memory figures still compare like with like."""
        self.say("%s: stopAllProcesses" % label)
        self.stop_all(label)
        restarted = set()
        quiet_since = time.time()
        deadline = time.time() + 90
        while time.time() - quiet_since < (20 if restarted else 3):
            time.sleep(0.5)
            info = self.rpc(30).supervisor.getAllProcessInfo()
            self.figures.add("api calls")
            running = [i["name"] for i in info if i["statename"] not in ("STOPPED", "EXITED", "FATAL")]
            if not running:
                continue
            spawned = self.spawned_pids()
            for i in info:
                if i["name"] in running and i["name"] not in restarted:
                    restarted.add(i["name"])
                    self.figures.violation("%s: %s is %s after stopAllProcesses returned: %s" % (
                        label, i["name"], i["statename"], self.describe(i["pid"], spawned) if i["pid"] else ""))
            if time.time() > deadline:
                self.figures.violation("%s: still not all stopped 90 s after stopAll: %s" % (label, running[:10]))
                break
            self.stop_all(label)
            quiet_since = time.time()
        self.sweep_leftovers(label, count=(label == "end"))
        time.sleep(1.5)  # the daemon reads the last EOFs
        with open(os.path.join(self.tmp, "fds-%s.txt" % label), "w") as f:
            for fd in sorted(os.listdir("/proc/%d/fd" % self.proc.pid), key=int):
                try:
                    f.write("%s %s\n" % (fd, os.readlink("/proc/%d/fd/%s" % (self.proc.pid, fd))))
                except OSError:
                    pass
        return self.fd_count(), self.rss_kb()

    def sweep_leftovers(self, label, count):
        """Removes what may legitimately outlive its parent; anything else left is a violation."""
        spawned = self.spawned_pids()
        for pid, (state, ppid, kind) in self.ours().items():
            if state == "Z":
                self.figures.violation("%s: zombie child %d" % (label, pid))
                continue
            if kind in ("main", "holder"):
                self.figures.violation("%s: %s alive after stopAll" % (label, self.describe(pid, spawned)))
            elif kind == "group":
                self.figures.violation("%s: process-group grandchild %d alive after stopAll" % (label, pid))
            elif count:
                self.figures.add("orphans left by design (setsid or no *asgroup)")
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def spawned_pids(self):
        """pid -> program name, from the main log (the latest spawn of a reused pid wins)."""
        return {int(pid): name for name, pid in re.findall(r"spawned: '([^']+)' with pid (\d+)", self.log())}

    def describe(self, pid, spawned):
        """Which process this is, and what the main log says about its program lately."""
        cmd = (read_proc(pid, "cmdline") or b"").replace(b"\0", b" ").decode(errors="replace")[:70]
        name = spawned.get(pid)
        if name is None:
            return "process %d (%s; not in a spawned: line, a probe or hook?)" % (pid, cmd)
        history = [line[11:] for line in self.log().splitlines() if re.search(r"\b%s\b" % re.escape(name), line)]
        return "%s pid %d (%s); its last log lines: %s" % (name, pid, cmd, " | ".join(history[-4:]))

    # -- final checks ---------------------------------------------------------------------------

    def check_numbered(self):
        for name in self.mix.numbered:
            files = glob.glob(os.path.join(self.tmp, "logs", name + ".log*"))

            def age(path):
                suffix = path.rsplit(".log", 1)[1]
                return -int(suffix[1:]) if suffix else 0
            text = b"".join(open(p, "rb").read() for p in sorted(files, key=age))
            seqs = collections.defaultdict(list)
            bad = 0
            for line in text.split(b"\n")[:-1]:
                parts = line.split()
                if len(parts) != 2 or not all(p.isdigit() for p in parts):
                    bad += 1
                    continue
                seqs[int(parts[0])].append(int(parts[1]))
            if bad:
                self.figures.violation("%s: %d malformed lines in its log" % (name, bad))
            lost = 0
            for pid, numbers in seqs.items():
                if numbers != list(range(len(numbers))):
                    missing = (max(numbers) + 1) - len(set(numbers))
                    self.figures.violation("%s: pid %d: lines out of order or missing (%d missing, %d dup)" % (
                        name, pid, missing, len(numbers) - len(set(numbers))))
                    lost += missing
            finals = {}
            try:
                for line in open(os.path.join(self.tmp, "final", name)):
                    pid, last = map(int, line.split())
                    finals[pid] = last
            except FileNotFoundError:
                pass
            for pid, last in finals.items():
                got = len(seqs.get(pid, []))
                if got < last + 1:
                    self.figures.violation("%s: pid %d wrote %d lines before its TERM, the log has %d" % (
                        name, pid, last + 1, got))
                    lost += last + 1 - got
            self.figures.add("numbered lines checked", sum(len(v) for v in seqs.values()))
            self.figures.add("numbered writers stopped by TERM and checked to the end", len(finals))
            self.figures.add("numbered lines lost", lost)

    def check_full_disk(self):
        if not self.tmpfs:
            return
        st = os.statvfs(self.fulldir)
        full = st.f_bavail * st.f_frsize < 256 * 1024
        log = self.log()
        for name in self.mix.flooders:
            n = len(re.findall(r"could not write to log file %s/%s\.log" % (re.escape(self.fulldir), name), log))
            self.figures.add("disk-full errors logged", n)
            if full and n == 0:
                self.figures.violation("%s: the disk filled up and the daemon never said so" % name)
            if n > self.generations:
                self.figures.violation("%s: disk-full logged %d times in %d daemon generations" % (
                    name, n, self.generations))
        if not full:
            self.figures.violation("the flood tmpfs never filled up (flooders not running?)")

    # -- the run -------------------------------------------------------------------------------

    def say(self, text):
        LAST_OUTPUT[0] = time.time()
        print("%6.0fs  %s" % (time.time() - START, text), flush=True)

    def phase(self, text):
        self.current_phase = text
        self.say(text)

    def heartbeat(self):
        while True:
            time.sleep(5)
            if time.time() - LAST_OUTPUT[0] >= 55:
                self.say("still: %s" % self.current_phase)

    def run(self):
        args = self.args
        if args.minutes:
            # The warm-up (40 s at most) also waits for a SIGHUP restart and a quiescent
            # point (~60 s).
            fits = max(30.0, args.minutes * 60 - (time.time() - START) - 40 - 60 - END_RESERVE)
            if args.duration is None:
                args.duration = fits
            elif fits < args.duration:
                self.say("the %g min bound leaves %.0f s of chaos, not %.0f" % (args.minutes, fits, args.duration))
                args.duration = fits
        elif args.duration is None:
            args.duration = 120.0
        warm_up = min(40.0, max(10.0, args.duration / 5.0))
        self.current_phase = "start"
        threading.Thread(target=self.heartbeat, name="heartbeat", daemon=True).start()
        self.say("soak: %d s (+ warm-up), %d programs, seed %d, in %s%s" % (
            args.duration, len(self.names), args.seed, self.tmp,
            ", bound %g min" % args.minutes if args.minutes else ""))
        self.start_daemon()
        self.chaos("killer", self.killer_step, (0.1, 0.4))
        for i in range(3):
            self.chaos("rpc%d" % i, self.rpc_step_factory(), (0.0, 0.15))
        self.chaos("ctl", self.ctl_step, (0.5, 2.0))
        self.chaos("liveness", self.liveness_step, (2.0, 6.0))
        # A SIGHUP stops the groups one by one as Supervisor does (the TERM-ignorers wait
        # their stopwaitsecs in turn): about 25 s with 240 programs. Leave time between.
        reload_period = max(30.0, args.duration / 10.0)
        self.chaos("reload", self.reload_step, (reload_period * 0.8, reload_period * 1.2))
        reload_thread = self.threads.pop()  # started after warm-up

        for t in self.threads:
            t.start()
        self.current_phase = "warm-up"
        self.tick_until(time.time() + warm_up)
        # Warm-up ends with a SIGHUP (same config) so both restart paths have run once.
        self.phase("warm-up SIGHUP")
        self.proc.send_signal(signal.SIGHUP)
        self.generations += 1
        self.figures.add("SIGHUPs")
        time.sleep(1)
        self.wait_running(120, "warm-up SIGHUP")
        self.tick_until(time.time() + 5)
        self.phase("pausing the chaos for the warm-up quiescent point")
        self.pause()
        fds_warm, rss_warm = self.quiescent("warm-up")
        self.say("warm-up quiescent point: fds %d, rss %d kB" % (fds_warm, rss_warm))
        self.rpc(60).supervisor.startAllProcesses(False)
        self.figures.add("api calls")
        self.resume()
        self.threads.append(reload_thread)
        reload_thread.start()

        chaos_start = time.time()
        self.current_phase = "chaos"
        self.tick_until(chaos_start + args.duration)
        chaos_seconds = time.time() - chaos_start
        self.phase("chaos over; waiting for the threads")
        self.stop_event.set()
        for t in self.threads:
            t.join(300)
            if t.is_alive():
                self.figures.violation("chaos thread %s still busy 300 s after the end" % t.name)
        # The same program set as at the warm-up point, through the update path.
        if self.daemon_alive():
            self.mix = self.write_config(0)
            self.names = sorted(self.mix.kinds)
            self.ctl("update")
            time.sleep(2)
            self.phase("end quiescent point")
            fds_end, rss_end = self.quiescent("end")
            self.check(quiet=True)
        else:
            fds_end = rss_end = 0
        self.phase("shutdown")
        exit_status = self.shutdown()
        self.phase("checking the logs")
        self.check_numbered()
        self.check_full_disk()
        return self.report(fds_warm, rss_warm, fds_end, rss_end, exit_status, warm_up, chaos_seconds)

    def tick_until(self, deadline):
        while time.time() < deadline:
            if not self.check():
                return
            time.sleep(CHECK_EVERY)

    def shutdown(self):
        if not self.daemon_alive():
            return self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            status = self.proc.wait(120)
        except subprocess.TimeoutExpired:
            self.figures.violation("the daemon did not exit within 120 s of SIGTERM")
            self.proc.kill()
            status = self.proc.wait()
        if status != 0:
            self.figures.violation("the daemon exited with status %s" % status)
        time.sleep(0.5)
        spawned = self.spawned_pids()
        for pid, (state, ppid, kind) in self.ours().items():
            if kind in ("main", "holder"):
                self.figures.violation("after shutdown: " + self.describe(pid, spawned))
            elif kind == "group":
                self.figures.violation("after shutdown: process-group grandchild %d alive" % pid)
            else:
                self.figures.add("orphans left by design (setsid or no *asgroup)")
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.figures.add("spawns seen", len(spawned))
        return status

    def report(self, fds_warm, rss_warm, fds_end, rss_end, exit_status, warm_up, chaos_seconds):
        c = self.figures.counts
        log = self.log()
        exits = len(re.findall(r"\bexited: ", log))
        if fds_end > fds_warm + 4:
            self.figures.violation("fd leak: %d fds at the end vs %d after warm-up (all stopped, same programs)"
                                   % (fds_end, fds_warm))
        if rss_end > rss_warm * 1.2 + 2048:
            self.figures.violation("memory growth: VmRSS %d kB at the end vs %d kB after warm-up" % (rss_end, rss_warm))
        restarts = []
        hup = None
        for line in log.splitlines():
            if "indicating restart request" in line and hup is None:
                hup = line[:23]
            elif "supervisord started with pid" in line and hup is not None:
                parse = lambda s: time.mktime(time.strptime(s[:19], "%Y-%m-%d %H:%M:%S")) + int(s[20:23]) / 1000
                restarts.append(parse(line[:23]) - parse(hup))
                hup = None
        lines = [
            ("date", time.strftime("%Y-%m-%d %H:%M:%S")),
            ("duration", "%.0f s of chaos after %.0f s of warm-up (%.0f s in all)" % (
                chaos_seconds, warm_up, time.time() - START)),
            ("programs", "%d (%d spawns)" % (len(self.names), c["spawns seen"])),
            ("kill -9 injected", "%d children, %d grandchildren" % (c["kill -9 children"], c["kill -9 grandchildren"])),
            ("exits observed", "%d (\"exited:\" in the main log)" % exits),
            ("XML-RPC calls", "%d (%d expected faults, %d refused during restarts)" % (
                c["api calls"], c["api faults (expected)"], c["api calls refused during restarts"])),
            ("supervisorctl runs", "%d" % c["supervisorctl runs"]),
            ("SIGHUP reloads", "%d (stop all + start again: %.1f s max); supervisorctl updates %d" % (
                c["SIGHUPs"], max(restarts or [0]), c["config updates"])),
            ("liveness files removed", "%d" % c["liveness files removed"]),
            ("numbered lines", "%d checked, %d lost; %d writers checked to their last line" % (
                c["numbered lines checked"], c["numbered lines lost"],
                c["numbered writers stopped by TERM and checked to the end"])),
            ("disk-full", "%d errors logged (%d flooders, %d daemon generations)" % (
                c["disk-full errors logged"], len(self.mix.flooders), self.generations) if self.tmpfs else "skipped"),
            ("orphans by design", "%d (setsid'd or non-group grandchildren, removed by the soak)" %
             c["orphans left by design (setsid or no *asgroup)"]),
            ("daemon RSS", "%d kB after warm-up, %d kB at the end, %d kB max" % (rss_warm, rss_end, self.rss_max)),
            ("daemon fds", "%d after warm-up, %d at the end (all stopped), %d max" % (fds_warm, fds_end, self.fd_max)),
            ("daemon answers", "first getState %.1f s after exec, slowest %.1f s; longest stretch without an "
             "answer %.0f s (deadline %.0f s); max CPU %.0f%% of a core" % (
                 getattr(self, "first_answer", 0), getattr(self, "slowest_answer", 0),
                 getattr(self, "unanswered_max", 0), ANSWER_DEADLINE,
                 getattr(self, "cpu_max", 0))),
            ("daemon exit status", "%s" % exit_status),
            ("invariant violations", "%d" % len(self.figures.violations)),
        ]
        print("\n== soak figures ==")
        for key, value in lines:
            print("%-24s %s" % (key, value))
        for v in self.figures.violations:
            print("  " + v)
        return 1 if self.figures.violations else 0

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for pid in self.ours():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.tmpfs:
            subprocess.call(["umount", "-l", self.fulldir])
        if not self.args.keep and not self.figures.violations:
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print("kept " + self.tmp)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=float(os.environ["SOAK_SECONDS"]) if "SOAK_SECONDS" in
                        os.environ else None, help="seconds of chaos (default: what --minutes leaves, else 120)")
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", 0)),
                        help="bound on the whole run (0: none)")
    parser.add_argument("--children", type=int, default=int(os.environ.get("SOAK_CHILDREN", 240)))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SOAK_SEED", 1)))
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    if args.minutes:
        def bound_reached(signum, frame):
            raise BoundReached()
        signal.signal(signal.SIGALRM, bound_reached)
        # The cleanup (kill -9 of the daemon and everything marked) takes seconds.
        signal.alarm(max(1, int(args.minutes * 60 - (time.time() - START) - 20)))
    soak = Soak(args)
    try:
        status = soak.run()
    except BoundReached:
        soak.stop_event.set()
        c = soak.figures.counts
        print("\n== soak stopped at the %g min bound, during: %s (%.0f s in all) ==" % (
            args.minutes, getattr(soak, "current_phase", "start"), time.time() - START))
        print("the end checks did not run; so far: %d kill -9, %d XML-RPC calls, %d supervisorctl runs, "
              "%d SIGHUPs, %d config updates" % (
                  c["kill -9 children"] + c["kill -9 grandchildren"], c["api calls"], c["supervisorctl runs"],
                  c["SIGHUPs"], c["config updates"]))
        for v in soak.figures.violations:
            print("  " + v)
        print("invariant violations so far: %d" % len(soak.figures.violations))
        status = 1 if soak.figures.violations else 0
    finally:
        signal.alarm(0)
        soak.cleanup()
    sys.exit(status)


if __name__ == "__main__":
    main()
