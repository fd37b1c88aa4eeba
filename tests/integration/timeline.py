"""Timeline: the shared role log that role_program.py, role_hook.py, the example's hooks and
the tests append to, and the checks over it (never two primaries at once). Part of
cluster_harness.py's pieces."""
import collections
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "cluster_programs"))
from role_hook import append_event  # noqa: E402


Event = collections.namedtuple("Event", "time node event detail")

# A node is primary from its "primary" line until the next of these.
ROLE_ENDS = ("replica", "stopped", "killed", "fenced", "crashed")
ROLE_EVENTS = ("primary",) + ROLE_ENDS


class Timeline:
    """The shared role log: lines "<monotonic seconds> <node> <event> [detail]" appended by
    role_program.py, role_hook.py and the test (mark()). Stamps are CLOCK_MONOTONIC, which is
    machine-wide on Linux, so lines from every process compare. Reads the file afresh on
    every call; events with equal stamps keep file order."""

    def __init__(self, path):
        self.path = path
        open(path, "a").close()

    def mark(self, node, event, detail=""):
        """Appends a line of the test's own (e.g. mark("n1", "killed"))."""
        append_event(self.path, node, event, detail)

    def events(self):
        result = []
        with open(self.path, errors="replace") as f:
            for line in f:
                parts = line.rstrip("\n").split(" ", 3)
                if len(parts) < 3:
                    continue
                try:
                    stamp = float(parts[0])
                except ValueError:
                    continue
                result.append(Event(stamp, parts[1], parts[2], parts[3] if len(parts) > 3 else ""))
        result.sort(key=lambda e: e.time)  # stable: file order among equal stamps
        return result

    def role_changes(self, node):
        """[(time, event, detail)] of node's role lines (primary, replica, stopped, ...)."""
        return [(e.time, e.event, e.detail) for e in self.events() if e.node == node and e.event in ROLE_EVENTS]

    def primary_intervals(self, events=None):
        """{node: [(start, end)]}: when each node was primary; end is None while it still is."""
        intervals = collections.defaultdict(list)
        since = {}
        for e in self.events() if events is None else events:
            if e.event == "primary" and e.node not in since:
                since[e.node] = e.time
            elif e.event in ROLE_ENDS and e.node in since:
                intervals[e.node].append((since.pop(e.node), e.time))
        for node, start in since.items():
            intervals[node].append((start, None))
        return dict(intervals)

    def primaries_at_any_time(self):
        """The replay: [(time, (primaries...))] after every role change, in time order."""
        current = set()
        result = []
        for e in self.events():
            if e.event == "primary":
                current.add(e.node)
            elif e.event in ROLE_ENDS:
                current.discard(e.node)
            else:
                continue
            result.append((e.time, tuple(sorted(current))))
        return result

    def overlaps(self):
        """[((node_a, start, end), (node_b, start, end))] for every pair of primary intervals
        of different nodes that share a moment (touching ends do not count)."""
        intervals = self.primary_intervals()
        flat = sorted((start, float("inf") if end is None else end, node)
                      for node, spans in intervals.items() for start, end in spans)
        found = []
        for i, (start_a, end_a, node_a) in enumerate(flat):
            for start_b, end_b, node_b in flat[i + 1:]:
                if start_b >= end_a:
                    break
                if node_a != node_b:
                    found.append(((node_a, start_a, end_a), (node_b, start_b, end_b)))
        return found

    def current_primaries(self):
        return sorted(node for node, spans in self.primary_intervals().items() if spans[-1][1] is None)

    def current_primary(self):
        """The node that is primary now, or None; fails when two are."""
        primaries = self.current_primaries()
        if len(primaries) > 1:
            raise AssertionError("%d primaries at once: %s\n%s" % (len(primaries), primaries, self.dump()))
        return primaries[0] if primaries else None

    def wait_for_primary(self, node=None, timeout=30):
        """Waits until exactly one node is primary (`node`, if given); returns it."""
        deadline = time.monotonic() + timeout
        while True:
            primaries = self.current_primaries()
            if len(primaries) == 1 and (node is None or primaries[0] == node):
                return primaries[0]
            if time.monotonic() >= deadline:
                raise AssertionError("no single primary%s after %ss (primaries now: %s)\n%s" % (
                    "" if node is None else " " + node, timeout, primaries or "none", self.dump()))
            time.sleep(0.05)

    def wait_for(self, node, event, detail=None, after=None, timeout=30):
        """Waits for a line of node with this event (and detail prefix), stamped after
        `after` (a monotonic time); returns the Event."""
        deadline = time.monotonic() + timeout
        while True:
            for e in self.events():
                if (e.node == node and e.event == event and (after is None or e.time > after)
                        and (detail is None or e.detail.startswith(detail))):
                    return e
            if time.monotonic() >= deadline:
                raise AssertionError("timeline never showed '%s %s%s'%s after %ss\n%s" % (
                    node, event, "" if detail is None else " " + detail,
                    "" if after is None else " after %.3f" % after, timeout, self.dump()))
            time.sleep(0.05)

    def assert_never_two_primaries(self):
        found = self.overlaps()
        if not found:
            return
        lines = ["two primaries at once, %d overlap(s):" % len(found)]
        origin = self._origin()
        for (node_a, start_a, end_a), (node_b, start_b, end_b) in found:
            lines.append("  %s primary %s  overlaps  %s primary %s  (both for %.3fs)" % (
                node_a, self._span(start_a, end_a, origin), node_b, self._span(start_b, end_b, origin),
                min(end_a, end_b, time.monotonic()) - max(start_a, start_b)))
        raise AssertionError("\n".join(lines) + "\n" + self.dump())

    def _origin(self):
        events = self.events()
        return events[0].time if events else 0.0

    @staticmethod
    def _span(start, end, origin):
        return "[+%.3fs, %s)" % (start - origin, "now" if end == float("inf") else "+%.3fs" % (end - origin))

    def dump(self, last=80):
        """The timeline, times relative to its first line (the last `last` lines)."""
        events = self.events()
        if not events:
            return "(timeline empty)"
        origin = events[0].time
        shown = events[-last:]
        head = ["timeline %s (+seconds since %.3f)%s:" % (
            self.path, origin, "" if len(shown) == len(events) else ", last %d of %d" % (len(shown), len(events)))]
        return "\n".join(head + [("  +%8.3f %-4s %s %s" % (e.time - origin, e.node, e.event, e.detail)).rstrip()
                                 for e in shown])
