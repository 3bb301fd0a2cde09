#!/usr/bin/env python3
"""A headless shopper: join the club, order, earn, spend the points, order again.

Plain Python (the standard library only: ``urllib``, ``json``), against a
running store with the club API at ``/api/club/`` and django-oscar-api at
``/api/`` (the sandbox: ``make sandbox``, then ``manage.py db_worker`` for the
order tasks). It uses the two APIs alone, as a mobile app would:

1. registers through oscarapi (``POST /api/register/``; an existing account
   is reused) and signs in for a token (``POST /api/club/token/``);
2. reads the join form (``GET /api/club/join/``), shows the consent wording
   and joins, echoing the wording of the box it ticks (``POST /api/club/join/``);
3. orders through oscarapi (``basket/add-product/``, ``checkout/``);
4. waits until the order's points are earned (the store's worker runs the
   order's task), reading ``GET /api/club/me/points/``;
5. applies its points to a new basket (``POST /api/club/me/basket/points/``)
   and orders again, paying less;
6. prints the balance and the history.

Run::

    python examples/headless_client.py --base-url http://127.0.0.1:8000 \\
        --email dana@example.com --password 'a-long-passphrase-1' --product 7

``--product`` is a product id (``GET /api/products/``); without it the first
product oscarapi says can be bought is used. Errors are the APIs' answers: the
club API's are RFC 9457 problem details, printed as they come. See docs/api.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable

ADDRESS = {
    "first_name": "Dana",
    "last_name": "Levi",
    "line1": "1 Rothschild Boulevard",
    "line4": "Tel Aviv",
    "postcode": "6100000",
}


def say(text: str) -> None:
    sys.stdout.write(text + "\n")


class APIError(Exception):
    def __init__(self, status: int, body):
        self.status, self.body = status, body
        super().__init__(f"{status}: {body}")


class Client:
    """JSON over HTTP with the member's token (one token serves both APIs)."""

    def __init__(self, base_url: str, *, language: str = "en"):
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("The base URL must be http:// or https://.")
        self.base_url = base_url.rstrip("/")
        self.language = language
        self.token: str | None = None

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base_url + path

    def call(self, method: str, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        # Only http(s): the base URL is checked, and the paths come from the APIs.
        request = urllib.request.Request(self.url(path), data=data, method=method)  # noqa: S310
        request.add_header("Accept", "application/json")
        request.add_header("Accept-Language", self.language)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Token {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = raw.decode(errors="replace")[:500]
            raise APIError(error.code, payload) from None
        return json.loads(raw) if raw else None

    def get(self, path: str):
        return self.call("GET", path)

    def post(self, path: str, body: dict):
        return self.call("POST", path, body)


def sign_in(client: Client, email: str, password: str) -> None:
    try:
        client.post(
            "/api/register/", {"email": email, "password1": password, "password2": password}
        )
        say(f"Registered {email}.")
    except APIError as error:
        if error.status != 400:  # 400: the account exists already; sign in to it
            raise
    client.token = client.post("/api/club/token/", {"email": email, "password": password})["token"]


def join(client: Client, *, first_name: str, consent_channel: str | None = "email") -> dict:
    """Show the join form's wording and join, echoing what was shown for the ticked box."""
    form = client.get("/api/club/join/")
    ticked = []
    for wording in form["consents"]:
        box = "[x]" if wording["channel"] == consent_channel else "[ ]"
        say(f"  {box} {wording['text']}")
        if wording["channel"] == consent_channel:
            ticked.append({k: wording[k] for k in ("channel", "version", "text")})
    body = {"plan": form["plans"][0]["code"], "consents": ticked}
    if form["requires_first_name"]:
        body["first_name"] = first_name
    try:
        membership = client.post("/api/club/join/", body)
    except APIError as error:
        if error.status == 409 and error.body.get("type", "").endswith(":already-member"):
            return client.get("/api/club/me/membership/")
        raise
    say(f"Joined: member {membership['number']} on {membership['plan']['name']}.")
    return membership


def first_buyable_product(client: Client) -> int:
    for product in client.get("/api/products/"):
        availability = client.get(product["url"] + "availability/")
        if availability.get("is_available_to_buy"):
            return product["id"]
    raise SystemExit("No product can be bought: give one with --product.")


def order(client: Client, product_id: int, *, country: str, use_points: bool = False) -> dict:
    """One order through oscarapi; with ``use_points``, as many points as the basket takes."""
    basket = client.post(
        "/api/basket/add-product/",
        {"url": client.url(f"/api/products/{product_id}/"), "quantity": 1},
    )
    if use_points:
        applied = client.post("/api/club/me/basket/points/", {"use_max": True})
        say(f"  {applied['points']} points applied: {applied['value']['amount']} off.")
    address = {**ADDRESS, "country": client.url(f"/api/countries/{country}/")}
    placed = client.post("/api/checkout/", {"basket": basket["url"], "shipping_address": address})
    say(f"Order {placed['number']}: {placed['total_incl_tax']} {placed['currency']}.")
    return placed


def wait_for_points(client: Client, *, above: int, timeout: float = 60, poll: float = 1) -> dict:
    """The balance once the order's points are in (the store's worker runs the order task)."""
    deadline = time.monotonic() + timeout
    while True:
        points = client.get("/api/club/me/points/")
        if points["available"] > above:
            return points
        if time.monotonic() > deadline:
            raise SystemExit("No points earned yet: is the store's worker (db_worker) running?")
        time.sleep(poll)


def run(
    base_url: str,
    *,
    email: str,
    password: str,
    product_id: int | None = None,
    country: str = "IL",
    language: str = "en",
    wait: Callable[[Client, int], dict] | None = None,
) -> dict:
    """join → order → earn → apply points → order; returns what the journey saw."""
    wait = wait or (lambda client, above: wait_for_points(client, above=above))
    client = Client(base_url, language=language)
    sign_in(client, email, password)
    membership = join(client, first_name=email.split("@")[0].title())
    product_id = product_id or first_buyable_product(client)

    before = client.get("/api/club/me/points/")["available"]
    first = order(client, product_id, country=country)
    earned = wait(client, before)
    say(f"Earned: {earned['available'] - before} points, {earned['available']} available.")

    second = order(client, product_id, country=country, use_points=True)
    points = client.get("/api/club/me/points/")
    history = client.get("/api/club/me/points/history/")["results"]
    say(f"Balance now {points['balance']} ({points['reserved']} held by the last order).")
    for entry in history:
        say(f"  {entry['created_at'][:10]}  {entry['points']:>6}  {entry['reason']}")
    return {
        "membership": membership,
        "orders": [first, second],
        "earned": earned,
        "points": points,
        "history": history,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--product", type=int, help="a product id (GET /api/products/)")
    parser.add_argument("--country", default="IL", help="the shipping country's ISO code")
    parser.add_argument("--language", default="en", help="Accept-Language (he, en)")
    args = parser.parse_args(argv)
    try:
        run(
            args.base_url,
            email=args.email,
            password=args.password,
            product_id=args.product,
            country=args.country,
            language=args.language,
        )
    except APIError as error:
        sys.stderr.write(f"The store answered {error.status}: {json.dumps(error.body)}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
