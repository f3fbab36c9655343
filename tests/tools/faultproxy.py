#!/usr/bin/env python3
"""tests/tools/faultproxy.py - a loopback HTTP proxy for the remote tests
that answers some requests with a server error instead of passing them
on, then recovers: the first N requests of a method get STATUS, the ones
after go to the real server (127.0.0.1:TARGET_PORT) unchanged (the Host
header too, so SigV4 signatures stay valid).

  faultproxy.py PORT_FILE TARGET_PORT LOG RULE...

RULE is METHOD:STATUS:N[:TEXT] (METHOD may be ANY; N = -1: every
request; with TEXT, only requests whose path and query contain it).
STATUS "cut" passes the request on but sends only the first half of the
answer's body (with the whole body's Content-Length), then closes the
connection: a download cut in the middle.  STATUS "slow" passes it on
and sends the answer's body at about 4 MiB/s, so that a test can kill
the client in the middle of a download.
The listening port (127.0.0.1, chosen by the kernel) is written to
PORT_FILE.  One line per request goes to LOG: "METHOD PATH STATUS
injected|passed".  Runs until killed.  Test tool only: bodies are held
in memory.
"""
import http.client
import os
import http.server
import sys
import threading
import time

HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer",
       "upgrade", "proxy-connection"}
CODES = {500: "InternalError", 502: "BadGateway", 503: "ServiceUnavailable",
         504: "GatewayTimeout"}


class Rules:
    def __init__(self, specs):
        self.lock = threading.Lock()
        self.rules = []
        for s in specs:
            method, status, n, text = (s.split(":", 3) + [""])[:4]
            status = {"cut": -1, "slow": -2}.get(status) or int(status)
            self.rules.append([method.upper(), status, int(n), text])

    def take(self, method, path):
        """The status to inject for this request, or 0 to pass it on."""
        with self.lock:
            for r in self.rules:
                if r[0] in ("ANY", method) and r[2] != 0 and r[3] in path:
                    if r[2] > 0:
                        r[2] -= 1
                    return r[1]
        return 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def note(self, status, how):
        with self.server.log_lock, open(self.server.log, "a") as f:
            f.write("%s %s %d %s\n" % (self.command, self.path, status, how))

    def relay(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        status = self.server.rules.take(self.command, self.path)
        if status > 0:
            xml = ("<?xml version=\"1.0\"?><Error><Code>%s</Code>"
                   "<Message>injected by faultproxy</Message></Error>"
                   % CODES.get(status, "InternalError")).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(xml)))
            self.end_headers()
            self.wfile.write(xml)
            self.note(status, "injected")
            return
        up = http.client.HTTPConnection("127.0.0.1", self.server.target)
        up.putrequest(self.command, self.path, skip_host=True,
                      skip_accept_encoding=True)
        for k, v in self.headers.items():
            if k.lower() not in HOP:
                up.putheader(k, v)
        up.endheaders(body if n > 0 else None)
        resp = up.getresponse()
        data = resp.read()
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in HOP and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if status == -2:
            for i in range(0, len(data), 65536):
                self.wfile.write(data[i:i + 65536])
                self.wfile.flush()
                time.sleep(1 / 64)
            up.close()
            self.note(resp.status, "slow")
            return
        if status < 0:
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            up.close()
            self.note(resp.status, "cut")
            return
        if self.command != "HEAD":
            self.wfile.write(data)
        up.close()
        self.note(resp.status, "passed")

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = relay


def main():
    port_file, target, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.target = target
    srv.log = log
    srv.log_lock = threading.Lock()
    srv.rules = Rules(sys.argv[4:])
    open(log, "w").close()
    with open(port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(port_file + ".tmp", port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
