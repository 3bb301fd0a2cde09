"""Staff pages for club promotions: members-only offers, prize draws, and one list of all.

Oscar's own offer wizard cannot edit a custom condition, so members-only
offers are created and edited here. The promotions list switches any club
promotion (members-only and gift offers, draws, points promotions) on or off
and sets its schedule.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic

from oscar_loyalty.apps.offers import draws, services
from oscar_loyalty.apps.offers.forms import MemberOfferForm, PrizeDrawForm, PromotionStateForm
from oscar_loyalty.apps.offers.models import PrizeDraw
from oscar_loyalty.exceptions import LoyaltyError

LIST_URL = "loyalty_dashboard:loyalty-offers-list"
TEMPLATES = "oscar_loyalty/dashboard/offers"


class PromotionListView(generic.TemplateView):
    template_name = f"{TEMPLATES}/promotion_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = services.list_promotions()
        for row in rows:
            row.form = PromotionStateForm(
                initial={"is_on": row.is_on, "starts_at": row.starts_at, "ends_at": row.ends_at},
                prefix=f"{row.kind}-{row.pk}",
            )
            row.form_id = f"promotion-form-{row.kind}-{row.pk}"
        ctx.update(promotions=rows, page_title=_("Club promotions"))
        return ctx


class PromotionStateView(generic.View):
    """POST: switch one promotion on or off and set its schedule."""

    def post(self, request, kind, pk):
        form = PromotionStateForm(request.POST, prefix=f"{kind}-{pk}")
        if not form.is_valid():
            messages.error(request, _("Enter valid dates, e.g. 2026-12-01 09:00."))
            return redirect(LIST_URL)
        try:
            services.set_promotion_state(kind, pk, **form.cleaned_data)
        except LoyaltyError as error:
            messages.error(request, error.message)
        except ObjectDoesNotExist:
            messages.error(request, _("This promotion no longer exists."))
        else:
            messages.success(request, _("Promotion saved."))
        return redirect(LIST_URL)


class MemberOfferCreateView(generic.FormView):
    form_class = MemberOfferForm
    template_name = "oscar_loyalty/dashboard/form.html"
    extra_context = {"title": _("Members-only offer"), "list_url_name": "loyalty-offers-list"}
    offer = None

    def form_valid(self, form):
        try:
            offer = services.save_member_offer(form.to_spec(), offer=self.offer)
        except LoyaltyError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Offer “%(name)s” saved.") % {"name": offer.name})
        return redirect(LIST_URL)


class MemberOfferUpdateView(MemberOfferCreateView):
    def dispatch(self, request, *args, **kwargs):
        self.offer = get_object_or_404(services.member_offers(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return MemberOfferForm.initial_for(self.offer)


class DrawCreateView(generic.CreateView):
    model = PrizeDraw
    form_class = PrizeDrawForm
    template_name = "oscar_loyalty/dashboard/form.html"
    extra_context = {"title": _("Prize draw"), "list_url_name": "loyalty-offers-list"}

    def get_success_url(self):
        messages.success(self.request, _("Draw “%(name)s” saved.") % {"name": self.object})
        return reverse(
            "loyalty_dashboard:loyalty-offers-draw-detail", kwargs={"pk": self.object.pk}
        )


class DrawUpdateView(DrawCreateView, generic.UpdateView):
    def dispatch(self, request, *args, **kwargs):
        draw = get_object_or_404(PrizeDraw, pk=kwargs["pk"])
        if draw.is_drawn:
            messages.error(request, _("This draw has been run; its rules can no longer change."))
            return redirect("loyalty_dashboard:loyalty-offers-draw-detail", pk=draw.pk)
        return super().dispatch(request, *args, **kwargs)


class DrawDetailView(generic.DetailView):
    """The draw's rules and, once run, its full record: seed, entries, winners, verification."""

    model = PrizeDraw
    template_name = f"{TEMPLATES}/draw_detail.html"
    context_object_name = "draw"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        draw = self.object
        ctx.update(
            page_title=draw.name,
            winners=draw.winners.select_related("member__user"),
            verified=draws.verify_draw(draw) if draw.is_drawn else None,
            ticket_total=sum(entry["tickets"] for entry in draw.entries),
        )
        return ctx


class DrawRunView(generic.View):
    def post(self, request, pk):
        draw = get_object_or_404(PrizeDraw, pk=pk)
        try:
            draw, winners = draws.run_draw(draw)
        except LoyaltyError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Drawn: %(count)d winner(s) notified.") % {"count": len(winners)}
            )
        return redirect("loyalty_dashboard:loyalty-offers-draw-detail", pk=pk)


def get_urls() -> list:
    return [
        path("offers/", PromotionListView.as_view(), name="loyalty-offers-list"),
        path(
            "offers/promotions/<str:kind>/<int:pk>/",
            PromotionStateView.as_view(),
            name="loyalty-offers-promotion-state",
        ),
        path("offers/create/", MemberOfferCreateView.as_view(), name="loyalty-offers-create"),
        path("offers/<int:pk>/", MemberOfferUpdateView.as_view(), name="loyalty-offers-update"),
        path("offers/draws/create/", DrawCreateView.as_view(), name="loyalty-offers-draw-create"),
        path(
            "offers/draws/<int:pk>/", DrawDetailView.as_view(), name="loyalty-offers-draw-detail"
        ),
        path(
            "offers/draws/<int:pk>/edit/",
            DrawUpdateView.as_view(),
            name="loyalty-offers-draw-update",
        ),
        path("offers/draws/<int:pk>/run/", DrawRunView.as_view(), name="loyalty-offers-draw-run"),
    ]
