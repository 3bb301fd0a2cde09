"""What the API answers: plain serializers over the services' values (read-only)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class MoneySerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()


class PlanSerializer(serializers.Serializer):
    code = serializers.CharField(source="slug")
    name = serializers.CharField(source="display_name")
    is_paid = serializers.BooleanField()


class MembershipSerializer(serializers.Serializer):
    number = serializers.CharField()
    plan = PlanSerializer()
    status = serializers.ChoiceField(choices=["active", "expired", "cancelled"])
    has_benefits = serializers.BooleanField()
    joined_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)


class CardSerializer(serializers.Serializer):
    number = serializers.CharField()
    formatted_number = serializers.CharField()
    qr_svg = serializers.URLField(help_text="The QR code (the member number only) as SVG.")
    qr_png = serializers.URLField(help_text="The same QR code as PNG.")


class ExpiringSerializer(serializers.Serializer):
    date = serializers.DateField()
    points = serializers.IntegerField()


class PointsSerializer(serializers.Serializer):
    balance = serializers.IntegerField()
    available = serializers.IntegerField(help_text="The balance less points held on baskets.")
    reserved = serializers.IntegerField()
    pending = serializers.IntegerField(help_text="Earned, not yet spendable.")
    debt = serializers.IntegerField()
    value = MoneySerializer(help_text="What the balance is worth.")
    expiring = ExpiringSerializer(many=True, help_text="Points still to expire, by day.")


class EntrySerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    points = serializers.IntegerField()
    reason = serializers.CharField(source="reason_display")
    order_number = serializers.CharField(source="order.number", allow_null=True, default=None)
    created_at = serializers.DateTimeField()


class TierRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="display_name")
    qualifying_spend = serializers.DecimalField(max_digits=12, decimal_places=2)


class TierSerializer(serializers.Serializer):
    tier = TierRefSerializer(allow_null=True)
    spend = serializers.DecimalField(max_digits=12, decimal_places=2)
    next_tier = TierRefSerializer(allow_null=True)
    remaining = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Spend still needed for the next tier."
    )
    percent = serializers.IntegerField(min_value=0, max_value=100)
    window_months = serializers.IntegerField()


class ApplyPointsSerializer(serializers.Serializer):
    """As the basket page's form: a number of points, or ``use_max``."""

    points = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    use_max = serializers.BooleanField(required=False, default=False)

    def validate(self, data):
        if not data.get("use_max") and data.get("points") is None:
            raise serializers.ValidationError(_("Enter how many points to apply."))
        return data


class BasketPointsSerializer(serializers.Serializer):
    points = serializers.IntegerField(help_text="Points now reserved on the basket.")
    value = MoneySerializer(help_text="Their value: the discount.")
    basket_total = MoneySerializer(help_text="The basket's total with the discount.")


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details (``application/problem+json``)."""

    type = serializers.CharField(help_text="urn:oscar-loyalty:problem:<kind>")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors: field name to messages.",
    )
