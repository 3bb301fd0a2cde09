"""Staff page for member prices: the list, one product by chooser, and a CSV import.

Reached from *Customer club → Member prices* and from the *Member prices* tab
of Oscar's product page (``?product=<id>`` picks the product). The page shows;
each action posts to its own URL so that it needs its own permission.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic
from oscar.core.loading import get_model

from oscar_loyalty import csvfiles
from oscar_loyalty.apps.offers import member_prices
from oscar_loyalty.apps.offers.forms import MemberPriceForm, MemberPriceImportForm
from oscar_loyalty.apps.offers.models import MemberPrice
from oscar_loyalty.exceptions import OffersError

Product = get_model("catalogue", "Product")
TEMPLATE = "oscar_loyalty/dashboard/offers/member_prices.html"


def _is_id(value: str) -> bool:
    """ASCII digits that fit a database id (``str.isdigit`` also accepts "²")."""
    return value.isascii() and value.isdigit() and len(value) <= 18


def _list_url(product_id=None) -> str:
    url = reverse("loyalty_dashboard:loyalty-offers-member-prices")
    return f"{url}?product={product_id}" if product_id else url


class MemberPriceListView(generic.TemplateView):
    template_name = TEMPLATE

    def get_context_data(self, form=None, import_form=None, import_errors=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        prices = MemberPrice.objects.select_related(
            "stockrecord__product", "stockrecord__partner", "segment"
        ).order_by("stockrecord__product__title", "stockrecord__partner__name", "pk")
        product = None
        product_id = self.request.GET.get("product", "")
        if _is_id(product_id):
            product = Product.objects.filter(pk=int(product_id)).first()
        if product is not None:
            prices = prices.filter(stockrecord__product=product)
        page = Paginator(prices, settings.OSCAR_DASHBOARD_ITEMS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        ctx.update(
            page_title=_("Member prices"),
            product=product,
            page_obj=page,
            paginator=page.paginator,
            prices=page.object_list,
            form=form or MemberPriceForm(initial={"product": product}),
            import_form=import_form or MemberPriceImportForm(),
            import_errors=import_errors or [],
        )
        return ctx


class MemberPriceSetView(MemberPriceListView):
    """POST: the chooser's product gets the member price on each of its stock records."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        data = request.POST.copy()
        if not _is_id(data.get("product", "")):
            # Oscar's chooser widget looks the posted value up to show it again;
            # a value that is not an id would fail there (a 500), not as a form error.
            data["product"] = ""
        form = MemberPriceForm(data)
        if form.is_valid():
            data = form.cleaned_data
            try:
                prices = member_prices.set_member_price(
                    data["product"], data["price"], segment=data["segment"]
                )
            except OffersError as error:
                form.add_error("product", error.message)
            else:
                messages.success(
                    request,
                    _("Member price of “%(product)s” saved (%(count)d stock records).")
                    % {"product": data["product"].get_title(), "count": len(prices)},
                )
                return redirect(_list_url(data["product"].pk))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class MemberPriceImportView(MemberPriceListView):
    """POST: a CSV of SKU or UPC and member price, imported whole or not at all."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = MemberPriceImportForm(request.POST, request.FILES)
        errors = []
        if form.is_valid():
            try:
                rows = csvfiles.read_upload(form.cleaned_data["file"])
                result = member_prices.import_member_prices(rows)
            except csvfiles.UploadError as error:
                form.add_error("file", str(error))
            except member_prices.MemberPriceImportError as error:
                form.add_error("file", error.message)
                errors = error.errors
            else:
                messages.success(
                    request,
                    _(
                        "Member prices imported: %(created)d new, %(updated)d changed, "
                        "%(removed)d removed."
                    )
                    % {
                        "created": result.created,
                        "updated": result.updated,
                        "removed": result.removed,
                    },
                )
                return redirect(_list_url())
        context = self.get_context_data(import_form=form, import_errors=errors)
        return self.render_to_response(context, status=400)


class MemberPriceRemoveView(generic.View):
    def post(self, request, pk):
        price = get_object_or_404(
            MemberPrice.objects.select_related("stockrecord__product"), pk=pk
        )
        product_id = request.GET.get("product")
        member_prices.remove_member_price(price)
        messages.success(
            request,
            _("Member price of “%(product)s” removed.")
            % {"product": price.stockrecord.product.get_title()},
        )
        return redirect(_list_url(product_id if product_id and _is_id(product_id) else None))


class MemberPriceExportView(generic.View):
    """Today's member prices in the import's own columns: edit the file and import it back."""

    def get(self, request):
        prices = (
            MemberPrice.objects.filter(segment__isnull=True)
            .select_related("stockrecord__product")
            .order_by("stockrecord__product__title", "pk")
        )
        rows = [["sku", "upc", "member_price", "product"]]
        rows += [
            [
                price.stockrecord.partner_sku,
                price.stockrecord.product.upc or "",
                f"{price.price:.2f}",
                price.stockrecord.product.get_title(),
            ]
            for price in prices.iterator()
        ]
        return csvfiles.response("member-prices.csv", rows, bom=True)


def get_urls():
    return [
        path(
            "member-prices/",
            MemberPriceListView.as_view(),
            name="loyalty-offers-member-prices",
        ),
        path(
            "member-prices/set/",
            MemberPriceSetView.as_view(),
            name="loyalty-offers-member-prices-set",
        ),
        path(
            "member-prices/import/",
            MemberPriceImportView.as_view(),
            name="loyalty-offers-member-prices-import",
        ),
        path(
            "member-prices/export/",
            MemberPriceExportView.as_view(),
            name="loyalty-offers-member-prices-export",
        ),
        path(
            "member-prices/<int:pk>/remove/",
            MemberPriceRemoveView.as_view(),
            name="loyalty-offers-member-prices-remove",
        ),
    ]
