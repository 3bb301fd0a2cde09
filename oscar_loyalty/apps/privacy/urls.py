from django.urls import path

from . import views

urlpatterns = [
    path("", views.PrivacyView.as_view(), name="privacy"),
    path("export/", views.ExportView.as_view(), name="privacy-export"),
]
