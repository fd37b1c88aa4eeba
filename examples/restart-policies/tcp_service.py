"""A stand-in for a database: accepts TCP connections on HOST PORT after a short start-up."""
import socket
import sys
import time

time.sleep(2)  # a slow start: the readiness probe, not startsecs, says when it is up
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((sys.argv[1], int(sys.argv[2])))
server.listen(64)
while True:
    connection, _ = server.accept()
    connection.close()
