"""A fake ESP + Twilio: a real HTTP server on 127.0.0.1 that records what it received.

The real client libraries talk to it: anymail's Brevo backend (BREVO_API_URL)
and the twilio package (TWILIO_API_URL). It answers like the real APIs for the
few endpoints Relais uses; `fail` decides, per request, an error to answer with.
"""

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: dict


@dataclass
class FakeProvider:
    latency: float = 0.0
    # (request) -> None, or (status, json_body) to answer with an error
    fail: object = None
    received: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer = None

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                provider._answer(self)

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def sent(self, kind):
        """What was received for 'sms', 'call' or 'email'."""
        suffix = {"sms": "/Messages.json", "call": "/Calls.json", "email": "/smtp/email"}[kind]
        with self.lock:
            return [request for request in self.received if request.path.endswith(suffix)]

    def _answer(self, handler):
        raw = handler.rfile.read(int(handler.headers.get("Content-Length", 0)))
        if handler.headers.get("Content-Type", "").startswith("application/json"):
            body = json.loads(raw or b"{}")
        else:
            body = {key: values[0] for key, values in parse_qs(raw.decode()).items()}
        request = Received("POST", handler.path, dict(handler.headers), body)
        with self.lock:
            self.received.append(request)
        if self.latency:
            time.sleep(self.latency)
        status, answer = (self.fail and self.fail(request)) or self._success(request)
        payload = json.dumps(answer).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def _success(self, request):
        if request.path.endswith("/Messages.json"):
            return 201, {
                "sid": "SM" + uuid.uuid4().hex,
                "status": "queued",
                "to": request.body["To"],
            }
        if request.path.endswith("/Calls.json"):
            return 201, {
                "sid": "CA" + uuid.uuid4().hex,
                "status": "queued",
                "to": request.body["To"],
            }
        if request.path.endswith("/smtp/email"):
            return 201, {"messageId": f"<{uuid.uuid4().hex}@smtp-relay.mailin.fr>"}
        return 404, {"message": "unknown endpoint"}


def twilio_error(code, status=400, message="error"):
    """An answer like Twilio's for an error `code`."""
    return status, {"code": code, "message": message, "status": status, "more_info": ""}
