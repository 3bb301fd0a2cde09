"""Oscar's "add a voucher" view with a limit on unknown codes (guessing).

Swapped in by the class loader (``oscar_loyalty.loading.OVERRIDES``) for
``basket.views.VoucherAddView``. It subclasses whatever Oscar's loader finds
(the store's forked basket app included). Only codes that match no voucher
count, per IP address and per signed-in user, so shoppers behind one
carrier's address are not blocked by each other's typos for long;
``OSCAR_LOYALTY_VOUCHER_RATE_LIMIT = (attempts, seconds)``. Over the limit
no code is looked up at all and the basket is left as it was.

It guards Oscar's own basket, so it belongs to the core (with the limiter),
not to an optional app: it works whichever club apps are installed.
"""

from __future__ import annotations

from django.contrib import messages
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import default_class_loader
from oscar.core.utils import redirect_to_referrer

from oscar_loyalty import app_settings, ratelimit

# Oscar's own loader: ``get_class`` would return this very class.
(OscarVoucherAddView,) = default_class_loader("basket.views", ["VoucherAddView"], "oscar.apps")

SCOPE = "voucher"
TOO_MANY = _("Too many voucher codes tried. Please wait a little and try again.")


def limit_keys(request) -> list[str]:
    keys = [f"ip:{ratelimit.client_key(request)}"]
    if request.user.is_authenticated:
        keys.append(f"user:{request.user.pk}")
    return keys


class VoucherAddView(OscarVoucherAddView):
    def dispatch(self, request, *args, **kwargs):
        # Oscar's redirect_to_referrer hands a relative Referer such as "0" to
        # redirect(), which reverses it as a view name (NoReverseMatch, a 500):
        # a Referer that is not a URL or a path is dropped (the basket is the default).
        referrer = request.META.get("HTTP_REFERER", "")
        if referrer and not referrer.startswith(("/", "http://", "https://")):
            del request.META["HTTP_REFERER"]
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        limit = app_settings.VOUCHER_RATE_LIMIT
        keys = limit_keys(self.request)
        if ratelimit.any_limited(SCOPE, keys, limit=limit):
            messages.error(self.request, TOO_MANY)
            return redirect_to_referrer(self.request, "basket:summary")
        code = form.cleaned_data["code"]
        if not self.voucher_model._default_manager.filter(code=code).exists():
            ratelimit.count_each(SCOPE, keys, limit=limit)
        return super().form_valid(form)
