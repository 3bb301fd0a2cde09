"""Joining the club through the API: the plans, a free plan's join, a paid plan into the basket.

The web's join page, as JSON, through the same services:

* ``GET plans/``: every plan a shopper may join, with prices and names in the
  request's language; free plans are joined here, paid plans are bought.
* ``GET join/``: what the join form shows, the free plans and the consent
  wording of each offered channel (its version and exact text).
* ``POST join/``: join a free plan; each consent names the wording the app
  showed, echoed back exactly. ``membership.services.join_club`` records the
  consents as the web form does (source ``join``, the client's IP address and
  user agent, the wording's version and text), after
  ``consent.wording.confirm_shown`` has checked that the wording echoed is the
  wording in force: a consent to another text is no consent to this one.
* ``POST me/basket/plan/``: a paid plan's product into the member's basket,
  as Oscar's add-to-basket form does it; the order's task activates the
  membership (``membership.services.activate_memberships_for_order``), as
  for the web checkout or django-oscar-api's.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from oscar.core.loading import get_class
from rest_framework import serializers as fields
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from oscar_loyalty import app_settings
from oscar_loyalty.apps.consent.wording import CHANNELS, MARKETING, confirm_shown, get_wording
from oscar_loyalty.apps.membership import services as membership_services
from oscar_loyalty.apps.membership.models import Plan
from oscar_loyalty.exceptions import AlreadyMember, PlanUnavailable

from . import serializers
from .views import ClubAPIView, documented, member_basket, money, reapply_offers

AddToBasketForm = get_class("basket.forms", "AddToBasketForm")
basket_addition = get_class("basket.signals", "basket_addition")


# What the API answers and reads ----------------------------------------------


class OfferedPlanSerializer(serializers.PlanSerializer):
    description = fields.CharField(source="display_description")
    price = serializers.MoneySerializer()
    period_months = fields.IntegerField(
        allow_null=True, help_text="null: a membership without end."
    )
    card_transferable = fields.BooleanField()
    product = fields.IntegerField(
        source="product_id",
        allow_null=True,
        help_text="A paid plan's product (django-oscar-api's product id); null for a free plan.",
    )
    how_to_join = fields.ChoiceField(
        choices=["join", "basket"],
        help_text="join: POST join/; basket: POST me/basket/plan/ and check out.",
    )


class ConsentWordingSerializer(fields.Serializer):
    purpose = fields.CharField()
    channel = fields.CharField()
    channel_name = fields.CharField()
    version = fields.CharField()
    text = fields.CharField(help_text="Show it exactly, beside an unticked box.")


class JoinFormSerializer(fields.Serializer):
    plans = OfferedPlanSerializer(many=True, help_text="The free plans, the default first.")
    consents = ConsentWordingSerializer(many=True)
    requires_first_name = fields.BooleanField(
        help_text="The signed-in user has no first name: send first_name with the join."
    )


class ShownConsentSerializer(fields.Serializer):
    """A ticked box: its channel and the wording shown beside it, echoed back."""

    channel = fields.CharField()
    version = fields.CharField()
    text = fields.CharField(trim_whitespace=False)

    def validate_channel(self, channel):
        if channel not in app_settings.CONSENT_CHANNELS_OFFERED:
            raise ValidationError(_("This channel is not offered."))
        return channel


class JoinSerializer(fields.Serializer):
    plan = fields.CharField(
        required=False, help_text="A free plan's code; the default plan when left out."
    )
    consents = ShownConsentSerializer(many=True, required=False, default=list)
    first_name = fields.CharField(max_length=150, required=False)
    last_name = fields.CharField(max_length=150, required=False, allow_blank=True)

    def validate_consents(self, consents):
        channels = [consent["channel"] for consent in consents]
        if len(set(channels)) != len(channels):
            raise ValidationError(_("Each channel may be given once."))
        return consents


class PlanChoiceSerializer(fields.Serializer):
    plan = fields.CharField(help_text="A paid plan's code.")


class BasketPlanSerializer(fields.Serializer):
    plan = OfferedPlanSerializer()
    quantity = fields.IntegerField(help_text="How many of the plan's product the basket holds.")
    basket_total = serializers.MoneySerializer()


# Values ---------------------------------------------------------------------


def offered_plans():
    return Plan.objects.filter(is_active=True).order_by("position", "price", "pk")


def plan_data(plan: Plan) -> dict:
    return {
        "slug": plan.slug,
        "display_name": plan.display_name,
        "display_description": plan.display_description,
        "is_paid": plan.is_paid,
        "price": money(plan.price),
        "period_months": plan.period_months,
        "card_transferable": plan.card_transferable,
        "product_id": plan.product_id,
        "how_to_join": "basket" if plan.is_paid else "join",
    }


def wording_data(channel: str) -> dict:
    wording = get_wording(MARKETING, channel)
    return {
        "purpose": wording.purpose,
        "channel": channel,
        "channel_name": str(CHANNELS[channel]),
        "version": wording.version,
        "text": wording.text,
    }


def membership_data(member) -> dict:
    return {
        "number": member.number,
        "plan": member.plan,
        "status": member.status,
        "has_benefits": member.has_benefits(),
        "joined_at": member.joined_at,
        "expires_at": member.expires_at,
    }


def plan_by_code(code: str, *, field: str = "plan") -> Plan:
    plan = offered_plans().select_related("product").filter(slug=code).first()
    if plan is None:
        raise ValidationError({field: [_("There is no such plan.")]})
    return plan


# Views ----------------------------------------------------------------------


class PlansView(ClubAPIView):
    permission_classes = [AllowAny]

    @documented(
        responses={200: OfferedPlanSerializer(many=True)},
        public=True,
        description="The plans a shopper may join, in the request's language. Needs no sign-in.",
    )
    def get(self, request):
        plans = [plan_data(plan) for plan in offered_plans()]
        return Response(OfferedPlanSerializer(plans, many=True).data)


class JoinView(ClubAPIView):
    def get_permissions(self):
        if self.request.method == "GET":
            return [AllowAny()]
        return super().get_permissions()

    @documented(
        responses={200: JoinFormSerializer},
        public=True,
        description="What the join form shows: the free plans and the consent wording per "
        "channel, in the request's language. Needs no sign-in.",
    )
    def get(self, request):
        user = request.user
        data = {
            "plans": [plan_data(plan) for plan in offered_plans().filter(price=0)],
            "consents": [wording_data(c) for c in app_settings.CONSENT_CHANNELS_OFFERED],
            "requires_first_name": bool(user.is_authenticated and not user.first_name),
        }
        return Response(JoinFormSerializer(data).data)

    @documented(
        request=JoinSerializer,
        responses={201: serializers.MembershipSerializer},
        problems=(400, 409),
        description="Join a free plan. Each consent echoes the wording shown (version and "
        "text, from GET join/ in the same language); a wording changed since or altered is "
        "a 409 consent-wording-changed, and nothing is recorded.",
    )
    def post(self, request):
        form = JoinSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        user = request.user
        if membership_services.get_member(user) is not None:
            raise AlreadyMember()
        plan = plan_by_code(data["plan"]) if data.get("plan") else None
        if plan is not None and plan.is_paid:
            raise PlanUnavailable(
                _("This plan is sold in the shop: add it to your basket to join.")
            )
        # Before anything is written: every echoed wording must be the one in force.
        channels = [
            confirm_shown(MARKETING, c["channel"], version=c["version"], text=c["text"]).channel
            for c in data["consents"]
        ]
        if not user.first_name and not data.get("first_name", "").strip():
            # As the web form: the club's mails greet the member by name.
            raise ValidationError({"first_name": [_("This field is required.")]})
        if data.get("first_name", "").strip():
            membership_services.record_names(
                user, first_name=data["first_name"], last_name=data.get("last_name", "")
            )
        django_request = request._request
        member = membership_services.join_club(
            user,
            plan=plan,
            consent_channels=channels,
            source="join",
            request=django_request,
            language=getattr(django_request, "LANGUAGE_CODE", "") or "",
        )
        return Response(serializers.MembershipSerializer(membership_data(member)).data, status=201)


class BasketPlanView(ClubAPIView):
    """A paid plan's product into the current basket, as the product page's button."""

    @documented(
        request=PlanChoiceSerializer,
        responses={200: BasketPlanSerializer},
        problems=(400, 409),
        description="Put a paid plan's product into the current basket; the membership "
        "starts when the order is placed (web checkout or django-oscar-api's).",
    )
    def post(self, request):
        form = PlanChoiceSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        plan = plan_by_code(form.validated_data["plan"])
        if not plan.is_paid or plan.product is None:
            raise PlanUnavailable(_("This plan is free: join it instead."))
        basket = member_basket(request)
        # Oscar's add-to-basket form: the basket's own checks (its quantity
        # limit, the product's availability for this shopper's strategy).
        add = AddToBasketForm(basket, plan.product, data={"quantity": 1})
        if not add.is_valid():
            raise PlanUnavailable(" ".join(str(m) for e in add.errors.values() for m in e))
        basket.add_product(plan.product, 1, add.cleaned_options())
        basket_addition.send(
            sender=self, product=plan.product, user=request.user, request=request._request
        )
        reapply_offers(request, basket)
        line = basket.all_lines().filter(product=plan.product).first()
        data = {
            "plan": plan_data(plan),
            "quantity": line.quantity if line else 0,
            "basket_total": money(basket.total_incl_tax, basket.currency),
        }
        return Response(BasketPlanSerializer(data).data)
