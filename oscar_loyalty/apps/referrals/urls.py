from django.urls import path

from . import views

urlpatterns = [
    path("", views.ReferralsAccountView.as_view(), name="referrals"),
    path("enter/", views.EnterCodeView.as_view(), name="referral-enter"),
    path("<str:code>/", views.ShareLinkView.as_view(), name="referral-link"),
]
