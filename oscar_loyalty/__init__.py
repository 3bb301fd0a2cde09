"""oscar-loyalty: a customer club for django-oscar stores."""

__version__ = "0.1.0"
