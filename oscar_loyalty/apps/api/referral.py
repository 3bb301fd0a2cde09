"""``me/referral/``: the member's code, share link and how their friends are doing.

Mounted only with the referrals app. The code is the account page's
(``referrals.services.get_code``, created on first use), the link and the
share text are the page's, the numbers ``referrals.stats.member_stats``. The
friends are listed without a name or an address: a date, a status and the reward.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.response import Response

from oscar_loyalty.apps.referrals import services, stats
from oscar_loyalty.apps.referrals.models import Referral

from .views import ClubAPIView, documented

#: Friends listed, newest first (the account page's own cut).
LISTED = 100


class ReferralStatsSerializer(serializers.Serializer):
    visits = serializers.IntegerField(help_text="Visits through the share link.")
    sign_ups = serializers.IntegerField(help_text="Friends who used the code.")
    first_orders = serializers.IntegerField()
    pending = serializers.IntegerField(help_text="Rewards waiting for the return window.")
    rewards = serializers.IntegerField()
    points = serializers.IntegerField(help_text="Points earned from friends' first orders.")


class FriendSerializer(serializers.Serializer):
    created_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=Referral.STATUS_CHOICES)
    status_display = serializers.CharField(source="get_status_display")
    reward_points = serializers.IntegerField(source="referrer_points")
    reward_pending_until = serializers.DateTimeField(source="matures_at", allow_null=True)


class ReferralSerializer(serializers.Serializer):
    code = serializers.CharField()
    link = serializers.URLField()
    share_text = serializers.CharField(help_text="The account page's text, with the link.")
    stats = ReferralStatsSerializer()
    friends = FriendSerializer(many=True, help_text=f"The newest {LISTED}.")


class ReferralView(ClubAPIView):
    @documented(
        responses={200: ReferralSerializer},
        problems=(404,),
        description="The member's referral code and share link, and their friends' progress.",
    )
    def get(self, request):
        member = self.get_member()
        code = services.get_code(member)
        link = request.build_absolute_uri(
            reverse("loyalty:referral-link", kwargs={"code": code.code})
        )
        data = {
            "code": code.code,
            "link": link,
            "share_text": _("Join me at %(shop)s and get a gift on your first order: %(link)s")
            % {"shop": settings.OSCAR_SHOP_NAME, "link": link},
            "stats": stats.member_stats(member).__dict__,
            "friends": list(services.referrals_made(member)[:LISTED]),
        }
        return Response(ReferralSerializer(data).data)
