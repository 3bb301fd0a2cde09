"""019's delivery reports, asked for (pulled) rather than pushed: ``poll_reports``.

019 documents a pull API for delivery reports (https://docs.019sms.co.il/sms/reports.html,
"Get delivery reports (DLR) basic"): ``POST /api`` with::

    <dlr><user><username>…</username></user>
      <transactions><external_id>…</external_id>…</transactions>
      <from>dd/mm/yy hh:mm</from><to>dd/mm/yy hh:mm</to></dlr>

at most 1000 external ids per request and a range of at most a week. The
external ids are ours (``<phone id="…">`` of the send, kept on the row as
``019:<id>``), so nothing in the answer has to be guessed to find the row.
The answer has one ``transaction`` per message with its ``status``
(https://docs.textme.co.il/sms/errors-and-status.html, "DLR statuses", the
same platform's reference: "the possible statuses a transaction in dlr
response can be").

Each status goes through the services the webhooks of the other providers
use (``inbound``): 0 and 102 ("reached the destination") confirm a row a
dead worker left ``sending``; 15 (a kosher number, which takes no SMS)
bounces it and suppresses the number on SMS; 17 ("blocked for advertising
messages") and 201 ("blocked on request") say the number is on 019's
removal list (its owner answered "הסר" to 019, see ``add_unsubscribe``), a
refusal: the number is suppressed and the member's SMS consent withdrawn,
with the evidence. Every other status (-1 sent without a delivery report
yet, phone off, expired, …) changes nothing and the row is asked about again
at the next poll, until it is a week old. A replay changes nothing twice.

A send that 019 refused with status 8 ("All numbers are on a blocked
list") is the same refusal, known at once: the row failed with that error,
and each poll records the refusal of such rows of the last week
(``record_blocked_sends``), then bounces them so it is recorded once.

A 5xx, a throttle, no answer or an unreadable one stops the poll: the rows
not settled are simply asked about again next time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from ..models import OutboxMessage
from . import inbound
from .base import ChannelAPIError
from .hooks import BadWebhook, parse_xml, provider_options
from .sms019 import BLOCKED_LIST, Sms019Backend

logger = logging.getLogger(__name__)

PROVIDER = Sms019Backend.name
#: 019's limits for one DLR request.
MAX_IDS, MAX_RANGE = 1000, timedelta(days=7)
#: 019 writes its dates in Israel's local time.
TIME_ZONE = ZoneInfo("Asia/Jerusalem")

DELIVERED = {"0", "102"}
#: The number cannot take SMS at all: a kosher phone.
PERMANENT = {"15"}
#: The number is on 019's removal list: "blocked for advertising messages",
#: "blocked on request".
REMOVAL_LIST = {"17", "201"}
VIA = "019's removal list"


def outcome(status: str) -> str:
    """The ``inbound`` outcome of one of 019's DLR statuses."""
    if status in DELIVERED:
        return inbound.DELIVERED
    if status in PERMANENT:
        return inbound.FAILED_PERMANENTLY
    return inbound.FAILED_TRANSIENTLY


def due_ids(*, now: datetime) -> list[str]:
    """019's external ids of the SMS rows sent in the last week with no final report yet.

    ``sent`` rows (019 accepted them; a delivered report leaves them ``sent``
    and is asked about again, harmlessly, until the week is over) and
    ``sending`` rows (a dead worker's: a delivered report confirms them);
    bounced rows had their final report.
    """
    since = now - MAX_RANGE
    rows = OutboxMessage.objects.filter(
        Q(status=OutboxMessage.SENT, sent_at__gte=since)
        # A "sending" row's lease was set when it was handed to 019.
        | Q(status=OutboxMessage.SENDING, lease_until__gte=since),
        channel="sms",
        esp_message_id__startswith=f"{PROVIDER}:",
    ).order_by("pk")
    prefix = len(PROVIDER) + 1
    return [key[prefix:] for key in rows.values_list("esp_message_id", flat=True)]


def record_blocked_sends(*, now: datetime) -> int:
    """Record as refusals the sends 019 refused because the number is on its blocked list."""
    rows = OutboxMessage.objects.filter(
        status=OutboxMessage.FAILED,
        channel="sms",
        esp_message_id__startswith=f"{PROVIDER}:",
        error__startswith=f"{BLOCKED_LIST}:",
        lease_until__gte=now - MAX_RANGE,  # set when the row was handed to 019
    ).order_by("pk")
    prefix, refused = len(PROVIDER) + 1, 0
    for key in rows.values_list("esp_message_id", flat=True):
        refused += inbound.receive_provider_refusal(
            channel="sms", provider=PROVIDER, message_id=key[prefix:],
            via=f"{VIA} (send status {BLOCKED_LIST})", now=now,
        )  # fmt: skip
    return refused


