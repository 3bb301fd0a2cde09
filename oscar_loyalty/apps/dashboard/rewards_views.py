"""Staff pages for the rewards catalogue: the list with redemption counts, create and edit."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic
from oscar.core.loading import get_model

from oscar_loyalty.apps.rewards import services
from oscar_loyalty.apps.rewards.models import Reward

from .forms import TranslationsFormMixin
from .views import _SavedMessageMixin, _ToggleView

ConditionalOffer = get_model("offer", "ConditionalOffer")


class RewardForm(TranslationsFormMixin, forms.ModelForm):
    segment_id = forms.TypedChoiceField(
        label=_("Segment"), required=False, coerce=int, empty_value=None
    )

    class Meta:
        model = Reward
        fields = [
            "name",
            "description",
            "kind",
            "points",
            "cash",
            "product",
            "voucher_offer",
            "voucher_days",
            "stock",
            "per_member_limit",
            "tiers",
            "segment_id",
            "starts_at",
            "ends_at",
            "is_active",
            "position",
        ]
        # A store has many products: staff give the product's id (the catalogue
        # dashboard shows it), rather than the page listing every product.
        widgets = {"product": forms.NumberInput, "tiers": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].help_text = _("The product's id (Oscar's catalogue dashboard).")
        self.fields["voucher_offer"].queryset = ConditionalOffer.objects.filter(
            offer_type=ConditionalOffer.VOUCHER
        )
        choices = [("", _("Everyone eligible by tier"))]
        if apps.is_installed("oscar_loyalty.apps.segments"):
            from oscar_loyalty.apps.segments.models import Segment

            choices += [(segment.pk, str(segment)) for segment in Segment.objects.order_by("name")]
        else:
            self.fields["segment_id"].widget = forms.HiddenInput()
        self.fields["segment_id"].choices = choices


class RewardListView(generic.ListView):
    template_name = "oscar_loyalty/dashboard/rewards/reward_list.html"
    context_object_name = "rewards"
    extra_context = {"page_title": _("Rewards catalogue")}

    def get_queryset(self):
        return services.redemption_counts().select_related("product", "voucher_offer")


class RewardCreateView(_SavedMessageMixin, generic.CreateView):
    model = Reward
    form_class = RewardForm
    template_name = "oscar_loyalty/dashboard/form.html"
    success_message = _("Reward “%(name)s” saved.")
    extra_context = {"title": _("Reward"), "list_url_name": "loyalty-rewards-list"}

    def get_success_url(self):
        return reverse("loyalty_dashboard:loyalty-rewards-list")


class RewardUpdateView(RewardCreateView, generic.UpdateView):
    pass


class RewardToggleView(_ToggleView):
    model = Reward
    list_url_name = "loyalty-rewards-list"


def get_urls() -> list:
    return [
        path("rewards/", RewardListView.as_view(), name="loyalty-rewards-list"),
        path("rewards/create/", RewardCreateView.as_view(), name="loyalty-rewards-create"),
        path("rewards/<int:pk>/", RewardUpdateView.as_view(), name="loyalty-rewards-update"),
        path(
            "rewards/<int:pk>/toggle/", RewardToggleView.as_view(), name="loyalty-rewards-toggle"
        ),
    ]
