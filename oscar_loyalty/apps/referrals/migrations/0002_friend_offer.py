"""The voucher offer behind the new customer's gift: 10 % off a first order (no longer made here).

Since issue #18 this migration creates nothing: its rows took primary key 1
and a range holding every product in stores (and Oscar's own tests) that
expect only their own rows. ``friend_offer.ensure_friend_offer`` creates the
offer when the first friend's voucher is issued. Databases migrated before
keep the rows it made.

A voucher offer gives nothing by itself: only the single-use vouchers issued
to referred customers use it. Staff change the discount (or its range) in
Oscar's offers dashboard; ``OSCAR_LOYALTY_REFERRALS_FRIEND_OFFER`` names it
by ``slug``.
"""

from django.db import migrations

SLUG = "referral-friend"
RANGE_SLUG = "referral-friend-everything"


def create_offer(apps, schema_editor):
    ConditionalOffer = apps.get_model("offer", "ConditionalOffer")
    Condition = apps.get_model("offer", "Condition")
    Benefit = apps.get_model("offer", "Benefit")
    Range = apps.get_model("offer", "Range")
    if ConditionalOffer.objects.filter(slug=SLUG).exists():
        return
    everything, _created = Range.objects.get_or_create(
        slug=RANGE_SLUG,
        defaults={"name": "Everything (refer a friend)", "includes_all_products": True},
    )
    ConditionalOffer.objects.create(
        name="Friend's first order",
        slug=SLUG,
        description="10% off the first order of a customer a club member referred.",
        offer_type="Voucher",
        exclusive=True,
        status="Open",
        max_basket_applications=1,
        condition=Condition.objects.create(type="Count", value=1, range=everything),
        benefit=Benefit.objects.create(type="Percentage", value=10, range=everything),
    )


def delete_offer(apps, schema_editor):
    ConditionalOffer = apps.get_model("offer", "ConditionalOffer")
    Range = apps.get_model("offer", "Range")
    for offer in ConditionalOffer.objects.filter(slug=SLUG):
        condition, benefit = offer.condition, offer.benefit
        offer.delete()
        condition.delete()
        benefit.delete()
    Range.objects.filter(slug=RANGE_SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("loyalty_referrals", "0001_initial"),
        ("offer", "__first__"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, delete_offer)]
