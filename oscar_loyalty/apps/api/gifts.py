"""``me/gifts/``: the gift vouchers waiting for the member, as the member's home lists them.

"Waiting for you" on the home is filled by the installed apps (the
``gifts_waiting`` slot): the offers app's welcome and birthday gifts
(``offers.gifts.waiting_gifts``) and the referrals app's gift from a friend's
code (``referrals.services.waiting_friend_gift``). The API asks the same
services, each only when its app is installed.
"""

from __future__ import annotations

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.response import Response

from .views import ClubAPIView, documented


class GiftSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["welcome", "birthday", "friend"])
    kind_display = serializers.CharField()
    code = serializers.CharField(help_text="The voucher code to add to the basket.")
    valid_from = serializers.DateTimeField()
    valid_until = serializers.DateTimeField()


def waiting(member, user, *, now) -> list[dict]:
    items = []
    if apps.is_installed("oscar_loyalty.apps.offers"):
        from oscar_loyalty.apps.offers.gifts import waiting_gifts

        for gift in waiting_gifts(member, now=now):
            items.append(
                {
                    "kind": gift.kind,
                    "kind_display": gift.get_kind_display(),
                    "voucher": gift.voucher,
                }
            )
    if apps.is_installed("oscar_loyalty.apps.referrals"):
        from oscar_loyalty.apps.referrals.services import waiting_friend_gift

        voucher = waiting_friend_gift(user, now=now)
        if voucher is not None:
            items.append(
                {"kind": "friend", "kind_display": _("Your friend's gift"), "voucher": voucher}
            )
    return [
        {
            "kind": item["kind"],
            "kind_display": item["kind_display"],
            "code": item["voucher"].code,
            "valid_from": item["voucher"].start_datetime,
            "valid_until": item["voucher"].end_datetime,
        }
        for item in items
    ]


class GiftsView(ClubAPIView):
    @documented(
        responses={200: GiftSerializer(many=True)},
        problems=(404,),
        description="Gift vouchers waiting for the member (not used, still valid), "
        "as the member's home lists them. Add one to the basket by its code.",
    )
    def get(self, request):
        member = self.get_member()
        return Response(
            GiftSerializer(waiting(member, request.user, now=timezone.now()), many=True).data
        )
