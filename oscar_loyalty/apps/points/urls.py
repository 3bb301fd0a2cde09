from django.urls import path

from . import views

urlpatterns = [
    path("", views.PointsAccountView.as_view(), name="points"),
    path("apply/", views.ApplyPointsView.as_view(), name="points-apply"),
    path("remove/", views.RemovePointsView.as_view(), name="points-remove"),
]
