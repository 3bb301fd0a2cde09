"""Wagtail's chooser for Oscar products: the newsletter's product block picks one in a modal.

Oscar's ``Product`` is not indexed by Wagtail's search, so the modal searches
the database itself (title or UPC, ``icontains``). It lists what a shopper can
browse (Oscar's ``browsable()``: public, not a variant child), so a newsletter
never links to a hidden product; the block keeps the product's id (the chooser
block's stored value), and a product deleted later renders nothing.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet


class ProductSearchForm(BaseFilterForm):
    q = forms.CharField(
        label=_("Search term"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Title or UPC")}),
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            objects = objects.filter(Q(title__icontains=query) | Q(upc__icontains=query))
            self.is_searching, self.search_query = True, query
        return objects


class ProductChooseMixin:
    filter_form_class = ProductSearchForm

    @property
    def columns(self):
        return [*super().columns, Column("upc", label=_("UPC"), accessor="upc")]


class ProductChooseView(ProductChooseMixin, chooser_views.ChooseView):
    pass


class ProductChooseResultsView(ProductChooseMixin, chooser_views.ChooseResultsView):
    pass


class ProductChooserViewSet(ChooserViewSet):
    model = "catalogue.Product"
    icon = "tag"
    choose_one_text = _("Choose a product")
    choose_another_text = _("Choose another product")
    edit_item_text = _("Edit this product")
    choose_view_class = ProductChooseView
    choose_results_view_class = ProductChooseResultsView
    # The chooser never creates products (that is Oscar's dashboard's work), and it
    # must not replace the widget of every ForeignKey to Product in Wagtail forms.
    creation_form_class = None
    register_widget = False

    def get_object_list(self):
        return get_model("catalogue", "Product").objects.browsable().order_by("title", "pk")


product_chooser_viewset = ProductChooserViewSet("loyalty_product_chooser")
