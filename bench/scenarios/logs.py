"""logs: a child writes to stdout, supervisord writes it to stdout_logfile (no rotation).

Two writers: log_chunk_total bytes in 1 MiB write()s, and log_lines_total bytes in 100-byte
write()s (one line each). The writer blocks on a "go" fifo until the bench has sampled the
daemon's CPU time, so only the copying is measured: from go until the log file holds every
byte (its size checked every 2 ms: the file is polled, not the daemon). Figures: MiB/s; that
as a percentage of the ceiling `writer | cat > file` measured right before on the same machine;
the daemon's on-CPU ms per MiB; bytes lost (expected size - final size; must be 0).
"""
import os
import subprocess
import time

import proc_stats
from figures import Figure, Unavailable

NAME = "logs"
STALL_SECONDS = 10   # no growth for this long after the writer is done: stop waiting


def figures(sizes):
    result = []
    for key, label in _cases(sizes):
        result += [Figure(key + "_mibs", "log %s: throughput" % label, "MiB/s", "higher"),
                   Figure(key + "_ceiling_pct", "log %s: %% of `| cat > file`" % label, "%", "higher"),
                   Figure(key + "_cpu_ms_per_mib", "log %s: daemon CPU per MiB" % label, "ms/MiB"),
                   Figure(key + "_lost", "log %s: bytes lost" % label, "B", digits=0)]
    return result


def _cases(sizes):
    return [("chunks", "%d MiB in 1 MiB writes" % (sizes.log_chunk_total >> 20)),
            ("lines", "%d MiB in 100-byte lines" % round(sizes.log_lines_total / 2**20))]


def run(session, side):
    sizes = session.sizes
    result = {}
    for (key, _), total, chunk in zip(_cases(sizes), (sizes.log_chunk_total, sizes.log_lines_total),
                                      (sizes.log_chunk, sizes.log_line)):
        ceiling = _ceiling_mibs(session, total, chunk)
        mibs, cpu_ms, lost = _through_daemon(session, side, key, total, chunk)
        session.cleanup()
        result[key + "_mibs"] = mibs
        result[key + "_ceiling_pct"] = 100 * mibs / ceiling
        result[key + "_cpu_ms_per_mib"] = cpu_ms / (total / 2**20)
        result[key + "_lost"] = lost
    return result


def _ceiling_mibs(session, total, chunk):
    """The same writer, released the same way, into `cat > file`: the copy cost with no daemon."""
    target = os.path.join(session.work_dir, "ceiling.out")
    go = os.path.join(session.work_dir, "ceiling.go")
    os.mkfifo(go, 0o600)
    pipeline = subprocess.Popen(["sh", "-c", '"$0" "$1" "$2" "$3" | cat > "$4"',
                                 session.child_programs.writer, str(total), str(chunk), go, target])
    try:
        time.sleep(0.2)  # let the pipeline start: the writer blocks on the go fifo meanwhile
        started = time.monotonic_ns()
        with open(go, "wb"):
            pass
        size = _wait_for_size(target, total, lambda: True)
        elapsed = (time.monotonic_ns() - started) / 1e9
        pipeline.wait(60)
    finally:
        if pipeline.poll() is None:
            pipeline.kill()
            pipeline.wait()
        os.unlink(go)
    os.unlink(target)
    if size != total:
        raise RuntimeError("ceiling pipeline wrote %d of %d bytes" % (size, total))
    return total / 2**20 / elapsed


def _wait_for_size(path, total, still_running):
    """Polls the file's size every 2 ms until it reaches total or stops growing for
    STALL_SECONDS; returns the last size seen."""
    size, last_growth = 0, time.monotonic()
    while size < total:
        time.sleep(0.002)
        try:
            current = os.path.getsize(path)
        except FileNotFoundError:
            current = 0
        if current != size:
            size, last_growth = current, time.monotonic()
        elif time.monotonic() - last_growth > STALL_SECONDS:
            break
        still_running()
    return size


def _through_daemon(session, side, key, total, chunk):
    fifo = session.fifo()
    go = fifo.path + ".go"
    os.mkfifo(go, 0o600)
    writer = session.child_programs.writer
    programs = ("[program:writer]\ncommand=%s %s writer %s %d %d %s\nstartsecs=0\nautorestart=false\n"
                "stdout_logfile=%%(here)s/writer.log\nstdout_logfile_maxbytes=0\n"
                % (session.child_programs.stamp, fifo.path, writer, total, chunk, go))
    daemon = session.daemon(side, "logs-" + key, programs).start()
    daemon.wait_for_execs(fifo, 1)
    time.sleep(session.sizes.settle_seconds)
    log_path = os.path.join(daemon.dir, "writer.log")

    def still_running():
        if not daemon.running():
            raise Unavailable(daemon.exit_description())
    cpu_before = proc_stats.cpu_seconds(daemon.pid)
    started = time.monotonic_ns()
    # Opening the write end releases the writer, which is blocked opening the read end.
    with open(go, "wb"):
        pass
    size = _wait_for_size(log_path, total, still_running)
    elapsed = (time.monotonic_ns() - started) / 1e9
    cpu_ms = (proc_stats.cpu_seconds(daemon.pid) - cpu_before) * 1000
    if size < total:
        elapsed -= STALL_SECONDS
    return total / 2**20 / elapsed, cpu_ms, total - size
