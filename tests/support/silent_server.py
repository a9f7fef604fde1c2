#!/usr/bin/env python3
"""A TCP listener that accepts connections and never says a word: a hung database host. Holds
what it accepted for up to ten minutes.

Usage: silent_server.py PORT"""
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
s.settimeout(1)
held = []
end = time.time() + 600
while time.time() < end:
    try:
        held.append(s.accept()[0])
    except socket.timeout:
        pass
