"""Drive Oscar's real checkout views with Django's test client, step by step."""

from __future__ import annotations

from django.urls import reverse
from oscar.core.loading import get_model

Order = get_model("order", "Order")
Country = get_model("address", "Country")

ADDRESS = {
    "first_name": "Dana",
    "last_name": "Levi",
    "line1": "1 Rothschild Boulevard",
    "line4": "Tel Aviv",
    "postcode": "6100000",
    "country": "IL",
    "phone_number": "",
}


def ensure_country() -> None:
    Country.objects.get_or_create(
        iso_3166_1_a2="IL",
        defaults={
            "iso_3166_1_a3": "ISR",
            "iso_3166_1_numeric": "376",
            "printable_name": "Israel",
            "name": "State of Israel",
            "is_shipping_country": True,
        },
    )


def add_to_basket(client, product, quantity: int = 1):
    response = client.post(
        reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity}
    )
    assert response.status_code == 302, response.content[:500]
    return response


def checkout_page_queries(client, products, lines: int) -> dict[str, int]:
    """Queries of the basket page and the checkout's pages, for a basket of ``lines`` lines."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ensure_country()
    for product in products[:lines]:
        add_to_basket(client, product)
    client.get(reverse("basket:summary"))  # warm: the process's snapshots, the price book
    counts = {}
    for name, method, url, data in (
        ("basket", "get", reverse("basket:summary"), None),
        ("shipping address", "post", reverse("checkout:shipping-address"), ADDRESS),
        ("shipping method", "get", reverse("checkout:shipping-method"), None),
        ("payment method", "get", reverse("checkout:payment-method"), None),
        ("preview", "get", reverse("checkout:preview"), None),
    ):
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(url, data) if data else client.get(url)
        assert response.status_code in (200, 302), (name, response.status_code)
        counts[name] = len(queries)
    return counts


def place_order(client, *, requires_shipping: bool = True):
    """Walk index → shipping address → method → payment → preview → place order.

    Returns the placed order. Fails loudly at the step that does not behave
    like Oscar's checkout should.
    """
    ensure_country()
    response = client.get(reverse("checkout:index"), follow=True)
    assert response.status_code == 200
    if requires_shipping:
        response = client.post(reverse("checkout:shipping-address"), ADDRESS)
        assert response.status_code == 302, response.context and response.context["form"].errors
    response = client.get(reverse("checkout:shipping-method"), follow=True)
    assert response.status_code == 200
    response = client.get(reverse("checkout:payment-method"), follow=True)
    assert response.status_code == 200
    response = client.get(reverse("checkout:preview"))
    assert response.status_code == 200, response.content[:500]
    before = set(Order.objects.values_list("pk", flat=True))
    response = client.post(reverse("checkout:preview"), {"action": "place_order"})
    assert response.status_code == 302, response.content[:2000]
    assert response["Location"].endswith(reverse("checkout:thank-you"))
    new = Order.objects.exclude(pk__in=before)
    assert new.count() == 1
    return new.get()
