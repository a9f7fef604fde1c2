#!/usr/bin/env python3
"""A systemd notification socket (NOTIFY_SOCKET) for the integration tests: binds a datagram unix
socket at PATH and appends every message to LOG as one line, its newlines shown as " | "
("READY=1 | STATUS=..."), for up to two minutes.

Usage: notify_socket.py PATH LOG"""
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(1)
end = time.time() + 120
with open(sys.argv[2], "a", buffering=1) as log:
    while time.time() < end:
        try:
            log.write(s.recv(4096).decode().replace("\n", " | ") + "\n")
        except socket.timeout:
            pass
