"""``me/basket/earn/``: "you will earn N points" for the current basket.

The number is the basket page's own (``points.earning.preview_quote``, the
store's ``EarningPolicy.quote_basket`` for the basket's member), with the
lines it comes from. The basket is the one ``me/basket/points/`` works on
(``views.member_basket``): the session's basket for a storefront on the
store's domain, the member's open basket for a token.
"""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers
from rest_framework.response import Response

from oscar_loyalty.apps.membership.baskets import basket_member
from oscar_loyalty.apps.points.earning import preview_quote

from .serializers import MoneySerializer
from .views import ClubAPIView, documented, member_basket, money


class EarnLineSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(
        allow_null=True, help_text="The basket line; null for the shipping charge."
    )
    product_id = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    quantity = serializers.IntegerField()
    amount = MoneySerializer(help_text="What the line pays that earns points.")
    rate = serializers.DecimalField(
        max_digits=16, decimal_places=4, help_text="Points per currency unit."
    )
    points = serializers.IntegerField()


class EarnSerializer(serializers.Serializer):
    points = serializers.IntegerField(
        help_text="Points the basket would earn now: the basket page's figure."
    )
    lines = EarnLineSerializer(many=True)


class BasketEarnView(ClubAPIView):
    @documented(
        responses={200: EarnSerializer},
        description='"You will earn N points" for the current basket, line by line. '
        "0 and no lines for a user who is not a member, or whose membership has ended.",
    )
    def get(self, request):
        basket = member_basket(request)
        currency = basket.currency
        quote = preview_quote(basket, basket_member(basket), now=timezone.now())
        lines = []
        for quoted in quote.lines:
            line = quoted.line
            lines.append(
                {
                    "line_id": getattr(line, "pk", None),
                    "product_id": getattr(line, "product_id", None),
                    "title": line.product.get_title() if line is not None else "",
                    "quantity": quoted.quantity,
                    "amount": money(quoted.amount, currency),
                    "rate": quoted.rate,
                    "points": quoted.points,
                }
            )
        return Response(EarnSerializer({"points": quote.points, "lines": lines}).data)
