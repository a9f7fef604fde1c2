#!/usr/bin/env python3
"""A name server that never answers: listens on 127.0.0.1:53 over UDP and TCP, reads every query
and holds every connection for up to ten minutes, and answers none (a resolver that hangs).
Binding port 53 needs root, or a network namespace of one's own.

Usage: silent_name_server.py"""
import socket, threading, time
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", 53))
tcp = socket.socket()
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.bind(("127.0.0.1", 53))
tcp.listen(16)
held = []
threading.Thread(target=lambda: [held.append(tcp.accept()) for _ in iter(int, 1)], daemon=True).start()
end = time.time() + 600
while time.time() < end:
    udp.recvfrom(4096)  # read every query, answer none
