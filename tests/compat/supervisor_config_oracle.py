#!/usr/bin/python3
"""Loads a supervisord.conf with Python Supervisor 4.2.5's own parser (Debian's
`supervisor` package) and prints it as JSON in the shape of
`supervisord --dump-config`, so the two can be compared field by field.

Exit status 0 with JSON on stdout, or 1 with Supervisor's error on stderr.
Usage: supervisor_config_oracle.py FILE
"""
import json
import os
import socket
import sys

from supervisor import datatypes
from supervisor.options import ServerOptions


def logfile(value):
    if value is datatypes.Automatic:
        return "AUTO"
    return value


def autorestart(value):
    if value is datatypes.RestartUnconditionally:
        return "true"
    if value is datatypes.RestartWhenExitUnexpected:
        return "unexpected"
    return "false"


def process(p):
    out = {
        "name": p.name, "command": p.command, "directory": p.directory, "umask": p.umask,
        "priority": p.priority, "autostart": p.autostart, "autorestart": autorestart(p.autorestart),
        "startsecs": p.startsecs, "startretries": p.startretries, "uid": p.uid,
        "stopsignal": int(p.stopsignal), "stopwaitsecs": p.stopwaitsecs, "stopasgroup": p.stopasgroup,
        "killasgroup": p.killasgroup, "exitcodes": list(p.exitcodes), "redirect_stderr": p.redirect_stderr,
        "environment": p.environment or {}, "serverurl": p.serverurl,
    }
    for channel in ("stdout", "stderr"):
        out[channel + "_logfile"] = logfile(getattr(p, channel + "_logfile"))
        for key in ("logfile_maxbytes", "logfile_backups", "capture_maxbytes", "events_enabled", "syslog"):
            out[channel + "_" + key] = getattr(p, channel + "_" + key)
    return out


def group(g):
    from supervisor.options import EventListenerPoolConfig, FastCGIGroupConfig
    kind = "program"
    if isinstance(g, EventListenerPoolConfig):
        kind = "eventlistener"
    elif isinstance(g, FastCGIGroupConfig):
        kind = "fcgi-program"
    # Python has one class for [program:x] and [group:x] groups: both are "program" here,
    # and the comparison treats our "group" as "program".
    out = {"name": g.name, "priority": g.priority, "kind": kind,
           "processes": [process(p) for p in g.process_configs]}
    if kind == "eventlistener":
        from supervisor.events import getEventNameByType
        out["buffer_size"] = g.buffer_size
        out["events"] = sorted(getEventNameByType(e) for e in g.pool_events)
    if kind == "fcgi-program":
        out["socket"] = g.socket_config.url
    return out


def main():
    path = sys.argv[1]
    options = ServerOptions()
    options.stderr = sys.stderr
    try:
        options.realize(args=["-c", path])
    except SystemExit as e:
        sys.exit(1)
    s = options.configroot.supervisord
    servers = []
    for c in options.server_configs:
        if c["family"] == socket.AF_UNIX:
            servers.append({"family": "unix", "file": c["file"], "chmod": c["chmod"],
                            "chown": list(c["chown"]), "username": c["username"], "password": c["password"]})
        else:
            servers.append({"family": "inet", "host": c["host"], "port": c["port"],
                            "username": c["username"], "password": c["password"]})
    out = {
        "supervisord": {
            "logfile": options.logfile, "logfile_maxbytes": options.logfile_maxbytes,
            "logfile_backups": options.logfile_backups, "loglevel": options.loglevel,
            "pidfile": options.pidfile, "umask": options.umask, "nodaemon": bool(options.nodaemon),
            "silent": bool(options.silent), "minfds": options.minfds, "minprocs": options.minprocs,
            "nocleanup": bool(options.nocleanup), "childlogdir": options.childlogdir, "user": options.user,
            "directory": options.directory, "strip_ansi": bool(options.strip_ansi),
            "environment": s.environment, "identifier": options.identifier,
        },
        "servers": servers,
        "serverurl": options.serverurl,
        "groups": [group(g) for g in options.process_group_configs],
    }
    json.dump(out, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
