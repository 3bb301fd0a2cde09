"""``rewards/`` and ``rewards/<id>/redeem/``: the rewards catalogue, as the member's home lists it.

Mounted only with the rewards app. The list is the page's
(``rewards.services.catalogue_for``): the rewards the member is eligible
for, each with why it cannot be redeemed now (``null``: it can). Redeeming
is the page's button (``rewards.services.redeem``): the client sends an
``Idempotency-Key`` header, and the same key again answers the first
redemption (200 rather than 201) and changes nothing. Refusals are
problems: out of stock, the limit reached and not enough points are
conflicts with the current state (409).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from oscar_loyalty import app_settings, ratelimit
from oscar_loyalty import exceptions as domain
from oscar_loyalty.apps.points import services as points_services
from oscar_loyalty.apps.rewards import services
from oscar_loyalty.apps.rewards.models import Reward, RewardRedemption

from .problems import DOMAIN_STATUS
from .serializers import MoneySerializer
from .views import ClubAPIView, documented, member_basket, money, reapply_offers

# A reward refused by the state of its stock, the member's count or basket: a conflict.
for _error in (domain.RewardOutOfStock, domain.RewardLimitReached, domain.RewardUnavailable):
    DOMAIN_STATUS.setdefault(_error, 409)


class RewardSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="reward.pk")
    name = serializers.CharField(source="reward.display_name")
    description = serializers.CharField(source="reward.display_description")
    kind = serializers.ChoiceField(source="reward.kind", choices=Reward.KIND_CHOICES)
    points = serializers.IntegerField(source="reward.points")
    cash = serializers.SerializerMethodField(help_text="Points plus cash: the price still paid.")
    stock = serializers.IntegerField(
        source="reward.stock", allow_null=True, help_text="Units left; null: unlimited."
    )
    redeemed = serializers.IntegerField(help_text="By this member, still held.")
    refusal = serializers.CharField(
        allow_null=True, help_text="Why it cannot be redeemed now; null: it can."
    )

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_cash(self, item) -> dict | None:
        reward = item.reward
        if reward.kind != Reward.POINTS_PLUS_CASH:
            return None
        return MoneySerializer(money(reward.cash)).data


class RedemptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reward = serializers.IntegerField(source="reward_id")
    status = serializers.ChoiceField(choices=RewardRedemption.STATUS_CHOICES)
    points = serializers.IntegerField()
    voucher_code = serializers.CharField(
        source="voucher.code", allow_null=True, default=None, help_text="Voucher rewards."
    )
    in_basket_until = serializers.DateTimeField(
        source="expires_at", allow_null=True, help_text="Basket rewards: held until."
    )


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="One per redemption the member asks for (1-100 printable characters).",
)


class RewardsView(ClubAPIView):
    @documented(
        responses={200: RewardSerializer(many=True)},
        problems=(404,),
        description="The rewards the member can see, each with why it cannot be redeemed now.",
    )
    def get(self, request):
        member = self.get_member()
        summary = points_services.get_summary(request.user)
        items = services.catalogue_for(member, available_points=summary.available)
        return Response(RewardSerializer(items, many=True).data)


class RedeemView(ClubAPIView):
    @documented(
        request=None,
        parameters=[
            IDEMPOTENCY_KEY,
            # The URL's ``<int:pk>`` takes digits only: a negative id reaches no view
            # (Django's HTML 404), so the schema says so (found by Schemathesis).
            OpenApiParameter(
                "id", {"type": "integer", "minimum": 0}, OpenApiParameter.PATH, required=True
            ),
        ],
        responses={201: RedemptionSerializer, 200: RedemptionSerializer},
        problems=(400, 404, 409, 429),
        description="Redeem a reward: points are debited at once; a gift or a product for "
        "points plus cash goes into the member's basket, a voucher's code is answered.",
    )
    def post(self, request, pk):
        member = self.get_member()
        ratelimit.hit(
            "rewards_redeem", f"user:{request.user.pk}", limit=app_settings.POINTS_RATE_LIMIT
        )
        reward = get_object_or_404(Reward, pk=pk)
        key = request.headers.get("Idempotency-Key", "")
        if not key:
            raise domain.RewardError(_("Send an Idempotency-Key header with each redemption."))
        basket = member_basket(request) if reward.in_basket else None
        before = RewardRedemption.objects.filter(request_key=f"{member.pk}:{key.strip()}")
        replay = before.exists()
        redemption = services.redeem(member, reward, request_key=key, basket=basket)
        if basket is not None:
            reapply_offers(request, basket)
        return Response(RedemptionSerializer(redemption).data, status=200 if replay else 201)
