from django.urls import path

from . import views

urlpatterns = [
    path("", views.PreferencesView.as_view(), name="preferences"),
    path("confirm/<str:token>/", views.confirm_view, name="consent-confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
    path(
        "unsubscribe/<str:token>/one-click/",
        views.one_click_unsubscribe_view,
        name="unsubscribe-one-click",
    ),
]
