from django.contrib.auth.models import AbstractUser
from django.db import models


class Shopper(AbstractUser):
    """A store's own user model, under another name and table, as real stores have."""

    phone = models.CharField(max_length=32, blank=True)

    class Meta:
        db_table = "custom_shopper"
