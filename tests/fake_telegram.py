"""A fake Telegram Bot API: a real HTTP server on 127.0.0.1 that records what it received.

Relais' own client (notifications.messengers.telegram_api) is pointed at it through
TELEGRAM_API_BASE. It answers getMe, setWebhook and sendMessage as Telegram does;
`answers` maps a chat id to an error to answer with ((status, description, retry_after)),
used once each when given as a list.
"""

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Call:
    token: str
    method: str
    body: dict


@dataclass
class FakeTelegram:
    username: str = "relais_test_bot"
    calls: list = field(default_factory=list)
    answers: dict = field(default_factory=dict)  # chat_id -> [(status, description, retry)]
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer = None
    ids: object = field(default_factory=lambda: itertools.count(100))

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self, port=0):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                fake._answer(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def sent(self):
        """The sendMessage calls received, in order."""
        with self.lock:
            return [call for call in self.calls if call.method == "sendMessage"]

    def fail(self, chat_id, status, description, retry_after=None):
        """Answer the next message to `chat_id` with this error."""
        self.answers.setdefault(chat_id, []).append((status, description, retry_after))

    def _answer(self, handler):
        _bot, token_method = handler.path.split("/bot", 1)
        token, _slash, method = token_method.partition("/")
        length = int(handler.headers.get("Content-Length") or 0)
        body = json.loads(handler.rfile.read(length) or b"{}")
        with self.lock:
            self.calls.append(Call(token, method, body))
            errors = self.answers.get(body.get("chat_id")) if method == "sendMessage" else None
            error = errors.pop(0) if errors else None
        if token == "wrong-token":
            status, answer = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        elif error:
            status, description, retry_after = error
            answer = {"ok": False, "error_code": status, "description": description}
            if retry_after:
                answer["parameters"] = {"retry_after": retry_after}
        else:
            status, answer = 200, {"ok": True, "result": self._result(method, body)}
        payload = json.dumps(answer).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def _result(self, method, body):
        if method == "getMe":
            return {"id": 42, "is_bot": True, "first_name": "Relais", "username": self.username}
        if method == "setWebhook":
            return True
        if method == "sendMessage":
            return {"message_id": next(self.ids), "chat": {"id": body["chat_id"]}}
        return None


class PrintingTelegram(FakeTelegram):
    """Development (`make run`): each message the bot sends is printed, and forgotten."""

    def _result(self, method, body):
        if method == "sendMessage":
            print(f"Telegram to {body.get('chat_id')}: {body.get('text')}", flush=True)
            self.calls.clear()  # a long run must not keep every call in memory
        return super()._result(method, body)


if __name__ == "__main__":
    import sys

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8026
    fake = PrintingTelegram(username="relais_demo_bot").start(port)
    print(f"Fake Telegram Bot API on {fake.url}", file=sys.stderr, flush=True)
    threading.Event().wait()
