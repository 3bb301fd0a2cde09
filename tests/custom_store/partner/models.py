# A forked partner app with a field of the store's own, so its migrations are
# its own and numbered differently from Oscar's (as in Oscar's own test fork,
# where Oscar's 0007_partneraddress_code is 0008): the add-on's migrations
# must not name any of Oscar's partner migrations by number.
from django.db import models
from oscar.apps.partner import abstract_models


class StockRecord(abstract_models.AbstractStockRecord):
    shelf = models.CharField(max_length=32, blank=True, default="")


from oscar.apps.partner.models import *  # noqa: E402, F403
