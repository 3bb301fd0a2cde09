"""Oscar's own data about a customer: the account, addresses, orders, baskets,
wishlists, reviews, stock alerts, emails and browsing history.

Orders and their totals stay (accounting); their addresses, guest address
and notes are blanked. Everything else that exists only for the customer is
deleted. The account row itself is anonymised last (``ACCOUNT_ORDER``) and
kept, so orders, baskets and the points ledger keep a (nameless) owner.
"""

from __future__ import annotations

import uuid

from django.contrib.auth import get_user_model
from django.db import models
from oscar.core.loading import get_model

from . import registry
from .serialise import blank_values, row, rows

ACCOUNT_ORDER = 1000
#: The domain of placeholder addresses (RFC 2606 reserves ``.invalid``).
ERASED_DOMAIN = "erased.invalid"

ADDRESS_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "line1",
    "line2",
    "line3",
    "line4",
    "state",
    "postcode",
    "search_text",
    "phone_number",
    "notes",
)


def _model(app_label: str, name: str):
    try:
        return get_model(app_label, name)
    except LookupError:
        return None


def is_erased(user) -> bool:
    return (user.email or "").endswith("@" + ERASED_DOMAIN)


# Account ---------------------------------------------------------------------


def export_account(subject) -> dict:
    data = row(subject.user, exclude=("password",))
    data["has_usable_password"] = subject.user.has_usable_password()
    data["groups"] = list(subject.user.groups.values_list("name", flat=True))
    return data


def erase_account(subject) -> int:
    """Placeholder address, blank names, unusable password, inactive.

    Generic over custom user models: the email and username fields get the
    placeholder, every other text field is blanked. A new password hash also
    changes the session auth hash, so every session of the account ends.
    """
    User = get_user_model()
    user = subject.user
    placeholder = f"erased-{uuid.uuid4().hex}@{ERASED_DOMAIN}"
    keep = {"password", User.USERNAME_FIELD, User.get_email_field_name()}
    for field in User._meta.concrete_fields:
        if field.name in keep or field.primary_key or field.is_relation:
            continue
        if isinstance(field, (models.CharField, models.TextField)):
            if field.null:
                value = None
            elif field.unique:  # a custom model's unique text field: unique placeholders
                value = f"erased-{uuid.uuid4().hex}"[: field.max_length or None]
            else:
                value = ""
            setattr(user, field.attname, value)
    setattr(user, User.get_email_field_name(), placeholder)
    if User.USERNAME_FIELD != User.get_email_field_name():
        setattr(user, User.USERNAME_FIELD, placeholder)
    user.set_unusable_password()
    user.is_active = False
    user.last_login = None
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    LogEntry = _model("admin", "LogEntry")
    if LogEntry is not None:
        from django.contrib.contenttypes.models import ContentType

        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
        ).update(object_repr=str(user.pk), change_message="")
    return 1


# Addresses -------------------------------------------------------------------


def export_addresses(subject) -> list:
    UserAddress = _model("address", "UserAddress")
    return rows(UserAddress.objects.filter(user=subject.user)) if UserAddress else []


def erase_addresses(subject) -> int:
    UserAddress = _model("address", "UserAddress")
    if UserAddress is None:
        return 0
    return UserAddress.objects.filter(user=subject.user).delete()[0]


# Orders ----------------------------------------------------------------------


def export_orders(subject) -> list:
    Order = get_model("order", "Order")
    OrderNote = get_model("order", "OrderNote")
    result = []
    orders = Order.objects.filter(user=subject.user).select_related(
        "shipping_address", "billing_address"
    )
    for order in orders.prefetch_related("lines"):
        data = row(order)
        data["lines"] = rows(order.lines.all())
        data["shipping_address"] = row(order.shipping_address) if order.shipping_address else None
        data["billing_address"] = row(order.billing_address) if order.billing_address else None
        data["notes"] = rows(OrderNote.objects.filter(order=order))
        result.append(data)
    return result


def erase_orders(subject) -> int:
    """Keep every order, line and total; blank addresses, guest email and notes."""
    Order = get_model("order", "Order")
    OrderNote = get_model("order", "OrderNote")
    ShippingAddress = get_model("order", "ShippingAddress")
    BillingAddress = get_model("order", "BillingAddress")
    orders = Order.objects.filter(pk__in=subject.order_ids)
    changed = orders.exclude(guest_email="").update(guest_email="")
    for model, link in (
        (ShippingAddress, "shipping_address"),
        (BillingAddress, "billing_address"),
    ):
        ids = orders.exclude(**{link: None}).values_list(link, flat=True)
        names = [
            name
            for name in ADDRESS_FIELDS
            if any(f.name == name for f in model._meta.concrete_fields)
        ]
        changed += model.objects.filter(pk__in=list(ids)).update(**blank_values(model, names))
    changed += OrderNote.objects.filter(order__in=orders).update(message="")
    return changed


# Baskets, wishlists, reviews, alerts -------------------------------------------


