"""A webhook receiver as a store's CRM would write one: verify, deduplicate, answer 2xx.

Run as its own process so tests (and ``benchmarks.webhooks``) can kill it with
SIGKILL and start it again on the same port::

    python -m tests.apps.webhooks.receiver --port 8765 --secret whsec_... --log seen.jsonl

Each request is checked with ``standardwebhooks.Webhook.verify`` (a bad
signature answers 400 and is logged as such). The event id is looked up in
the log before anything else: a duplicate (a retry after a lost answer) is
logged as one and answered 200 without being processed again. The log is
appended and flushed *before* answering, so a kill between the two makes the
sender retry and the receiver see a duplicate, never lose an event.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def read_log(path) -> list[dict]:
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


class State:
    def __init__(self, args) -> None:
        self.webhooks = [Webhook(secret) for secret in args.secret]
        self.log = open(args.log, "a", buffering=1)  # noqa: SIM115 (open for the process's life)
        self.seen = {row["id"] for row in read_log(args.log) if row.get("kind") == "new"}
        self.lock = threading.Lock()
        self.requests = 0
        self.fail_first = args.fail_first
        self.status = args.status
        self.die_after = args.die_after
        self.delay = args.delay

    def write(self, row: dict) -> None:
        # Flushed to the kernel before answering: a SIGKILL cannot lose it
        # (no fsync: the machine itself is not what the tests kill).
        self.log.write(json.dumps(row) + "\n")
        self.log.flush()


def handler_for(state: State):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def answer(self, code: int) -> None:
            self.send_response(code)
            if code in (301, 302, 307):
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with state.lock:
                state.requests += 1
                number = state.requests
            if state.delay:
                time.sleep(state.delay)
            if number <= state.fail_first or state.status:
                state.write({"kind": "refused", "id": self.headers.get("webhook-id")})
                return self.answer(state.status or 503)
            payload = None
            for webhook in state.webhooks:
                try:
                    payload = webhook.verify(body, dict(self.headers))
                    break
                except WebhookVerificationError:
                    continue
            if payload is None:
                state.write({"kind": "bad", "id": self.headers.get("webhook-id")})
                return self.answer(400)
            with state.lock:
                duplicate = payload["id"] in state.seen
                state.seen.add(payload["id"])
                member = (payload["data"].get("member") or {}).get("number")
                state.write(
                    {
                        "kind": "duplicate" if duplicate else "new",
                        "id": payload["id"],
                        "type": payload["type"],
                        "member": member,
                        "header_id": self.headers.get("webhook-id"),
                    }
                )
            if state.die_after and number >= state.die_after:
                os._exit(1)  # logged, never answered: the sender must retry
            self.answer(200)

    return Handler


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", action="append", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--status", type=int, default=0, help="always answer this")
    parser.add_argument("--die-after", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0)
    args = parser.parse_args(argv)
    state = State(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(state))
    server.daemon_threads = True
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
