"""A local stand-in for an SMS gateway or WeChat bridge, shared by the messaging and notification tests.

It records every request and answers with `status` (changeable between requests, or one status per
request from `statuses`), after `delay` seconds: enough to test success, 5xx and time-outs without
any network beyond 127.0.0.1.
"""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Gateway:
    def __init__(self, status=200, delay=0.0, statuses=()):
        self.status, self.delay, self.statuses, self.requests = status, delay, list(statuses), []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.requests.append((dict(self.headers), body))
                time.sleep(gateway.delay)
                self.send_response(gateway.statuses.pop(0) if gateway.statuses else gateway.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    """gateway(status=500, delay=1.0) starts one; all are stopped after the test."""
    made = []

    def make(**kwargs):
        made.append(Gateway(**kwargs))
        return made[-1]

    yield make
    for g in made:
        g.close()
