"""Answers every POST with a body that is not what AWS sends. Usage: junk_server.py PORT MODE
MODE: html (a 200 HTML page), truncated (a 200 answer cut in the middle), empty500 (500, no body)."""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODE = sys.argv[2]
BODIES = {
    "html": (200, b"<html><body>captive portal</body></html"),
    "truncated": (200, b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCall'),
    "empty500": (500, b""),
}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status, body = BODIES[MODE]
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
