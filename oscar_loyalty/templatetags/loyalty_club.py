"""``{% club_fragments "slot" %}``: the installed apps' fragments for one slot (``fragments``)."""

from django import template
from django.utils.safestring import mark_safe

from oscar_loyalty.fragments import fragments_for, order_for_totals

register = template.Library()


@register.simple_tag(takes_context=True)
def club_fragments(context, slot: str) -> str:
    # Rendered like {% include %}: in the page's own context, pushed so that
    # a fragment's {% with %} or assignments do not leak into the page.
    engine = context.template.engine
    parts = []
    for name in fragments_for(slot):
        with context.push():
            parts.append(engine.get_template(name).render(context))
    return mark_safe("".join(parts))  # noqa: S308  (templates' own output, already escaped)


@register.filter
def club_totals_order(order, request):
    """``{% with order=order|club_totals_order:request %}`` around Oscar's totals."""
    return order_for_totals(order, request)
