"""Hashed email addresses: how suppressions and evidence name an address.

The scheme lives in the core (``oscar_loyalty.hashing``), as the privacy
app's erasure log names addresses the same way; consent's modules import it
from here.
"""

from oscar_loyalty.hashing import EMAIL, email_hash, email_hasher, normalise_email

__all__ = ["EMAIL", "email_hash", "email_hasher", "normalise_email"]
