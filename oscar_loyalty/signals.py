"""Signals the add-on sends, for stores and integrators.

Core logic never depends on a receiver. Every signal is sent after the
database transaction that caused it has committed.
"""

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
