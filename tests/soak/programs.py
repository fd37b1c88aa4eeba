"""The soak's program mix: what each kind of child does and its config section.

programs(count, tmp, variant) returns the [program:x] sections for one version of
the configuration. Every process carries SOAK_KIND in its environment (the daemon's
own environment carries SOAK_RUN), so /proc tells the soak what a process is
even after its pid was reused (pid_max may be 32768):
  main         a program's own process (or a probe of it): must be gone after stop
  holder       the main process of a program whose grandchildren are in its
               process group: the killer spares it (they would orphan)
  group        in the process group of a stopasgroup/killasgroup program: must
               die with it (the soak never kill -9s the shell that holds them)
  orphanable   a grandchild Supervisor does not promise to kill (no *asgroup, or
               its parent was kill -9'd): may outlive its parent, ends by itself
  escape       a setsid'd grandchild: outside every group by design, short-lived
Grandchildren get their kind from the shell that forks them.
"""
import random

# Children that are not one-liners (they need signal handlers or byte rates).
NUMBERED_PY = r'''
import os, signal, sys, time
final, pid = sys.argv[1], os.getpid()
state = {"last": -1}
def on_term(*_):
    # The last line whose write(2) returned: every line up to it must be in the log.
    with open(final, "a") as f:
        f.write("%d %d\n" % (pid, state["last"]))
    os._exit(0)
signal.signal(signal.SIGTERM, on_term)
seq = 0
while True:
    os.write(1, b"%d %d\n" % (pid, seq))  # < PIPE_BUF: one atomic write per line
    state["last"] = seq
    seq += 1
    if seq % 20 == 0:
        time.sleep(0.1)  # about 200 lines/s
'''

FLOOD_PY = r'''
import os, time
block = (b"x" * 127 + b"\n") * 256  # 32 KiB
while True:
    os.write(1, block)
    time.sleep(0.015)  # about 2 MB/s
'''


def write_scripts(bin_dir):
    for name, body in (("numbered.py", NUMBERED_PY), ("flood.py", FLOOD_PY)):
        with open("%s/%s" % (bin_dir, name), "w") as f:
            f.write(body)


def section(name, command, kind, **keys):
    lines = ["[program:%s]" % name, "command=%s" % command,
             "environment=SOAK_KIND=\"%s\"" % kind, "redirect_stderr=true"]
    lines += ["%s=%s" % (k, v) for k, v in keys.items()]
    return "\n".join(lines) + "\n\n"


class Mix:
    """The names of each kind, so that the soak knows what it may expect of each."""

    def __init__(self):
        self.kinds = {}      # name -> kind label
        self.numbered = []   # names whose log is checked line by line
        self.flooders = []   # names logging into the full tmpfs
        self.liveness = []   # names with a liveness probe on an alive file
        self.protected = set()  # names whose main process the killer spares (group holders)


def programs(count, tmp, fulldir, variant, seed=1):
    """Sections for `count` programs (about; the fixed kinds come on top of the
    random ones), plus the variant's extra program: variant 0 is the baseline,
    others add extra_<v%3> and change the command of `mutable`."""
    rng = random.Random(seed)
    mix = Mix()
    out = []

    def add(name, kind_label, text, protect=False):
        mix.kinds[name] = kind_label
        if protect:
            mix.protected.add(name)
        out.append(text)

    fixed = 2 + 2 + 3 + 1
    n = max(count - fixed, 10)
    for i in range(n):
        roll = i % 20
        name = "p%03d" % i
        if roll < 10:  # crashers: exit after a random time, some before startsecs
            life = round(rng.uniform(0.3, 30.0), 1)
            code = rng.choice([0, 1, 2, 3])
            add(name, "crash", section(
                name, 'sh -c "SOAK_KIND=orphanable sleep %s; exit %d"' % (life, code), "main",
                startsecs=1, startretries=rng.choice([3, 1000]),
                autorestart=rng.choice(["true", "true", "unexpected"]), stopwaitsecs=2))
        elif roll < 12:  # ignore TERM: killed after stopwaitsecs, as a group
            add(name, "ignore_term", section(
                name, "sh -c \"trap '' TERM; export SOAK_KIND=group; while :; do sleep 1; done\"", "holder",
                stopwaitsecs=1, killasgroup="true", stopasgroup=rng.choice(["true", "false"])),
                protect=True)
        elif roll < 14:  # grandchildren in the group, plus a setsid'd one
            add(name, "fork_group", section(
                name, 'sh -c "export SOAK_KIND=group; sleep 1000 & sleep 1000 & SOAK_KIND=escape setsid sleep 20 & wait"',
                "holder", stopasgroup="true", killasgroup="true", stopwaitsecs=2), protect=True)
        elif roll < 15:  # grandchildren without *asgroup: they may outlive the shell
            add(name, "fork_orphan", section(
                name, 'sh -c "export SOAK_KIND=orphanable; sleep 25 & sleep 25 & wait; exit 1"', "main", stopwaitsecs=2))
        elif roll < 16:  # a bounded fork bomb: 20 sleeps, the whole group killed on stop
            add(name, "fork_bomb", section(
                name, 'sh -c "export SOAK_KIND=group; i=0; while [ $i -lt 20 ]; do sleep 30 & i=$((i+1)); done; wait"',
                "holder", stopasgroup="true", killasgroup="true", stopwaitsecs=2), protect=True)
        elif roll < 18:  # restart policies
            add(name, "policy", section(
                name, 'sh -c "SOAK_KIND=orphanable sleep %s; exit 1"' % round(rng.uniform(0.5, 4.0), 1), "main",
                startsecs=1, startretries=-1, backoff="exponential", backoff_initial=0.5, backoff_max=8,
                backoff_jitter=0.2, restart_budget="6 in 1m", on_budget_spent="fatal", fatal_retry="15s",
                stopwaitsecs=2))
        else:  # steady
            add(name, "steady", section(name, "sleep 100000", "main",
                                        stopsignal=rng.choice(["TERM", "INT", "KILL"]), stopwaitsecs=2))

    for i in range(2):
        name = "numbered%d" % i
        mix.numbered.append(name)
        add(name, "numbered", section(
            name, "python3 -u %s/bin/numbered.py %s/final/%s" % (tmp, tmp, name), "main",
            stdout_logfile="%s/logs/%s.log" % (tmp, name), stdout_logfile_maxbytes="100KB",
            stdout_logfile_backups=200, stopwaitsecs=5))
    for i in range(2):
        name = "flood%d" % i
        mix.flooders.append(name)
        add(name, "flood", section(
            name, "python3 -u %s/bin/flood.py" % tmp, "main",
            stdout_logfile="%s/%s.log" % (fulldir, name), stdout_logfile_maxbytes=0, stopwaitsecs=2))
    for i in range(3):
        name = "live%d" % i
        mix.liveness.append(name)
        add(name, "liveness", section(
            name, "sleep 100000", "main", liveness_probe="exec:test -e %s/alive/%s" % (tmp, name),
            liveness_probe_interval=1, liveness_probe_failures=2, liveness_probe_timeout=2,
            backoff="exponential", backoff_initial=0.5, backoff_max=4, restart_budget="20 in 1m",
            startretries=-1, stopwaitsecs=2))
    add("mutable", "steady", section("mutable", "sleep %d" % (100000 + variant), "main", stopwaitsecs=2))
    if variant:
        name = "extra_%d" % (variant % 3)
        add(name, "steady", section(name, "sleep 100000", "main", stopwaitsecs=2))
    return "".join(out), mix
