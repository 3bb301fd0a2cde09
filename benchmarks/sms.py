"""SMS campaign to 100k consenting members through the outbox, and a run killed halfway.

    python -m benchmarks.sms            # 100,000 members (SQLite, or DATABASE_URL)
    python -m benchmarks.sms --smoke    # 2,000 members

1. Fan-out: ``sending.fan_out`` of an SMS campaign (consent on SMS, the
   number's hash, quiet hours per number).
2. Sending: ``sending.process_campaign`` in this process hands chunks of 500 to
   the SMS test backend (``channels.test``: the whole §30A text is built for
   every message and kept in memory, what the "provider" received).
3. Killed and resumed: a second campaign whose worker dies (an exception at
   the ``sent`` checkpoint) right after the provider accepted the chunk that
   crosses half the audience; a worker after the lease finishes it. Every
   number must have its SMS, duplicates at most that one chunk.

The clock is fixed at a Tuesday noon in Israel, so quiet hours hold nothing
back. Members (users, members with numbers, SMS consent) are created once, in
bulk, and kept for later runs.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from benchmarks._common import (
    Targets,
    parser,
    peak_rss_mb,
    print_table,
    setup_django,
    timed,
    write_results,
)

PREFIX = "sms-bench-"
NOON = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)


class Killed(Exception):
    pass


def number(i: int) -> str:
    return f"+97252{i:07d}"  # 052-xxxxxxx: valid Israeli mobile numbers


def build_members(count: int) -> int:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from oscar_loyalty.apps.consent.models import ConsentRecord, ConsentState
    from oscar_loyalty.apps.membership.models import Member, Plan
    from oscar_loyalty.phones import number_hasher

    User = get_user_model()
    have = User.objects.filter(username__startswith=PREFIX).count()
    if have >= count:
        return have
    plan, _ = Plan.objects.get_or_create(slug="bench-club", defaults={"name": "Bench club"})
    password, now, hasher = make_password(None), timezone.now(), number_hasher("sms")
    for start in range(have, count, 5000):
        stop = min(start + 5000, count)
        with transaction.atomic():
            users = User.objects.bulk_create(
                User(username=f"{PREFIX}{i}", email="", first_name=f"R{i}", password=password)
                for i in range(start, stop)
            )
            Member.objects.bulk_create(
                Member(user=u, plan=plan, number=f"S{i:09d}", language="he", phone=number(i))
                for i, u in zip(range(start, stop), users, strict=True)
            )
            records = ConsentRecord.objects.bulk_create(
                ConsentRecord(
                    user=u,
                    purpose="marketing",
                    channel="sms",
                    action=ConsentRecord.GRANT,
                    wording_version="bench",
                    wording_text="Benchmark consent",
                    source=ConsentRecord.SOURCE_JOIN,
                    email_hash=hasher(number(i)),
                    created_at=now,
                )  # fmt: skip
                for i, u in zip(range(start, stop), users, strict=True)
            )
            ConsentState.objects.bulk_create(
                ConsentState(
                    user=u,
                    purpose="marketing",
                    channel="sms",
                    status=ConsentState.GRANTED,
                    last_record=r,
                    email_hash=r.email_hash,
                    granted_at=now,
                )  # fmt: skip
                for u, r in zip(users, records, strict=True)
            )
        print(f"  members: {stop:,}", flush=True)
    return count


def make_campaign(name: str):
    from oscar_loyalty.apps.newsletter.models import Campaign, Newsletter

    newsletter = Newsletter.objects.create(title=name, subject="SMS", language="he", live=True)
    return Campaign.objects.create(
        name=name, newsletter=newsletter, channels=["sms"],
        sms_text="{first_name}, 20% הנחה על מגפיים עד יום חמישי",
    )  # fmt: skip


def received() -> Counter:
    from oscar_loyalty.apps.newsletter.channels import test as backend

    return Counter(m.to for call in backend.outbox for m in call["messages"])


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--members", type=int, default=100_000)
    args = p.parse_args()
    count = 2_000 if args.smoke else args.members
    setup_django()
    from django.conf import settings

    settings.OSCAR_LOYALTY_SMS_SENDER_NAME = "Bench shoes"
    settings.OSCAR_LOYALTY_QUIET_DATES = ["2000-01-01"]
    from oscar_loyalty import app_settings
    from oscar_loyalty.apps.newsletter import sending
    from oscar_loyalty.apps.newsletter.channels import test as backend
    from oscar_loyalty.apps.newsletter.models import Campaign, OutboxMessage

    with timed() as t_build:
        build_members(count)
        OutboxMessage.objects.filter(campaign__name__startswith="SMS bench").delete()
    print(f"Members ready in {t_build.seconds:.1f} s", flush=True)
    backend.reset()

    campaign = make_campaign("SMS bench full")
    with timed() as t_fan:
        recipients = sending.fan_out(campaign, now=NOON)
    with timed() as t_send:
        result = sending.process_campaign(campaign.pk, now=NOON)
    got = received()
    assert len(got) == recipients == count and set(got.values()) == {1}, (len(got), recipients)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.DONE
    sample = backend.outbox[0]["messages"][0].body
    total = t_fan.seconds + t_send.seconds

    # Killed halfway (after the provider accepted a chunk), resumed after the lease.
    backend.reset()
    killed = make_campaign("SMS bench killed")
    sending.fan_out(killed, now=NOON)
    chunk = sending.channel_sending.batch_size("sms")
    half = max(1, (recipients // 2 + chunk - 1) // chunk)
    state = {"sent": 0}

    def checkpoint(name):
        if name == "sent":
            state["sent"] += 1
            if state["sent"] == half:
                raise Killed()

    real_checkpoint, sending.checkpoint = sending.checkpoint, checkpoint
    try:
        sending.process_campaign(killed.pk, now=NOON)
        raise AssertionError("the worker was not killed")
    except Killed:
        pass
    finally:
        sending.checkpoint = real_checkpoint
    later = NOON + timedelta(seconds=app_settings.NEWSLETTER_LEASE_SECONDS + 1)
    with timed() as t_resume:
        sending.process_campaign(killed.pk, now=later)
    after = received()
    duplicates = sum(after.values()) - recipients
    assert set(after) == set(got), "a number lost its SMS"
    assert 0 <= duplicates <= chunk, duplicates
    assert Campaign.objects.get(pk=killed.pk).status == Campaign.DONE

    figures = {
        "recipients": recipients,
        "fan_out_s": round(t_fan.seconds, 2),
        "send_s": round(t_send.seconds, 2),
        "total_s": round(total, 2),
        "sms_per_s": round(recipients / total, 1),
        "chunks": result["chunks"],
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "killed_resume_s": round(t_resume.seconds, 2),
        "killed_duplicates": duplicates,
        "sample_text": sample,
    }
    print_table("SMS campaign", ["Figure", "Value"], [[k, v] for k, v in figures.items()])
    targets = Targets(smoke=args.smoke)
    targets.check("no SMS lost after a kill", len(after), recipients, ok=set(after) == set(got))
    targets.check("duplicates ≤ one chunk", duplicates, chunk, ok=duplicates <= chunk)
    targets.check("100k SMS in ≤ 10 min", f"{total:.0f} s", "600 s", ok=total <= 600, timing=True)
    write_results("sms", {"figures": figures, "targets": targets.report()}, smoke=args.smoke)
    targets.exit()


if __name__ == "__main__":
    main()
