from django.apps import AppConfig


class MyAuthConfig(AppConfig):
    name = "tests.custom_store.myauth"
    label = "myauth"
    default_auto_field = "django.db.models.AutoField"
