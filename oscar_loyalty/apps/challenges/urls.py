from django.urls import path

from . import views

urlpatterns = [
    path("", views.ChallengesAccountView.as_view(), name="challenges"),
]
