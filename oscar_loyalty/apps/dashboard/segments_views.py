"""Staff pages for segments: list, the rule builder, the live count and the member preview."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.db.models import ProtectedError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views import generic

from oscar_loyalty.apps.segments import services
from oscar_loyalty.apps.segments.models import Segment
from oscar_loyalty.apps.segments.rules import OPERATORS, criteria, uses_aggregate, validate_rules
from oscar_loyalty.exceptions import InvalidSegmentRules

TEMPLATES = "oscar_loyalty/dashboard/segments"


def _field_type(field: forms.Field) -> str:
    if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
        return "multiselect"
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return "select"
    if isinstance(field, forms.BooleanField):
        return "checkbox"
    if isinstance(field, forms.DateField):
        return "date"
    if isinstance(field, forms.DecimalField):
        return "decimal"
    if isinstance(field, forms.IntegerField):
        return "number"
    return "text"


def criteria_schema() -> list[dict]:
    """What the rule builder's script needs to draw each condition's inputs."""
    schema = []
    for criterion in criteria():
        fields = []
        for name, field in criterion.form_class.base_fields.items():
            kind = _field_type(field)
            entry = {
                "name": name,
                "label": str(field.label or name),
                "type": kind,
                "help": str(field.help_text or ""),
            }
            if kind in ("select", "multiselect"):
                entry["choices"] = [
                    [str(getattr(value, "value", value)), str(label)]
                    for value, label in field.choices
                    if str(getattr(value, "value", value)) != ""
                ]
            fields.append(entry)
        schema.append(
            {
                "key": criterion.key,
                "label": str(criterion.label),
                "group": str(criterion.group),
                "help": str(criterion.help_text or ""),
                "fields": fields,
            }
        )
    return schema


class SegmentForm(forms.ModelForm):
    rules = forms.CharField(
        label=_("Rules (JSON)"),
        widget=forms.Textarea(attrs={"rows": 6, "class": "loyalty-segment-rules"}),
        help_text=_(
            "The rules as the rule editor writes them; edit them here only where the editor "
            "does not load (a browser without JavaScript)."
        ),
    )

    class Meta:
        model = Segment
        fields = ["name", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["rules"] = json.dumps(self.instance.rules)
        elif not self.is_bound:
            self.initial["rules"] = json.dumps({"op": "and", "rules": []})

    def clean_rules(self) -> dict:
        try:
            tree = json.loads(self.cleaned_data["rules"])
        except ValueError:
            raise forms.ValidationError(_("The rules are not valid JSON.")) from None
        try:
            return validate_rules(tree)
        except InvalidSegmentRules as error:
            raise forms.ValidationError(error.errors) from None


class SegmentListView(generic.ListView):
    template_name = f"{TEMPLATES}/segment_list.html"
    context_object_name = "segments"
    paginate_by = 50

    def get_queryset(self):
        return Segment.objects.all()


class SegmentCreateView(generic.FormView):
    template_name = f"{TEMPLATES}/segment_form.html"
    form_class = SegmentForm
    segment: Segment | None = None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.segment or Segment()}

    def form_valid(self, form):
        data = form.cleaned_data
        segment = services.save_segment(
            name=data["name"],
            description=data["description"],
            rules=data["rules"],
            segment=self.segment,
            user=self.request.user,
        )
        messages.success(
            self.request,
            _("Segment “%(name)s” saved: %(count)d members.")
            % {"name": segment.name, "count": segment.last_count},
        )
        return redirect("loyalty_dashboard:loyalty-segment-update", pk=segment.pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            segment=self.segment,
            schema=criteria_schema(),
            operators=[[key, str(label)] for key, label in OPERATORS.items()],
        )
        return ctx


class SegmentUpdateView(SegmentCreateView):
    def dispatch(self, request, *args, **kwargs):
        self.segment = get_object_or_404(Segment, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class SegmentCountView(generic.View):
    """POST ``rules`` (JSON, as a form field or the request body): ``{"count": n}``.

    Invalid rules answer 400 with ``{"errors": [...]}``, one message per problem.
    """

    def post(self, request):
        raw = request.POST.get("rules")
        try:
            if raw is None:
                # Inside the try: a body that is not UTF-8 is a UnicodeDecodeError
                # (a ValueError), answered like bad JSON rather than a 500.
                raw = request.body.decode() or "null"
            tree = json.loads(raw)
            if isinstance(tree, dict) and "rules" in tree and "op" not in tree:
                tree = tree["rules"]  # ``{"rules": <tree>}`` as a body
            cleaned = validate_rules(tree)
        except ValueError:
            return JsonResponse({"errors": [str(_("The rules are not valid JSON."))]}, status=400)
        except InvalidSegmentRules as error:
            return JsonResponse({"errors": error.errors}, status=400)
        return JsonResponse({"count": services.count_segment(cleaned)})


class SegmentMembersView(generic.ListView):
    """The members of a saved segment right now, 50 a page."""

    template_name = f"{TEMPLATES}/segment_members.html"
    context_object_name = "members"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        self.segment = get_object_or_404(Segment, pk=self.kwargs["pk"])
        # The count and the page are the segment's query: run both (rendering
        # included) under the planner settings that keep it fast at scale.
        aggregate = uses_aggregate(self.segment.rules)
        with services.planner_settings(aggregate=aggregate):
            response = super().get(request, *args, **kwargs)
            response.render()
        return response

    def get_queryset(self):
        return (
            services.members_in(self.segment)
            .select_related("user", "tier", "plan")
            .order_by("-joined_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["segment"] = self.segment
        ctx["count"] = ctx["paginator"].count
        return ctx


class SegmentDeleteView(generic.View):
    def post(self, request, pk):
        segment = get_object_or_404(Segment, pk=pk)
        try:
            segment.delete()
        except ProtectedError:  # a campaign, offer or member price uses it
            messages.error(request, _("This segment is in use and cannot be deleted."))
            return redirect("loyalty_dashboard:loyalty-segment-update", pk=pk)
        messages.success(request, _("Segment “%(name)s” deleted.") % {"name": segment.name})
        return redirect("loyalty_dashboard:loyalty-segment-list")


def get_urls() -> list:
    return [
        path("segments/", SegmentListView.as_view(), name="loyalty-segment-list"),
        path("segments/create/", SegmentCreateView.as_view(), name="loyalty-segment-create"),
        path("segments/count/", SegmentCountView.as_view(), name="loyalty-segment-count"),
        path("segments/<int:pk>/", SegmentUpdateView.as_view(), name="loyalty-segment-update"),
        path(
            "segments/<int:pk>/members/",
            SegmentMembersView.as_view(),
            name="loyalty-segment-members",
        ),
        path(
            "segments/<int:pk>/delete/",
            SegmentDeleteView.as_view(),
            name="loyalty-segment-delete",
        ),
    ]
