from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "sandbox.demo"
    label = "sandbox_demo"
    verbose_name = "Sandbox demo data"
