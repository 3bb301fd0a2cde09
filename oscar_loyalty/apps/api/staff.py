"""``staff/members/lookup/``: find a member by card, email or phone, for the store's staff apps.

Partner-agnostic: no partner key, the staff member's own sign-in (token or
session) and Django's ``loyalty_membership.view_member`` permission (the
"view member" permission Django makes for the model; the dashboard's member
pages are behind staff status). Without it the answer is 403 before the
body is even read, so nobody learns whether a card or an address exists.

* Exact matches only (a card number, a whole address, a whole number), no
  search: a staff app names a customer, it cannot list them.
* POST, so email addresses and phone numbers stay out of access logs.
* Every request counts against ``OSCAR_LOYALTY_API_STAFF_LOOKUP_RATE_LIMIT``
  per staff user, found or not.
* The answer is what a cashier needs: number, name, plan, tier, status and
  points; not the email address, the phone or the address.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.core.loading import get_model
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from oscar_loyalty import app_settings, ratelimit
from oscar_loyalty.apps.membership import services as membership_services
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.points import services as points_services
from oscar_loyalty.exceptions import MemberNotFound

from .serializers import PlanSerializer, TierRefSerializer
from .views import ClubAPIView, documented

UserAddress = get_model("address", "UserAddress")

PERMISSION = "loyalty_membership.view_member"
#: At most this many members for one email address or phone number.
MAX_MATCHES = 10


class CanLookUpMembers(BasePermission):
    message = gettext_lazy("You are not allowed to look up club members.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(PERMISSION))


class LookupSerializer(serializers.Serializer):
    """Exactly one of ``card``, ``email`` and ``phone``."""

    card = serializers.CharField(required=False, max_length=64, help_text="Typed or scanned.")
    email = serializers.EmailField(required=False, max_length=254)
    phone = serializers.CharField(
        required=False,
        max_length=32,
        help_text="International (+972…), or local in the store's PHONENUMBER_DEFAULT_REGION.",
    )

    def validate(self, data):
        if len(data) != 1:
            raise serializers.ValidationError(_("Send exactly one of card, email and phone."))
        return data

    def validate_phone(self, value: str) -> str:
        import phonenumbers

        # The club's own region (the members' numbers are read in it), else the store's.
        region = getattr(settings, "PHONENUMBER_DEFAULT_REGION", None) or app_settings.PHONE_REGION
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise serializers.ValidationError(_("This is not a valid phone number."))
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class FoundPointsSerializer(serializers.Serializer):
    balance = serializers.IntegerField()
    available = serializers.IntegerField()
    pending = serializers.IntegerField()


class FoundMemberSerializer(serializers.Serializer):
    number = serializers.CharField()
    formatted_number = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    plan = PlanSerializer()
    tier = TierRefSerializer(allow_null=True)
    status = serializers.ChoiceField(choices=[c for c, _label in Member.STATUS_CHOICES])
    has_benefits = serializers.BooleanField()
    points = FoundPointsSerializer()


class LookupResultSerializer(serializers.Serializer):
    members = FoundMemberSerializer(many=True)


def find(data: dict) -> list[Member]:
    if "card" in data:
        member = membership_services.find_member_by_number(data["card"])
        if member.user_id is None:  # an erased account's card: nobody to find
            raise MemberNotFound()
        return [member]
    members = Member.objects.select_related("user", "plan", "tier")
    if "email" in data:
        users = get_user_model().objects.filter(email__iexact=data["email"].strip())
    else:
        # The member's own mobile number (E.164), or one in Oscar's address book.
        users = UserAddress.objects.filter(phone_number=data["phone"]).values("user_id")
        users = get_user_model().objects.filter(pk__in=users)
        members = members.filter(Q(user__in=users) | Q(phone=data["phone"]))
        return _found(members.filter(user__isnull=False))
    return _found(members.filter(user__in=users))


def _found(members) -> list[Member]:
    found = list(members.order_by("pk")[:MAX_MATCHES])
    if not found:
        raise MemberNotFound()
    return found


def summary(member: Member, *, now) -> dict:
    points = points_services.get_overview(member.user, now=now).summary
    user = member.user
    return {
        "number": member.number,
        "formatted_number": member.formatted_number,
        "first_name": user.first_name if user else "",
        "last_name": user.last_name if user else "",
        "plan": member.plan,
        "tier": member.tier,
        "status": member.status,
        "has_benefits": member.has_benefits(now),
        "points": {
            "balance": points.balance,
            "available": points.available,
            "pending": points.pending,
        },
    }


class MemberLookupView(ClubAPIView):
    permission_classes = [CanLookUpMembers]

    @documented(
        request=LookupSerializer,
        responses={200: LookupResultSerializer},
        problems=(400, 404, 429),
        description="Staff: the member with this card number, or the members with this "
        "email address or phone number (exact matches). Needs the "
        "loyalty_membership.view_member permission.",
    )
    def post(self, request):
        ratelimit.hit(
            "api_staff_lookup",
            f"user:{request.user.pk}",
            limit=app_settings.API_STAFF_LOOKUP_RATE_LIMIT,
        )
        body = LookupSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        now = timezone.now()
        members = [summary(member, now=now) for member in find(body.validated_data)]
        return Response(LookupResultSerializer({"members": members}).data)
