from django.urls import path

from . import views

urlpatterns = [
    path("", views.MyGiftsView.as_view(), name="offers"),
]
