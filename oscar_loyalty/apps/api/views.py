"""The member's resources: every one is "me", the signed-in member's own.

No view takes the id of a member, account or basket: the user comes from the
authentication alone, so nobody can name another member's data. The views
are thin: the figures come from the same services as the web pages.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from oscar.core.loading import get_class
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import APIException
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from oscar_loyalty import app_settings, ratelimit, reasons
from oscar_loyalty.apps.membership import services as membership_services
from oscar_loyalty.apps.membership import tiers
from oscar_loyalty.apps.membership.numbers import card_qr_png, card_qr_svg_document
from oscar_loyalty.apps.points import redemption
from oscar_loyalty.apps.points import services as points_services
from oscar_loyalty.exceptions import NotAMember, RedemptionNotAllowed
from oscar_loyalty.money import points_to_money

from . import serializers
from .problems import PROBLEM_CONTENT_TYPE, problem_handler


class InvalidCredentials(APIException):
    status_code = 400
    default_detail = gettext_lazy("The email address or password is not correct.")
    default_code = "invalid_credentials"


def documented(*, problems: tuple[int, ...] = (), public: bool = False, **kwargs):
    """``extend_schema`` over drf-spectacular's ``AutoSchema``, with the problems listed.

    On a method, ``extend_schema`` extends DRF's ``DEFAULT_SCHEMA_CLASS``;
    naming the base here spares the store that global setting. ``problems``
    are the statuses answered as problem details besides 401 and 403 (every
    endpoint but a ``public`` one may answer those).
    """
    codes = problems if public else (401, 403, *problems)
    responses = dict(kwargs.pop("responses", {}))
    for code in codes:
        responses[(code, PROBLEM_CONTENT_TYPE)] = serializers.ProblemSerializer

    def decorate(method):
        method.kwargs = {"schema": AutoSchema}
        return extend_schema(responses=responses, **kwargs)(method)

    return decorate


def money(amount, currency: str | None = None) -> dict:
    return {"amount": amount, "currency": currency or settings.OSCAR_DEFAULT_CURRENCY}


class ClubAPIView(APIView):
    # Token first: an anonymous request gets 401 with ``WWW-Authenticate: Token``
    # (DRF answers 403 when the first class has no such header).
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    schema = AutoSchema()

    def get_exception_handler(self):
        return problem_handler

    def get_member(self):
        member = membership_services.get_member(self.request.user)
        if member is None:
            raise NotAMember()
        return member


class MembershipView(ClubAPIView):
    @documented(
        responses={200: serializers.MembershipSerializer},
        problems=(404,),
        description="The member's number, plan and status.",
    )
    def get(self, request):
        member = self.get_member()
        data = {
            "number": member.number,
            "plan": member.plan,
            "status": member.status,
            "has_benefits": member.has_benefits(),
            "joined_at": member.joined_at,
            "expires_at": member.expires_at,
        }
        return Response(serializers.MembershipSerializer(data).data)


class CardView(ClubAPIView):
    @documented(
        responses={200: serializers.CardSerializer},
        problems=(404,),
        description="The card number and the addresses of its QR code.",
    )
    def get(self, request):
        member = self.get_member()
        data = {
            "number": member.number,
            "formatted_number": member.formatted_number,
            "qr_svg": request.build_absolute_uri(reverse("loyalty_api:card-qr-svg")),
            "qr_png": request.build_absolute_uri(reverse("loyalty_api:card-qr-png")),
        }
        return Response(serializers.CardSerializer(data).data)


class CardQRView(ClubAPIView):
    """The card's QR code as an image (the web card page's code, same content)."""

    image_format = "svg"

    @documented(
        responses={
            (200, "image/svg+xml"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
        },
        problems=(404,),
        description="The card's QR code: the member number only.",
    )
    def get(self, request):
        member = self.get_member()
        if self.image_format == "png":
            response = HttpResponse(card_qr_png(member.number), content_type="image/png")
        else:
            response = HttpResponse(
                card_qr_svg_document(member.number), content_type="image/svg+xml"
            )
        # The card number is personal: no shared cache may keep it.
        response["Cache-Control"] = "private, no-store"
        return response


class PointsView(ClubAPIView):
    @documented(
        responses={200: serializers.PointsSerializer},
        description="Balance, value, pending and the points still to expire, by day.",
    )
    def get(self, request):
        # One query (the account's totals and its live lots by day); a
        # non-member reads zeros, as on the basket page.
        overview = points_services.get_overview(request.user, now=timezone.now())
        summary = overview.summary
        data = {
            "balance": summary.balance,
            "available": summary.available,
            "reserved": summary.reserved,
            "pending": summary.pending,
            "debt": summary.debt,
            "value": money(summary.value),
            "expiring": [{"date": day, "points": points} for day, points in overview.expiring],
        }
        return Response(serializers.PointsSerializer(data).data)


class HistoryPagination(CursorPagination):
    # The ledger's own order; the cursor keeps pages stable while entries are added.
    ordering = ("-created_at", "-pk")
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class HistoryView(ClubAPIView):
    pagination_class = HistoryPagination

    @documented(
        responses={200: serializers.EntrySerializer(many=True)},
        problems=(404,),
        description="The points ledger, newest first, a cursor page at a time.",
    )
    def get(self, request):
        member = self.get_member()
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(points_services.entries_for(member), request, view=self)
        for entry in page:
            entry.reason_display = reasons.describe(entry.reason)
        return paginator.get_paginated_response(serializers.EntrySerializer(page, many=True).data)


class TierView(ClubAPIView):
    @documented(
        responses={200: serializers.TierSerializer},
        problems=(404,),
        description="The member's tier and the spend still needed for the next.",
    )
    def get(self, request):
        progress = tiers.tier_progress(self.get_member())
        return Response(serializers.TierSerializer(progress).data)


def member_basket(request):
    """The authenticated member's open basket, priced for them.

    Oscar's basket middleware picks the strategy and (lazily) the basket
    with the user Django's middleware saw: anonymous for a token request,
    whose user only DRF knows. Rebuilt here for the right user before the
    lazy basket is first read, so member prices and offers apply as on the
    web; the basket is then loaded exactly as the middleware loads it.
    """
    django_request = request._request
    strategy = getattr(django_request, "strategy", None)
    if getattr(strategy, "user", None) != request.user:
        Selector = get_class("partner.strategy", "Selector")
        django_request.strategy = Selector().strategy(request=django_request, user=request.user)
    basket = django_request.basket
    if basket.owner_id != request.user.pk:
        raise RedemptionNotAllowed(_("You can only spend points on your own basket."))
    return basket


def reapply_offers(request, basket) -> None:
    """What the basket middleware does on the next request, done now for the answer."""
    Applicator = get_class("offer.applicator", "Applicator")
    basket.reset_offer_applications()
    Applicator().apply(basket, request.user, request._request)


class BasketPointsView(ClubAPIView):
    """Points on the current basket: the basket page's apply and remove, as JSON."""

    @documented(
        request=serializers.ApplyPointsSerializer,
        responses={
            200: serializers.BasketPointsSerializer,
        },
        problems=(400, 409, 429),
        description="Apply points to the current basket (a number, or use_max).",
    )
    def post(self, request):
        # The web page's limit and counter: the two ways in share one budget.
        ratelimit.hit(
            "points_apply", f"user:{request.user.pk}", limit=app_settings.POINTS_RATE_LIMIT
        )
        form = serializers.ApplyPointsSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        points = None if form.validated_data["use_max"] else form.validated_data["points"]
        basket = member_basket(request)
        if basket.is_empty:
            raise RedemptionNotAllowed(_("Your basket is empty."))
        reserved = redemption.reserve_points(basket, request.user, points)
        reapply_offers(request, basket)
        data = {
            "points": reserved.points,
            "value": money(points_to_money(reserved.points), basket.currency),
            "basket_total": money(basket.total_incl_tax, basket.currency),
        }
        return Response(serializers.BasketPointsSerializer(data).data)

    @documented(
        responses={204: None},
        problems=(409,),
        description="Remove the points from the current basket.",
    )
    def delete(self, request):
        redemption.release_points(member_basket(request), request.user)
        return Response(status=204)


class TokenView(ClubAPIView):
    """A mobile app signs in once for a token, and signs out by deleting it."""

    def get_permissions(self):
        if self.request.method == "POST":
            return [AllowAny()]
        return super().get_permissions()

    def get_authenticators(self):
        # Signing in needs no credentials but the body's (and so no CSRF token).
        request = getattr(self, "request", None)  # None while the schema is generated
        if request is not None and request.method == "POST":
            return []
        return super().get_authenticators()

    @documented(
        request=serializers.TokenRequestSerializer,
        responses={200: serializers.TokenSerializer},
        problems=(400, 429),
        public=True,
        auth=[],
        description="Sign in with email and password for a token.",
    )
    def post(self, request):
        # Every attempt counts, per client: each one is a password guess.
        ratelimit.hit(
            "api_token", ratelimit.client_key(request), limit=app_settings.API_TOKEN_RATE_LIMIT
        )
        form = serializers.TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=form.validated_data["email"],
            password=form.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise InvalidCredentials()
        token, _created = Token.objects.get_or_create(user=user)
        return Response(serializers.TokenSerializer({"token": token.key}).data)

    @documented(responses={204: None}, description="Sign out: the token is deleted.")
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=204)
