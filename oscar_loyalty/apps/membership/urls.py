from django.urls import path

from . import views

urlpatterns = [
    path("", views.ClubLandingView.as_view(), name="join"),
    path("membership/", views.MembershipView.as_view(), name="membership"),
    path("card/", views.CardView.as_view(), name="card"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
]
