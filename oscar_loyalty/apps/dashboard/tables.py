from django.utils.translation import gettext_lazy as _
from django_tables2 import A, Column, LinkColumn
from oscar.core.loading import get_class

from oscar_loyalty.apps.membership.models import Member

DashboardTable = get_class("dashboard.tables", "DashboardTable")


class MemberTable(DashboardTable):
    number = LinkColumn(
        "loyalty_dashboard:loyalty-member-detail",
        args=[A("pk")],
        verbose_name=_("Member number"),
    )
    email = Column(accessor="user__email", verbose_name=_("Email"), order_by="user__email")
    name = Column(
        accessor="user__get_full_name",
        verbose_name=_("Name"),
        order_by=("user__last_name", "user__first_name"),
    )
    # The names in the staff member's language (``display_name``), sorted by the stored name.
    plan = Column(accessor="plan__display_name", verbose_name=_("Plan"), order_by="plan__name")
    tier = Column(
        accessor="tier__display_name", verbose_name=_("Tier"), default="—", order_by="tier__name"
    )
    status = Column(verbose_name=_("Status"))
    joined_at = Column(verbose_name=_("Joined"))

    class Meta(DashboardTable.Meta):
        model = Member
        fields = ("number", "email", "name", "plan", "tier", "status", "joined_at")
        order_by = "-joined_at"
