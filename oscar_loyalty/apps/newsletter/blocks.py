"""The blocks a newsletter body is made of.

Each block renders itself as email HTML (its template) and as plain text
(``render_text``). Per-recipient content ("recommended for you") is written
as merge fields the ESP fills in for each recipient of a batch.
"""

from __future__ import annotations

from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class HeadingBlock(blocks.CharBlock):
    def render_text(self, value, context=None) -> str:
        return f"{value}\n{'=' * len(str(value))}"

    class Meta:
        icon = "title"
        template = "oscar_loyalty/newsletter/blocks/heading.html"


class EmailRichTextBlock(blocks.RichTextBlock):
    def render_text(self, value, context=None) -> str:
        return strip_tags(str(value.source).replace("</p>", "</p>\n")).strip()

    class Meta:
        icon = "pilcrow"
        template = "oscar_loyalty/newsletter/blocks/rich_text.html"


class EmailImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt = blocks.CharBlock(required=False, help_text=_("Text for readers who see no images."))
    link = blocks.URLBlock(required=False)

    def render_text(self, value, context=None) -> str:
        return f"[{value['alt'] or value['image'].title}]"

    class Meta:
        icon = "image"
        template = "oscar_loyalty/newsletter/blocks/image.html"


class ProductChooserBlock(blocks.ChooserBlock):
    """An Oscar product picked in Wagtail's chooser modal (``choosers.product_chooser_viewset``).

    Stores the product's id, as every Wagtail chooser block does; a product
    deleted since reads as ``None``.
    """

    target_model = "catalogue.Product"

    @cached_property
    def widget(self):
        from .choosers import product_chooser_viewset

        return product_chooser_viewset.widget_class()

    def get_form_state(self, value):
        return self.widget.get_value_data(value)

    class Meta:
        icon = "tag"


class ProductBlock(blocks.StructBlock):
    """A product from the Oscar catalogue, chosen by title or UPC (migration 0007 renamed the
    stored ``product_id`` of earlier newsletters to ``product``; the value is the same id)."""

    product = ProductChooserBlock(label=_("Product"))
    text = blocks.CharBlock(required=False, label=_("Text under the product"))

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["product"] = value["product"]
        return context

    def render_text(self, value, context=None) -> str:
        product = value["product"]
        if product is None:
            return ""
        from oscar_loyalty.mail import absolute_url

        return f"{product.get_title()}: {absolute_url(product.get_absolute_url())}"

    class Meta:
        icon = "tag"
        template = "oscar_loyalty/newsletter/blocks/product.html"


class RecommendedBlock(blocks.StructBlock):
    """A product matched to each recipient's interests and budget (filled in per recipient)."""

    heading = blocks.CharBlock(default=_("Recommended for you"))

    def render_text(self, value, context=None) -> str:
        merge = (context or {}).get("T", {})
        return f"{value['heading']}\n{merge.get('recommendation', '')}"

    class Meta:
        icon = "pick"
        template = "oscar_loyalty/newsletter/blocks/recommended.html"


class ButtonBlock(blocks.StructBlock):
    text = blocks.CharBlock()
    url = blocks.URLBlock()

    def render_text(self, value, context=None) -> str:
        return f"{value['text']}: {value['url']}"

    class Meta:
        icon = "link"
        template = "oscar_loyalty/newsletter/blocks/button.html"


class NewsletterBody(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = EmailRichTextBlock()
    image = EmailImageBlock()
    product = ProductBlock()
    recommended = RecommendedBlock()
    button = ButtonBlock()
