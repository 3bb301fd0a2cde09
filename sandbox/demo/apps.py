from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "sandbox.demo"
    label = "sandbox_demo"
    verbose_name = "Sandbox demo data"

    def ready(self) -> None:
        # The store's own order step, after the club's (docs/extending.md).
        from . import order_steps

        order_steps.register()
