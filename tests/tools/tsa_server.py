#!/usr/bin/env python3
"""tests/tools/tsa_server.py DIR - a loopback RFC 3161 time-stamping
authority for the tests: an HTTP server on 127.0.0.1 (a free port, written
to DIR/port once listening) that answers each POST of an
application/timestamp-query with the application/timestamp-reply made by
`openssl ts -reply -config DIR/tsa.cnf` (tests/tools/tsa-setup).  Each
request is counted in DIR/requests.  Runs until killed (SIGTERM)."""
import http.server
import os
import subprocess
import sys
import tempfile

DIR = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        query = self.rfile.read(n)
        with open(os.path.join(DIR, "requests"), "a") as f:
            f.write("%s %d\n" % (self.headers.get("Content-Type"), n))
        with tempfile.TemporaryDirectory(dir=DIR) as t:
            q = os.path.join(t, "q.tsq")
            r = os.path.join(t, "r.tsr")
            with open(q, "wb") as f:
                f.write(query)
            p = subprocess.run(
                ["openssl", "ts", "-reply", "-config",
                 os.path.join(DIR, "tsa.cnf"), "-queryfile", q, "-out", r],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if p.returncode != 0:
                self.send_error(500)
                return
            with open(r, "rb") as f:
                reply = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
srv.serve_forever()
