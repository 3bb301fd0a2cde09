"""Staff pages for points: a member's history and adjustments, promotions, ledger export."""

from __future__ import annotations

import re
import uuid

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic

from oscar_loyalty import csvfiles
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.points import services
from oscar_loyalty.apps.points.forms import AdjustPointsForm, PromotionForm
from oscar_loyalty.apps.points.models import PointsEarning, PointsEntry, PointsPromotion
from oscar_loyalty.exceptions import LoyaltyError

from .views import _SavedMessageMixin, _ToggleView


class MemberPointsView(generic.FormView):
    """A member's balance and full ledger, with the manual adjustment form.

    The form posts to ``AdjustPointsView``, which needs a stronger permission.
    """

    http_method_names = ["get"]

    template_name = "oscar_loyalty/dashboard/points/member_points.html"
    form_class = AdjustPointsForm

    def dispatch(self, request, *args, **kwargs):
        self.member = get_object_or_404(Member.objects.select_related("user"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"token": uuid.uuid4().hex}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        account = services.get_account(self.member)
        ctx.update(
            page_title=_("Points of member %(number)s") % {"number": self.member.number},
            member=self.member,
            account=account,
            next_expiry=services.next_expiry(account),
            entries=services.entries_for(self.member).select_related("staff_user")[:500],
            pending_earnings=PointsEarning.objects.filter(
                account=account, status=PointsEarning.PENDING
            ).select_related("order"),
        )
        return ctx

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            entry = services.adjust_points(
                self.member,
                data["points"],
                reason=data["reason"],
                staff_user=self.request.user,
                key=f"adjust:{self.member.pk}:{data['token']}",
            )
        except LoyaltyError as error:
            messages.error(self.request, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request, _("%(points)+d points recorded.") % {"points": entry.points}
        )
        return redirect("loyalty_dashboard:loyalty-points-member", pk=self.member.pk)


class AdjustPointsView(MemberPointsView):
    """POST only, under its own URL so that it needs the "add points entry" permission."""

    http_method_names = ["post"]


class PromotionListView(generic.ListView):
    model = PointsPromotion
    template_name = "oscar_loyalty/dashboard/points/promotion_list.html"
    context_object_name = "promotions"
    extra_context = {"page_title": _("Points promotions")}


class PromotionCreateView(_SavedMessageMixin, generic.CreateView):
    model = PointsPromotion
    form_class = PromotionForm
    template_name = "oscar_loyalty/dashboard/form.html"
    success_message = _("Promotion “%(name)s” saved.")
    extra_context = {
        "title": _("Points promotion"),
        "list_url_name": "loyalty-points-promotion-list",
    }

    def get_success_url(self):
        return reverse("loyalty_dashboard:loyalty-points-promotion-list")


class PromotionUpdateView(PromotionCreateView, generic.UpdateView):
    pass


class PromotionToggleView(_ToggleView):
    model = PointsPromotion
    list_url_name = "loyalty-points-promotion-list"


MEMBER_ID_RE = re.compile(r"[0-9]{1,18}")


class LedgerExportView(generic.View):
    """The ledger as CSV (all members, or ``?member=<pk>``), streamed in id order."""

    columns = [
        "id",
        "date",
        "member",
        "kind",
        "points",
        "debt",
        "reason",
        "order",
        "rate",
        "staff",
        "key",
    ]

    def get(self, request):
        entries = PointsEntry.objects.select_related(
            "account__member", "order", "staff_user"
        ).order_by("pk")
        member = request.GET.get("member", "")
        if member:
            # ASCII only: str.isdigit() accepts "²" (int() then raises) and int()
            # reads "١" as 1, so a foreign digit would be a 500 or another member.
            # At most 18 digits: SQLite cannot even compare a larger integer.
            if not MEMBER_ID_RE.fullmatch(member):
                return HttpResponseBadRequest(_("member must be a member id (digits 0-9)."))
            entries = entries.filter(account__member_id=int(member))

        def rows():
            yield self.columns
            for e in entries.iterator(chunk_size=2000):
                yield [
                    e.pk,
                    e.created_at.isoformat(),
                    e.account.member.number,
                    e.kind,
                    e.points,
                    e.debt,
                    e.reason,
                    e.order.number if e.order_id else "",
                    e.rate if e.rate is not None else "",
                    e.staff_user.get_username() if e.staff_user_id else "",
                    e.idempotency_key,
                ]

        return csvfiles.streaming_response("points-ledger.csv", rows())


def get_urls() -> list:
    return [
        path(
            "members/<int:pk>/points/",
            MemberPointsView.as_view(),
            name="loyalty-points-member",
        ),
        path(
            "members/<int:pk>/points/adjust/",
            AdjustPointsView.as_view(),
            name="loyalty-points-adjust",
        ),
        path("points/export/", LedgerExportView.as_view(), name="loyalty-points-export"),
        path(
            "points/promotions/",
            PromotionListView.as_view(),
            name="loyalty-points-promotion-list",
        ),
        path(
            "points/promotions/create/",
            PromotionCreateView.as_view(),
            name="loyalty-points-promotion-create",
        ),
        path(
            "points/promotions/<int:pk>/",
            PromotionUpdateView.as_view(),
            name="loyalty-points-promotion-update",
        ),
        path(
            "points/promotions/<int:pk>/toggle/",
            PromotionToggleView.as_view(),
            name="loyalty-points-promotion-toggle",
        ),
    ]
