"""A fake ESP + Twilio: a real HTTP server on 127.0.0.1 that records what it received.

The real client libraries talk to it: anymail's Brevo backend (BREVO_API_URL)
and the twilio package (TWILIO_API_URL). It answers like the real APIs for the
few endpoints Relais uses; `fail` decides, per request, an error to answer with,
or `TIMEOUT`: hold the request until the client gives up on it (at most `hang`
seconds), then drop it unanswered.

Only complete requests are recorded: one whose body never fully arrived (its
sender was killed mid-request) or is not what its Content-Type says is counted
in `cut`, and left unanswered, as a real API would not act on it either.
"""

import json
import select
import sys
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


TIMEOUT = "timeout"  # what `fail` returns for a request the provider never answers


@dataclass
class FakeProvider:
    latency: float = 0.0
    # (request) -> None, (status, json_body) to answer with an error, or TIMEOUT
    fail: object = None
    hang: float = 30.0  # longest a TIMEOUT request is held if its client never gives up
    keep_alive: bool = False  # HTTP/1.1 persistent connections, as real APIs offer
    received: list = field(default_factory=list)
    answered: int = 0  # requests answered so far, errors included
    cut: int = 0  # requests that arrived incomplete or unreadable: not recorded
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer = None

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if provider.keep_alive else "HTTP/1.0"
            # Headers and body are two writes: without this, a kept-alive connection
            # waits for the client's delayed ACK (40 ms) between them, as no real API does.
            disable_nagle_algorithm = True

            def do_POST(self):
                provider._answer(self)

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
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
        body = _body(handler)
        if body is None:  # its client died mid-request: nothing a real API would send
            with self.lock:
                self.cut += 1
            handler.close_connection = True
            return
        request = Received("POST", handler.path, dict(handler.headers), body)
        with self.lock:
            self.received.append(request)
            outcome = self.fail and self.fail(request)  # hooks count calls: one at a time
        if self.latency:
            time.sleep(self.latency)
        outcome = outcome or self._success(request)
        if outcome == TIMEOUT:
            # Until the client hangs up (its timeout): the connection turns readable at EOF.
            select.select([handler.connection], [], [], self.hang)
            handler.close_connection = True
            return
        status, answer = outcome
        payload = json.dumps(answer).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)
        handler.wfile.flush()
        with self.lock:
            self.answered += 1

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


def _body(handler):
    """The request's body as a dict, or None if it is incomplete or not what it claims."""
    length = handler.headers.get("Content-Length")
    if length is None or not length.isdigit():
        return None  # the headers themselves were cut short
    try:
        raw = handler.rfile.read(int(length))
    except (ConnectionError, TimeoutError):
        return None
    if len(raw) != int(length):  # the connection closed before the whole body came
        return None
    try:
        if handler.headers.get("Content-Type", "").startswith("application/json"):
            body = json.loads(raw)
        else:
            body = {k: v[0] for k, v in parse_qs(raw.decode(), strict_parsing=True).items()}
    except ValueError:  # JSONDecodeError and UnicodeDecodeError included
        return None
    return body if isinstance(body, dict) else None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many workers connect at once: a short backlog drops SYNs

    def handle_error(self, request, client_address):
        # A client that went away mid-request (a killed worker) is no error of the provider's.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def twilio_error(code, status=400, message="error"):
    """An answer like Twilio's for an error `code`."""
    return status, {"code": code, "message": message, "status": status, "more_info": ""}
