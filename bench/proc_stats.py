"""What /proc says about one process: RSS, open fds, CPU time, voluntary context switches.

CPU time is the process's own user+system time (all threads, children excluded); voluntary
context switches are summed over its threads (each one is a sleep the kernel woke it from).
"""
import os

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for pid %d" % pid)


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def cpu_seconds(pid):
    """On-CPU time in seconds (user + system): schedstat's nanoseconds summed over threads,
    or clock ticks from /proc/pid/stat on kernels without schedstat."""
    if os.path.exists("/proc/%d/schedstat" % pid):
        total_ns = 0
        for task in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/schedstat" % (pid, task)) as f:
                    total_ns += int(f.read().split()[0])
            except FileNotFoundError:
                pass
        return total_ns / 1e9
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state): utime is field 14, stime field 15.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def voluntary_switches(pid):
    total = 0
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/status" % (pid, task)) as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches:"):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def thread_count(pid):
    return len(os.listdir("/proc/%d/task" % pid))


def children_of(pid):
    """Pids whose parent is pid (from /proc/*/stat)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found
