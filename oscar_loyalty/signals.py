"""Signals the add-on sends, for stores and integrators.

Core logic never depends on a receiver. Except ``member_erasing`` and
``recording``, every signal is sent after the database transaction that
caused it has committed (``send_on_commit``).
"""

from django.db import transaction
from django.dispatch import Signal

#: A user joined the club.
#: provides args: member, source ("join", "registration", "purchase", "staff")
member_joined = Signal()

#: A membership was activated or renewed by an order.
#: provides args: member, term, order
membership_renewed = Signal()

#: A membership term was reversed (its order cancelled or refunded).
#: provides args: member, term, order
membership_reversed = Signal()

#: A membership expired.
#: provides args: member
membership_expired = Signal()

#: A member's tier changed.
#: provides args: member, change (a TierChange)
tier_changed = Signal()

#: A consent record was written.
#: provides args: record (a ConsentRecord)
consent_changed = Signal()

#: A user's personal data is being erased (``apps.privacy.erasure.erase_user``).
#: Unlike the signals above, sent *inside* the erasure transaction, after the
#: registered erasers and before the account itself is anonymised, so a
#: receiver erases its own data about the user in the same transaction; an
#: exception in a receiver rolls the whole erasure back.
#: provides args: user, member (or None), email (the address before erasure)
member_erasing = Signal()

#: Staff recorded a purchase at the till (``apps.partners.instore``); Oscar's
#: ``order_placed`` is not sent for it (its receivers expect catalogue products).
#: provides args: order, member, staff_user
instore_purchase_recorded = Signal()

#: An order's earning was recorded: its points are pending until they mature.
#: provides args: member, earning (a PointsEarning), order
points_earned = Signal()

#: Pending points became spendable (an order's earning matured).
#: provides args: member, earning (a PointsEarning), entry (the ledger credit,
#: or None when everything earned had been reversed)
points_matured = Signal()

#: The points an order spent were debited from the ledger (the redemption settled).
#: provides args: member, redemption (a PointsRedemption), entry (the ledger debit), order
points_spent = Signal()

#: A cancellation or a refund took back points an order earned and gave back
#: points it spent (once per event key).
#: provides args: member, reversal (a PointsReversal: earned_points_reversed,
#: spent_points_returned), order
points_reversed = Signal()

#: Points expired (the daily job; one ledger entry per member and run).
#: provides args: member, entry (the ledger debit)
points_expired = Signal()

#: A referred friend's first order qualified the referral (pending, in review
#: or over the referrer's cap; not sent when it was rejected).
#: provides args: referral (a Referral)
referral_qualified = Signal()

#: A referral's rewards were given (the friend's first order matured, or staff approved).
#: provides args: referral (a Referral)
referral_rewarded = Signal()

#: An order's points are final: its earning matured, nothing of it is pending.
#: provides args: order, member, earned (points credited), spent (points the order spent)
order_points_settled = Signal()

#: Sent *inside* the transaction of every fact above that ``send_on_commit``
#: will announce after commit, with the signal it will send: a receiver that
#: writes rows (the webhooks app's outbox) commits or rolls back with the fact
#: itself, so no fact is announced that did not happen and none is lost. An
#: exception in a receiver rolls the fact back: keep it to database writes.
#: provides args: fact (the signal sent after commit), and that signal's args
recording = Signal()


def listened(signal: Signal) -> bool:
    """Whether ``signal`` or ``recording`` has a receiver (else skip gathering its arguments)."""
    return recording.has_listeners() or signal.has_listeners()


def send_on_commit(signal: Signal, *, sender, **arguments) -> None:
    """Tell ``recording``'s receivers now, and send ``signal`` once the transaction commits.

    Call it inside the ``transaction.atomic()`` block that makes the change:
    outside one, ``recording``'s rows would be written in a transaction of
    their own and a crash in between could lose them.
    """
    recording.send(sender=sender, fact=signal, **arguments)
    transaction.on_commit(lambda: signal.send(sender=sender, **arguments))
