"""Staff pages for webhooks: endpoints, their secret, and the delivery log with resend."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views import generic

from oscar_loyalty.apps.webhooks import services
from oscar_loyalty.apps.webhooks.events import EVENT_TYPES
from oscar_loyalty.apps.webhooks.models import Delivery, DeliveryAttempt, Endpoint

TEMPLATES = "oscar_loyalty/dashboard/webhooks"
ACTIONS = ("rotate", "pause", "resume")


class EndpointForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "http or https. The store's server calls it: enter only your own systems' "
            "addresses. Redirects are not followed."
        ),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=list(EVENT_TYPES.items()),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Endpoint
        fields = ["name", "url", "events"]

    def clean_url(self) -> str:
        return services.validate_url(self.cleaned_data["url"])


class EndpointListView(generic.ListView):
    template_name = f"{TEMPLATES}/endpoint_list.html"
    context_object_name = "endpoints"

    def get_queryset(self):
        return Endpoint.objects.all()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["paused"] = [e for e in ctx["endpoints"] if not e.is_active]
        return ctx


class EndpointCreateView(generic.CreateView):
    model = Endpoint
    form_class = EndpointForm
    template_name = "oscar_loyalty/dashboard/form.html"
    extra_context = {
        "title": _("Add a webhook endpoint"),
        "list_url_name": "loyalty-webhooks-list",
    }

    def form_valid(self, form):
        endpoint = form.save()
        messages.success(self.request, _("Endpoint saved. Give its secret to the receiver."))
        return redirect("loyalty_dashboard:loyalty-webhooks-detail", pk=endpoint.pk)


class EndpointUpdateView(generic.UpdateView):
    model = Endpoint
    form_class = EndpointForm
    template_name = "oscar_loyalty/dashboard/form.html"
    extra_context = {"title": _("Edit webhook endpoint"), "list_url_name": "loyalty-webhooks-list"}

    def form_valid(self, form):
        endpoint = form.save()
        messages.success(self.request, _("Endpoint saved."))
        return redirect("loyalty_dashboard:loyalty-webhooks-detail", pk=endpoint.pk)


class EndpointDetailView(generic.ListView):
    """The endpoint, its secret, and its delivery log (newest event first)."""

    template_name = f"{TEMPLATES}/endpoint_detail.html"
    context_object_name = "deliveries"
    paginate_by = 50

    def get_queryset(self):
        self.endpoint = get_object_or_404(Endpoint, pk=self.kwargs["pk"])
        last = DeliveryAttempt.objects.filter(delivery=OuterRef("pk")).order_by("-pk")
        deliveries = Delivery.objects.filter(endpoint=self.endpoint).select_related("event")
        status = self.request.GET.get("status")
        if status in dict(Delivery.STATUS_CHOICES):
            deliveries = deliveries.filter(status=status)
        return deliveries.annotate(
            last_duration=Subquery(last.values("duration_ms")[:1]),
            last_error=Subquery(last.values("error")[:1]),
            last_attempt_at=Subquery(last.values("created_at")[:1]),
        ).order_by("-event_id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            endpoint=self.endpoint,
            event_labels=[EVENT_TYPES.get(name, name) for name in self.endpoint.events],
            statuses=Delivery.STATUS_CHOICES,
            status=self.request.GET.get("status", ""),
        )
        return ctx


class EndpointActionView(generic.View):
    """POST only: rotate the secret, pause or resume."""

    def post(self, request, pk, action):
        endpoint = get_object_or_404(Endpoint, pk=pk)
        if action == "rotate":
            services.rotate_secret(endpoint)
            messages.success(
                request,
                _("New secret made. The old one still signs beside it until the receiver has it."),
            )
        elif action == "pause":
            services.pause_endpoint(endpoint, reason=str(_("Paused by staff")))
            messages.success(request, _("Endpoint paused: its events wait."))
        elif action == "resume":
            if services.unpause_endpoint(endpoint):
                messages.success(request, _("Endpoint resumed: waiting events are being sent."))
        return redirect("loyalty_dashboard:loyalty-webhooks-detail", pk=pk)


class DeliveryResendView(generic.View):
    def post(self, request, pk, delivery_pk):
        row = get_object_or_404(Delivery, pk=delivery_pk, endpoint_id=pk)
        if services.resend(row):
            messages.success(request, _("The event will be sent again in a moment."))
        else:
            messages.error(request, _("This event is being sent right now."))
        return redirect("loyalty_dashboard:loyalty-webhooks-detail", pk=pk)


def get_urls() -> list:
    return [
        path("webhooks/", EndpointListView.as_view(), name="loyalty-webhooks-list"),
        path("webhooks/add/", EndpointCreateView.as_view(), name="loyalty-webhooks-create"),
        path("webhooks/<int:pk>/", EndpointDetailView.as_view(), name="loyalty-webhooks-detail"),
        path(
            "webhooks/<int:pk>/edit/",
            EndpointUpdateView.as_view(),
            name="loyalty-webhooks-update",
        ),
        *(
            path(
                f"webhooks/<int:pk>/{action}/",
                EndpointActionView.as_view(),
                {"action": action},
                name=f"loyalty-webhooks-{action}",
            )
            for action in ACTIONS
        ),
        path(
            "webhooks/<int:pk>/deliveries/<int:delivery_pk>/resend/",
            DeliveryResendView.as_view(),
            name="loyalty-webhooks-resend",
        ),
    ]
