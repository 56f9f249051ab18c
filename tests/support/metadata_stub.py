"""A stand-in for the ECS container credentials endpoint and the EC2 instance metadata service (IMDSv2).

Serves the keys given in STUB_KEY_ID / STUB_SECRET. The container path demands the Authorization token in
STUB_CONTAINER_TOKEN; IMDS demands a session token obtained by PUT first, as IMDSv2 does. Every request
is appended to the log file as "METHOD PATH STATUS".
Usage: metadata_stub.py PORT LOGFILE
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY = os.environ["STUB_KEY_ID"]
SECRET = os.environ["STUB_SECRET"]
CONTAINER_TOKEN = os.environ.get("STUB_CONTAINER_TOKEN", "container-token")
IMDS_TOKEN = "imds-session-token"
ROLE = "auditor-role"
LOG = sys.argv[2]


def creds_doc():
    # No Token: moto's IAM user keys are long-term, and moto rejects them when a session token comes along.
    return json.dumps({"Code": "Success", "AccessKeyId": KEY, "SecretAccessKey": SECRET,
                       "Expiration": "2099-01-01T00:00:00Z"})


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body, ctype="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        with open(LOG, "a") as f:
            f.write(f"{self.command} {self.path} {status}\n")

    def do_PUT(self):
        if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.answer(200, IMDS_TOKEN, "text/plain")
        return self.answer(400, "bad token request", "text/plain")

    def do_GET(self):
        if self.path == "/container/creds":
            if self.headers.get("Authorization") != CONTAINER_TOKEN:
                return self.answer(401, "{}")
            return self.answer(200, creds_doc())
        if self.path.startswith("/latest/meta-data/"):
            if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
                return self.answer(401, "", "text/plain")
            if self.path == "/latest/meta-data/iam/security-credentials/":
                return self.answer(200, ROLE, "text/plain")
            if self.path == "/latest/meta-data/iam/security-credentials/" + ROLE:
                return self.answer(200, creds_doc())
        return self.answer(404, "not found", "text/plain")


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
