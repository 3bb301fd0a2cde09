from django.urls import path

from . import views

urlpatterns = [
    path("", views.CatalogueView.as_view(), name="rewards"),
    path("<int:pk>/redeem/", views.RedeemView.as_view(), name="rewards-redeem"),
]
