#!/usr/bin/env python3
"""A webhook receiver for the integration tests: answers 200 to every POST and appends it to a log
as one line, "PATH BODY" (newlines in the body folded to spaces).

Usage: webhook_receiver.py PORT LOG"""
import http.server, sys
log = open(sys.argv[2], "a", buffering=1)
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        log.write(self.path + " " + body.replace("\n", " ") + "\n")
        self.send_response(200); self.end_headers()
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Hook).serve_forever()
