"""rpc: the XML-RPC API with N programs running.

- getAllProcessInfo latency: the median of rpc_all_info_calls sequential calls, with the raw
  client (daemon's cost: request in, whole response out) and with xmlrpc.client (plus parsing).
- calls/s: as many calls as answer in rpc_seconds over ONE keep-alive connection, back to back,
  with the raw client and with xmlrpc.client; then the same with rpc_concurrent_clients raw
  clients, each its own process and connection, summed. The clients share the machine's cores
  with the daemon, as real local clients do.
"""
import multiprocessing
import time

import rpc_client
from figures import Figure, Unavailable

NAME = "rpc"
PROCESS = "sleepers:p000"


def figures(sizes):
    n, k = sizes.programs, sizes.rpc_concurrent_clients
    return [Figure("all_info_raw_ms", "getAllProcessInfo (%d), raw client, median" % n, "ms"),
            Figure("all_info_xmlrpc_ms", "getAllProcessInfo (%d), xmlrpc.client, median" % n, "ms"),
            Figure("state_raw_cps", "getState calls/s, 1 keep-alive conn, raw", "calls/s", "higher", 0),
            Figure("state_xmlrpc_cps", "getState calls/s, 1 conn, xmlrpc.client", "calls/s", "higher", 0),
            Figure("info_raw_cps", "getProcessInfo calls/s, 1 conn, raw", "calls/s", "higher", 0),
            Figure("info_xmlrpc_cps", "getProcessInfo calls/s, 1 conn, xmlrpc.client", "calls/s", "higher", 0),
            Figure("state_raw_%d_cps" % k, "getState calls/s, %d raw clients" % k, "calls/s", "higher", 0),
            Figure("info_raw_%d_cps" % k, "getProcessInfo calls/s, %d raw clients" % k, "calls/s", "higher", 0)]


def run(session, side):
    if side.api_unavailable:
        raise Unavailable(side.api_unavailable)
    sizes = session.sizes
    fifo = session.fifo()
    daemon = session.running_daemon(side, "rpc", sizes.programs, fifo)
    proxy = daemon.wait_for_api()
    path = daemon.socket_path
    seconds, k = sizes.rpc_seconds, sizes.rpc_concurrent_clients
    result = {}

    raw = rpc_client.RawClient(path)
    request = rpc_client.encode_request("supervisor.getAllProcessInfo")
    result["all_info_raw_ms"] = _median_ms(lambda: raw.call(request), sizes.rpc_all_info_calls)
    result["all_info_xmlrpc_ms"] = _median_ms(proxy.supervisor.getAllProcessInfo, sizes.rpc_all_info_calls)

    state = rpc_client.encode_request("supervisor.getState")
    info = rpc_client.encode_request("supervisor.getProcessInfo", (PROCESS,))
    result["state_raw_cps"] = _calls_per_second(lambda: raw.call(state), seconds)
    result["state_xmlrpc_cps"] = _calls_per_second(proxy.supervisor.getState, seconds)
    result["info_raw_cps"] = _calls_per_second(lambda: raw.call(info), seconds)
    result["info_xmlrpc_cps"] = _calls_per_second(lambda: proxy.supervisor.getProcessInfo(PROCESS), seconds)
    raw.close()
    result["state_raw_%d_cps" % k] = _concurrent_calls_per_second(path, state, k, seconds)
    result["info_raw_%d_cps" % k] = _concurrent_calls_per_second(path, info, k, seconds)
    return result


def _median_ms(call, count):
    samples = []
    for _ in range(count):
        started = time.monotonic_ns()
        call()
        samples.append((time.monotonic_ns() - started) / 1e6)
    samples.sort()
    return samples[len(samples) // 2]


def _calls_per_second(call, seconds):
    call()  # warm: connection open, first-call costs paid
    calls = 0
    started = time.monotonic()
    end = started + seconds
    while True:
        call()
        calls += 1
        now = time.monotonic()
        if now >= end:
            return calls / (now - started)


def _client(path, request, start_at, seconds, results):
    client = rpc_client.RawClient(path)
    client.call(request)
    while time.monotonic() < start_at:
        time.sleep(0.001)
    calls, end = 0, start_at + seconds
    while True:
        client.call(request)
        calls += 1
        now = time.monotonic()
        if now >= end:
            results.put(calls / (now - start_at))
            return


def _concurrent_calls_per_second(path, request, clients, seconds):
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.monotonic() + 0.3
    workers = [context.Process(target=_client, args=(path, request, start_at, seconds, results))
               for _ in range(clients)]
    for worker in workers:
        worker.start()
    total = 0.0
    for _ in workers:
        total += results.get(timeout=seconds + 60)
    for worker in workers:
        worker.join(5)
    return total
