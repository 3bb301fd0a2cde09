"""The member's challenges in the account (the member's home shows them too, as a fragment)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.views import generic

from oscar_loyalty.apps.membership.views import MemberRequiredMixin


class ChallengesAccountView(MemberRequiredMixin, generic.TemplateView):
    template_name = "oscar_loyalty/challenges/account.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(page_title=_("Challenges"), active_tab="loyalty-challenges")
        return ctx