def export_baskets(subject) -> list:
    Basket = get_model("basket", "Basket")
    result = []
    for basket in Basket.objects.filter(owner=subject.user).prefetch_related("lines"):
        data = row(basket)
        data["lines"] = rows(basket.lines.all())
        data["vouchers"] = list(basket.vouchers.values_list("code", flat=True))
        result.append(data)
    return result


def export_wishlists(subject) -> list:
    WishList = _model("wishlists", "WishList")
    if WishList is None:
        return []
    result = []
    for wishlist in WishList.objects.filter(owner=subject.user).prefetch_related("lines"):
        data = row(wishlist)
        data["lines"] = rows(wishlist.lines.all())
        result.append(data)
    return result


def erase_wishlists(subject) -> int:
    WishList = _model("wishlists", "WishList")
    return WishList.objects.filter(owner=subject.user).delete()[0] if WishList else 0


def export_reviews(subject) -> dict:
    ProductReview = _model("reviews", "ProductReview")
    Vote = _model("reviews", "Vote")
    if ProductReview is None:
        return {}
    return {
        "reviews": rows(ProductReview.objects.filter(user=subject.user)),
        "votes": rows(Vote.objects.filter(user=subject.user)),
    }


def erase_reviews(subject) -> int:
    """Delete reviews one by one: ``ProductReview.delete`` updates the product's rating."""
    ProductReview = _model("reviews", "ProductReview")
    Vote = _model("reviews", "Vote")
    if ProductReview is None:
        return 0
    deleted = 0
    for vote in Vote.objects.filter(user=subject.user):
        vote.delete()
        deleted += 1
    for review in ProductReview.objects.filter(user=subject.user):
        review.delete()
        deleted += 1
    return deleted


def export_product_alerts(subject) -> list:
    ProductAlert = _model("customer", "ProductAlert")
    if ProductAlert is None:
        return []
    return rows(ProductAlert.objects.filter(user=subject.user), exclude=("key",))


def erase_product_alerts(subject) -> int:
    ProductAlert = _model("customer", "ProductAlert")
    if ProductAlert is None:
        return 0
    alerts = ProductAlert.objects.filter(user=subject.user)
    if subject.email:
        alerts = alerts | ProductAlert.objects.filter(email__iexact=subject.email)
    return alerts.delete()[0]


# Emails and notifications ------------------------------------------------------


def export_emails(subject) -> list:
    Email = _model("communication", "Email")
    return rows(Email.objects.filter(user=subject.user)) if Email else []


def export_notifications(subject) -> list:
    Notification = _model("communication", "Notification")
    return rows(Notification.objects.filter(recipient=subject.user)) if Notification else []


def erase_communication(subject) -> int:
    Email = _model("communication", "Email")
    Notification = _model("communication", "Notification")
    deleted = 0
    if Email is not None:
        emails = Email.objects.filter(user=subject.user)
        if subject.email:
            emails = emails | Email.objects.filter(email__iexact=subject.email)
        deleted += emails.delete()[0]
    if Notification is not None:
        deleted += Notification.objects.filter(recipient=subject.user).delete()[0]
        deleted += Notification.objects.filter(sender=subject.user).delete()[0]
    return deleted


# Browsing history and saved cards ---------------------------------------------


def export_browsing(subject) -> dict:
    result = {}
    for name in ("UserRecord", "UserProductView", "UserSearch"):
        model = _model("analytics", name)
        if model is not None:
            result[name] = rows(model.objects.filter(user=subject.user))
    return result


def erase_browsing(subject) -> int:
    deleted = 0
    for name in ("UserRecord", "UserProductView", "UserSearch"):
        model = _model("analytics", name)
        if model is not None:
            deleted += model.objects.filter(user=subject.user).delete()[0]
    return deleted


def export_bankcards(subject) -> list:
    Bankcard = _model("payment", "Bankcard")
    return rows(Bankcard.objects.filter(user=subject.user)) if Bankcard else []


def erase_bankcards(subject) -> int:
    Bankcard = _model("payment", "Bankcard")
    return Bankcard.objects.filter(user=subject.user).delete()[0] if Bankcard else 0


def register() -> None:
    section = registry.register_section
    section("account", exporter=export_account, eraser=erase_account, order=ACCOUNT_ORDER)
    section("addresses", exporter=export_addresses, eraser=erase_addresses)
    section("orders", exporter=export_orders, eraser=erase_orders)
    # Baskets hold products and the owner link only; the owner is anonymised.
    section("baskets", exporter=export_baskets)
    section("wishlists", exporter=export_wishlists, eraser=erase_wishlists)
    section("reviews", exporter=export_reviews, eraser=erase_reviews)
    section("product_alerts", exporter=export_product_alerts, eraser=erase_product_alerts)
    section("emails", exporter=export_emails, eraser=erase_communication)
    section("notifications", exporter=export_notifications)
    section("browsing", exporter=export_browsing, eraser=erase_browsing)
    section("bankcards", exporter=export_bankcards, eraser=erase_bankcards)
    # Every session of the account, on every device (``sessions``), after the account.
    from .sessions import erase_sessions

    section("sessions", eraser=erase_sessions, order=ACCOUNT_ORDER + 10)