def _date(moment: datetime) -> str:
    return moment.astimezone(TIME_ZONE).strftime("%d/%m/%y %H:%M")


def build_request(backend: Sms019Backend, ids: list[str], *, now: datetime) -> str:
    root = ElementTree.Element("dlr")
    user = ElementTree.SubElement(root, "user")
    ElementTree.SubElement(user, "username").text = backend.username
    transactions = ElementTree.SubElement(root, "transactions")
    for external_id in ids:
        ElementTree.SubElement(transactions, "external_id").text = external_id
    # A minute inside the week: 019 refuses a range longer than one.
    ElementTree.SubElement(root, "from").text = _date(now - MAX_RANGE + timedelta(minutes=1))
    ElementTree.SubElement(root, "to").text = _date(now)
    xml = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>{xml}'


def parse_answer(body: bytes) -> dict[str, str]:
    """``{external id: status}`` of an answer; raises ``ChannelAPIError`` if it is no answer."""
    try:
        root = parse_xml(body)
    except BadWebhook as exc:  # no XML, or a DTD (entities are never expanded)
        text = body.decode("utf-8", "replace")
        raise ChannelAPIError("019: unreadable DLR answer", body=text) from exc
    status = root.findtext("status")
    if status is not None and status.strip() != "0":
        # The request was refused (a bad token, a range over a week): nothing to read.
        raise ChannelAPIError(
            f"019 refused the DLR request: {status.strip()} {root.findtext('message') or ''}",
            status_code=400,
        )
    reports = {}
    for transaction in root.iter("transaction"):
        external_id = (transaction.findtext("external_id") or "").strip()
        report = (transaction.findtext("status") or "").strip()
        if external_id and report:
            reports[external_id] = report
    return reports


def poll_reports(*, now: datetime | None = None, backend: Sms019Backend | None = None) -> dict:
    """Ask 019 for the reports of the due rows, ≤1000 ids a request, and apply them.

    Returns counts: ``asked``, ``delivered``, ``bounced``, ``refused``
    (rows changed) and ``error`` (why the poll stopped early, "" if it did not).
    """
    now = now or timezone.now()
    if backend is None:
        options = provider_options("Sms019Backend")
        if not options:
            return {"asked": 0, "delivered": 0, "bounced": 0, "refused": 0, "error": ""}
        backend = Sms019Backend(**options)
    ids = due_ids(now=now)
    totals = {"asked": 0, "delivered": 0, "bounced": 0, "refused": 0, "error": ""}
    totals["refused"] += record_blocked_sends(now=now)
    for start in range(0, len(ids), MAX_IDS):
        batch = ids[start : start + MAX_IDS]
        try:
            response = backend.http(
                "POST",
                f"{backend.base_url.rstrip('/')}/api",
                data=build_request(backend, batch, now=now).encode("utf-8"),
                headers={
                    "Authorization": f"Bearer {backend.token}",
                    "Content-Type": "application/xml; charset=utf-8",
                },
            )
            reports = parse_answer(response.content)
        except ChannelAPIError as exc:
            # Down, throttled, refused or unreadable: the rest are asked next time.
            logger.warning("019 DLR poll stopped: %s", exc)
            totals["error"] = str(exc)[:500]
            break
        totals["asked"] += len(batch)
        asked = set(batch)
        for external_id, status in reports.items():
            if external_id not in asked:
                continue  # not ours, or not due: never trusted to name a row
            if status in REMOVAL_LIST:
                totals["refused"] += inbound.receive_provider_refusal(
                    channel="sms", provider=PROVIDER, message_id=external_id,
                    via=f"{VIA} (DLR status {status})", now=now,
                )  # fmt: skip
                continue
            result = outcome(status)
            changed = inbound.receive_report(
                channel="sms", provider=PROVIDER, message_id=external_id,
                outcome=result, error=f"019 DLR status {status}",
            )  # fmt: skip
            key = "delivered" if result == inbound.DELIVERED else "bounced"
            totals[key] += changed if result != inbound.FAILED_TRANSIENTLY else 0
    return totals
