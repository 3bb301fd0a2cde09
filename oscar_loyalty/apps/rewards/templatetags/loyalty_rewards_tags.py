from django import template

from ..views import catalogue_context

register = template.Library()


@register.simple_tag(takes_context=True)
def loyalty_rewards_catalogue(context):
    """The catalogue for the member's home: items, points available, a request key."""
    return catalogue_context(context.get("request"), context["member"])
