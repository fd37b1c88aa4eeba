#!/usr/bin/env python3
"""Writes the hand-made seeds of tests/fuzz/corpus: recorded XML-RPC calls (as
Python's xmlrpc.client sends them), HTTP requests and event-listener exchanges.
The config seeds are copies of Supervisor's fixtures and of our own configs."""
import os
import xmlrpc.client as x

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')

def write(target, name, data):
    os.makedirs(os.path.join(here, target), exist_ok=True)
    with open(os.path.join(here, target, name), 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())

calls = {
    'getState': ('supervisor.getState', ()),
    'getAllProcessInfo': ('supervisor.getAllProcessInfo', ()),
    'startProcess_wait': ('supervisor.startProcess', ('cat', True)),
    'startProcess_group': ('supervisor.startProcess', ('app:worker_01', False)),
    'startProcessGroup': ('supervisor.startProcessGroup', ('app', True)),
    'stopProcessGroup': ('supervisor.stopProcessGroup', ('app', True)),
    'signalProcess': ('supervisor.signalProcess', ('db', 'HUP')),
    'readProcessStdoutLog': ('supervisor.readProcessStdoutLog', ('db', 0, 100)),
    'tailProcessStderrLog': ('supervisor.tailProcessStderrLog', ('db', -10, 10)),
    'sendProcessStdin': ('supervisor.sendProcessStdin', ('cat', 'hello\n')),
    'sendRemoteCommEvent': ('supervisor.sendRemoteCommEvent', ('type', 'data')),
    'addProcessGroup': ('supervisor.addProcessGroup', ('listener',)),
    'removeProcessGroup': ('supervisor.removeProcessGroup', ('app',)),
    'reloadConfig': ('supervisor.reloadConfig', ()),
    'readLog': ('supervisor.readLog', (0, 0)),
    'clearProcessLogs': ('supervisor.clearProcessLogs', ('db',)),
    'getProcessInfo_bad': ('supervisor.getProcessInfo', ('nosuch',)),
    'ha_getPolicyState': ('ha.getPolicyState', ('db',)),
    'ha_getAllPolicyStates': ('ha.getAllPolicyStates', ()),
    'ha_resetBudget': ('ha.resetBudget', ('app:cat',)),
    'ha_promote': ('ha.promote', ('db', 'failover')),
    'ha_demote': ('ha.demote', ('db', 'maintenance')),
    'methodHelp': ('system.methodHelp', ('supervisor.startProcess',)),
    'methodSignature': ('system.methodSignature', ('ha.promote',)),
    'listMethods': ('system.listMethods', ()),
    'multicall': ('system.multicall', ([
        {'methodName': 'supervisor.getState', 'params': []},
        {'methodName': 'supervisor.startProcess', 'params': ['cat', False]},
        {'methodName': 'ha.getPolicyState', 'params': ['db']},
        {'methodName': 'system.multicall', 'params': []}],)),
    'shutdown': ('supervisor.shutdown', ()),
    'types': ('supervisor.getVersion', (1, 2**31 - 1, 1.5, True, x.Binary(b'\x00\xff'),
                                        x.DateTime('20260101T00:00:00'), {'a': [None]}, '')),
}
for name, (method, params) in calls.items():
    body = x.dumps(params, method, allow_none=True)
    write('xmlrpc_dispatcher', name + '.xml', body)
    write('xmlrpc_decoder', name + '.xml', body)
write('xmlrpc_decoder', 'response_value.xml',
      x.dumps(({'name': 'cat', 'state': 20, 'description': 'pid 1, uptime 0:00:01'},), methodresponse=True))
write('xmlrpc_decoder', 'response_fault.xml', x.dumps(x.Fault(10, 'BAD_NAME: nosuch'), methodresponse=True))
write('xmlrpc_decoder', 'i8.xml', '<?xml version="1.0"?><methodCall><methodName>a.b</methodName><params>'
      '<param><value><i8>1099511627776</i8></value></param><param><value><nil/></value></param></params></methodCall>')

# HTTP: the fuzz body's handler answers /stream, /later, /drop and /close specially;
# the second server wants user:password.
rpc = x.dumps((), 'supervisor.getState').encode()
auth = b'Authorization: Basic dXNlcjpwYXNzd29yZA==\r\n'
requests = {
    'post_rpc2': b'POST /RPC2 HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\n' + auth
                 + b'Content-Length: %d\r\n\r\n' % len(rpc) + rpc,
    'get_ok_http10': b'GET /ok.html HTTP/1.0\r\n\r\n',
    'pipelined': b'GET /a HTTP/1.1\r\nHost: x\r\n' + auth + b'\r\nGET /later HTTP/1.1\r\nHost: x\r\n' + auth
                 + b'\r\nGET /drop HTTP/1.1\r\n' + auth + b'\r\n',
    'chunked': b'POST /stream HTTP/1.1\r\nHost: x\r\n' + auth
               + b'Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    'expect_continue': b'POST /RPC2 HTTP/1.1\r\nHost: x\r\n' + auth
                       + b'Expect: 100-continue\r\nContent-Length: 4\r\n\r\nbody',
    'too_large': b'POST /x HTTP/1.1\r\n' + auth + b'Content-Length: 100000\r\n\r\nabc',
    'close': b'GET /close HTTP/1.1\r\nConnection: keep-alive\r\n' + auth + b'\r\nGET /after HTTP/1.1\r\n\r\n',
    'bad_auth': b'GET / HTTP/1.1\r\nAuthorization: Basic !!!\r\n\r\n',
    'stream_http10': b'GET /stream/cat HTTP/1.0\r\n' + auth + b'\r\n',
    'garbage': b'\x00\x01 HTTP/9\r\n\r\n',
}
for name, data in requests.items():
    write('http_server', name + '.http', data)

# Listener stdout: a NUL stands for an event written to the listener (when READY),
# \x01 only splits the bytes into separate reads.
exchanges = {
    'ok': b'READY\n\x00RESULT 2\nOK',
    'fail': b'READY\n\x00RESULT 4\nFAIL',
    'split': b'REA\x01DY\n\x00RESULT\x01 2\nO\x01KREADY\n\x00RESULT 2\nOK',
    'bad_result': b'READY\n\x00RESULT x\nOK',
    'unexpected_state': b'BUSY\n',
    'two_rounds': b'READY\n\x00RESULT 2\nOKREADY\n\x00RESULT 3\nbad',
    'long_result': b'READY\n\x00RESULT 20\n' + b'x' * 20,
}
for name, data in exchanges.items():
    write('listener_protocol', name + '.bin', data)
