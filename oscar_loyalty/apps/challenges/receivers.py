"""Oscar's review moderation, as challenge steps: approved counts, anything else takes it back.

Orders reach the app through ``order_steps`` (the one order boundary). The
receivers act after the review's transaction committed, on the row as it is
then, and never raise: a failing challenge must not stop a moderator.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from oscar.core.loading import get_model

from oscar_loyalty.receiving import never_raises

from . import services, sources

ProductReview = get_model("reviews", "ProductReview")


@never_raises
def review_saved_now(review_pk: int) -> None:
    review = ProductReview.objects.filter(pk=review_pk).first()
    if review is not None:
        sources.review_changed(review)


@never_raises
def on_review_saved(sender, instance, **kwargs) -> None:
    pk = instance.pk
    transaction.on_commit(lambda: review_saved_now(pk))


@never_raises
def review_deleted_now(source: str) -> None:
    services.undo(source=source)


@never_raises
def on_review_deleted(sender, instance, **kwargs) -> None:
    source = sources.review_source(instance)
    transaction.on_commit(lambda: review_deleted_now(source))


def connect() -> None:
    post_save.connect(
        on_review_saved, sender=ProductReview, dispatch_uid="loyalty_challenges_review"
    )
    post_delete.connect(
        on_review_deleted, sender=ProductReview, dispatch_uid="loyalty_challenges_review_deleted"
    )
