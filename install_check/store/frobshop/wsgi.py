"""WSGI config for frobshop project."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frobshop.settings")

application = get_wsgi_application()
