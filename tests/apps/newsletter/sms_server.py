"""A local stand-in for an SMS provider's HTTP API: records each request, answers as told.

``answer(request)`` decides each answer from the request (so a test can refuse one
number and accept the others); by default every request gets ``default``.
"""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Seen:
    method: str
    path: str
    headers: dict
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8")).items()}


@dataclass
class Provider:
    url: str
    seen: list[Seen] = field(default_factory=list)
    default: tuple[int, str, str] = (200, "{}", "application/json")
    answer: object = None  # callable(Seen) -> (status, body, content_type) | None


def serve():
    """Start a server; yields a ``Provider``; stops it afterwards (a generator for fixtures)."""
    provider = Provider(url="")

    class Handler(BaseHTTPRequestHandler):
        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen(self.command, self.path, dict(self.headers), self.rfile.read(length))
            provider.seen.append(seen)
            reply = (provider.answer(seen) if provider.answer else None) or provider.default
            status, body, content_type = reply
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_POST = do_GET = _handle  # noqa: N815

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    provider.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
