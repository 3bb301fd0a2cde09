from wagtail import hooks

from .admin_views import campaign_viewset, newsletter_viewset
from .choosers import product_chooser_viewset


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [newsletter_viewset, campaign_viewset, product_chooser_viewset]
