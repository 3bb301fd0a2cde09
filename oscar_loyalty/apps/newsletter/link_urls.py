"""The short links of SMS and WhatsApp text (``links``), mounted at ``club/c/``.

A store that wants five characters fewer per link also mounts this module at
its root (``path("c/", include(...))``) and sets ``OSCAR_LOYALTY_SHORT_LINK_PREFIX``
(docs/sms.md, "Short links").
"""

from django.urls import path

from . import views

urlpatterns = [path("<str:token>", views.follow_short_link, name="short-link")]
