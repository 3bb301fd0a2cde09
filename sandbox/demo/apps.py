from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The sandbox's own app; also the example of a store extending the club (docs/extending.md).

    ``club_context.py`` adds a field to the club context (products on the
    shopper's wish lists); the fragment below shows it on the basket page.
    """

    name = "sandbox.demo"
    label = "sandbox_demo"
    verbose_name = "Sandbox demo data"
    # A store's own fragment in one of the club's slots (oscar_loyalty.fragments).
    loyalty_fragments = {"basket": ["demo/basket_wish_list_note.html"]}

    def ready(self) -> None:
        # The store's own order step, after the club's (docs/extending.md).
        from . import order_steps

        order_steps.register()
