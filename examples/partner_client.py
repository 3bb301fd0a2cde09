#!/usr/bin/env python3
"""A partner's client for the oscar-loyalty partner API, standard library only.

Usage (see docs/partners.md)::

    export LOYALTY_PARTNER_KEY_ID=pk_...  LOYALTY_PARTNER_SECRET=...
    python examples/partner_client.py --base-url http://127.0.0.1:8000/club/partners/api/v1/ \\
        lookup 1234567897
    python examples/partner_client.py earn 1234567897 120.00 --reference R-1001
    python examples/partner_client.py burn 1234567897 500 --reference R-1002
    python examples/partner_client.py reverse <transaction id>
    python examples/partner_client.py status <idempotency key>
    python examples/partner_client.py demo 1234567897   # earn, burn, a replay, a reversal

Every request is signed: HMAC-SHA256 with the partner's secret over::

    v1\\n<METHOD>\\n<path>\\n<query>\\n<timestamp>\\n<nonce>\\n<hex sha256 of the body>
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid


class PartnerClient:
    def __init__(self, base_url: str, key_id: str, secret: str, *, timeout: float = 10):
        self.base_url = base_url.rstrip("/") + "/"
        self.key_id = key_id
        self.secret = secret
        self.timeout = timeout

    # Signing ------------------------------------------------------------------

    def prepare(self, method: str, path: str, payload: dict | None = None):
        """A signed ``urllib.request.Request``; sending it twice is a replay."""
        url = urllib.parse.urljoin(self.base_url, path)
        parts = urllib.parse.urlsplit(url)
        body = json.dumps(payload).encode() if payload is not None else b""
        timestamp = str(int(time.time()))
        nonce = secrets.token_urlsafe(18)
        canonical = "\n".join(
            [
                "v1",
                method.upper(),
                parts.path,
                parts.query,
                timestamp,
                nonce,
                hashlib.sha256(body).hexdigest(),
            ]
        ).encode()
        signature = hmac.new(self.secret.encode(), canonical, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "X-Loyalty-Key": self.key_id,
            "X-Loyalty-Timestamp": timestamp,
            "X-Loyalty-Nonce": nonce,
            "X-Loyalty-Signature": signature,
        }
        return urllib.request.Request(  # noqa: S310 - the base URL is the operator's
            url, data=body if method.upper() != "GET" else None, headers=headers, method=method
        )

    def send(self, request) -> tuple[int, dict]:
        """``(HTTP status, JSON body)``; error statuses are returned, not raised."""
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            try:
                return error.code, json.loads(error.read() or b"{}")
            except ValueError:
                return error.code, {"error": "http_error", "message": str(error)}

    def call(self, method: str, path: str, payload: dict | None = None) -> tuple[int, dict]:
        return self.send(self.prepare(method, path, payload))

    # The API ------------------------------------------------------------------

    def lookup(self, card: str):
        return self.call("POST", "members/lookup/", {"card": card})

    def lookup_qr(self, qr_payload: str):
        return self.call("POST", "members/lookup/", {"qr": qr_payload})

    def earn(self, card: str, amount: str, *, reference: str = "", key: str | None = None):
        payload = {
            "card": card,
            "amount": str(amount),
            "reference": reference,
            "idempotency_key": key or new_key(),
        }
        return self.call("POST", "earn/", payload)

    def burn(self, card: str, points: int, *, reference: str = "", key: str | None = None):
        payload = {
            "card": card,
            "points": int(points),
            "reference": reference,
            "idempotency_key": key or new_key(),
        }
        return self.call("POST", "burn/", payload)

    def reverse(self, transaction_id: str, *, reference: str = "", key: str | None = None):
        payload = {"idempotency_key": key or new_key(), "reference": reference}
        return self.call("POST", f"transactions/{transaction_id}/reverse/", payload)

    def status(self, key: str):
        return self.call("GET", f"transactions/key/{urllib.parse.quote(key, safe='')}/")


def new_key() -> str:
    return "k-" + uuid.uuid4().hex


def demo(client: PartnerClient, card: str, out=sys.stdout) -> dict:
    """Lookup, earn, burn, a replayed earn (refused, nothing changes), reverse the burn."""
    results = {}

    def show(label, result):
        results[label] = result
        out.write(f"{label}: HTTP {result[0]} {json.dumps(result[1])}\n")

    show("lookup", client.lookup(card))
    earn_request = client.prepare(
        "POST",
        "earn/",
        {"card": card, "amount": "120.00", "reference": "demo-1", "idempotency_key": new_key()},
    )
    show("earn", client.send(earn_request))
    show("burn", client.burn(card, 50, reference="demo-2"))
    show("replayed earn", client.send(earn_request))
    burn_id = results["burn"][1].get("transaction", {}).get("id")
    if burn_id:
        show("reverse burn", client.reverse(burn_id, reference="demo-3"))
    show("lookup again", client.lookup(card))
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--base-url",
        default=os.environ.get(
            "LOYALTY_PARTNER_BASE_URL", "http://127.0.0.1:8000/club/partners/api/v1/"
        ),
    )
    parser.add_argument("--key-id", default=os.environ.get("LOYALTY_PARTNER_KEY_ID", ""))
    parser.add_argument("--secret", default=os.environ.get("LOYALTY_PARTNER_SECRET", ""))
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("lookup").add_argument("card")
    earn = commands.add_parser("earn")
    earn.add_argument("card")
    earn.add_argument("amount")
    burn = commands.add_parser("burn")
    burn.add_argument("card")
    burn.add_argument("points", type=int)
    for sub in (earn, burn):
        sub.add_argument("--reference", default="")
        sub.add_argument("--key", default=None, help="idempotency key (default: a new one)")
    reverse = commands.add_parser("reverse")
    reverse.add_argument("transaction_id")
    reverse.add_argument("--key", default=None)
    commands.add_parser("status").add_argument("key")
    commands.add_parser("demo").add_argument("card")
    args = parser.parse_args(argv)
    if not args.key_id or not args.secret:
        parser.error("give --key-id and --secret (or LOYALTY_PARTNER_KEY_ID/_SECRET)")
    client = PartnerClient(args.base_url, args.key_id, args.secret)
    if args.command == "demo":
        demo(client, args.card)
        return 0
    if args.command == "lookup":
        status, body = client.lookup(args.card)
    elif args.command == "earn":
        status, body = client.earn(args.card, args.amount, reference=args.reference, key=args.key)
    elif args.command == "burn":
        status, body = client.burn(args.card, args.points, reference=args.reference, key=args.key)
    elif args.command == "reverse":
        status, body = client.reverse(args.transaction_id, key=args.key)
    else:
        status, body = client.status(args.key)
    sys.stdout.write(f"HTTP {status}\n{json.dumps(body, indent=2)}\n")
    return 0 if status < 400 else 1


if __name__ == "__main__":
    sys.exit(main())
