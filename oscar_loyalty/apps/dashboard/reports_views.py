"""Staff reports: one generic view renders any registered report (chart, table, CSV)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.http import Http404, HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import generic

from oscar_loyalty import csvfiles
from oscar_loyalty.apps.reports.charts import format_value, render_chart
from oscar_loyalty.apps.reports.freshness import last_refresh, queue_refresh_if_stale
from oscar_loyalty.apps.reports.registry import PRECOMPUTED, Period, all_reports, get_report

TEMPLATES = "oscar_loyalty/dashboard/reports"
#: Longest range one request may ask for (daily grouping: 400 buckets at most).
MAX_DAYS = {"day": 400, "month": 366 * 10}


class ReportPeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    interval = forms.ChoiceField(
        label=_("Group by"),
        choices=[("month", _("Month")), ("day", _("Day"))],
        initial="month",
        required=False,
    )

    def __init__(self, *args, daily: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not daily:
            del self.fields["interval"]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        interval = data.get("interval") or "month"
        data["interval"] = interval
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The start date must not be after the end date."))
            if (end - start).days > MAX_DAYS[interval]:
                raise forms.ValidationError(
                    _("Choose a shorter range (at most %(days)s days).")
                    % {"days": MAX_DAYS[interval]}
                )
        return data


def default_period() -> dict:
    """The last twelve whole months and this month so far."""
    today = timezone.localdate()
    start = (today.replace(day=1) - timedelta(days=335)).replace(day=1)
    return {"start": start, "end": today, "interval": "month"}


class ReportIndexView(generic.TemplateView):
    template_name = f"{TEMPLATES}/index.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            page_title=_("Reports"),
            reports=all_reports(),
            refresh_queued=queue_refresh_if_stale(),
            refresh=last_refresh(),
        )
        return ctx


class ReportView(generic.TemplateView):
    """``?start=&end=&interval=`` picks the range; ``&format=csv`` downloads the rows."""

    template_name = f"{TEMPLATES}/report.html"

    def get(self, request, *args, key: str, **kwargs):
        self.report = get_report(key)
        if self.report is None:
            raise Http404
        data = request.GET if "start" in request.GET else None
        self.form = ReportPeriodForm(data, daily=self.report.daily, initial=default_period())
        if data is None:
            self.period = Period(**default_period())
        elif self.form.is_valid():
            self.period = Period(**self.form.cleaned_data)
        else:
            self.period = None
        self.rows = self.report.rows(self.period) if self.period else []
        if request.GET.get("format") == "csv" and self.period:
            return self.csv_response()
        return super().get(request, *args, **kwargs)

    def csv_response(self) -> HttpResponse:
        report, period = self.report, self.period
        name = f"{report.key}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"
        rows = [[column.key for column in report.columns]] + [
            [csv_value(row.get(c.key), c.kind) for c in report.columns] for row in self.rows
        ]
        # The BOM: Excel reads UTF-8 (Hebrew) only with it.
        return csvfiles.response(name, rows, bom=True)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        report = self.report
        table = [
            [format_value(row.get(c.key), c.kind) for c in report.columns] for row in self.rows
        ]
        chart = None
        if report.chart and self.rows:
            chart = render_chart(
                report.chart, self.rows, report.columns, title=str(report.title), uid="report"
            )
        precomputed = report.source == PRECOMPUTED
        query = self.request.GET.copy()
        query["format"] = "csv"
        if self.period and "start" not in query:
            query.update({"start": self.period.start, "end": self.period.end})
        ctx.update(
            page_title=report.title,
            report=report,
            form=self.form,
            period=self.period,
            table=table,
            chart=chart,
            csv_query=query.urlencode(),
            precomputed=precomputed,
            refresh_queued=precomputed and queue_refresh_if_stale(),
            refresh=last_refresh() if precomputed else None,
            reports=all_reports(),
        )
        return ctx


def csv_value(value, kind: str) -> str:
    """Machine-readable: rates as fractions (0.2500), money with two decimals, ISO dates."""
    if kind == "percent":
        return "" if value is None else str(value)
    return format_value(value, kind)


def get_urls() -> list:
    return [
        path("reports/", ReportIndexView.as_view(), name="loyalty-reports-index"),
        path("reports/<slug:key>/", ReportView.as_view(), name="loyalty-reports-detail"),
    ]
