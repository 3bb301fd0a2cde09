"""The partner API, mounted by ``oscar_loyalty.urls`` at ``partners/api/v1/``."""

from django.urls import path

from . import api

app_name = "partners_api"

urlpatterns = [
    path("members/lookup/", api.member_lookup, name="member-lookup"),
    path("earn/", api.earn, name="earn"),
    path("burn/", api.burn, name="burn"),
    path("transactions/<uuid:public_id>/reverse/", api.reverse, name="reverse"),
    path("transactions/key/<str:key>/", api.transaction_status, name="transaction-status"),
]
