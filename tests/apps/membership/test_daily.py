from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from oscar.core.loading import get_class
from oscar.test.factories import BasketFactory, UserFactory, create_order

from oscar_loyalty.apps.membership import receivers
from oscar_loyalty.apps.membership.models import Member

pytestmark = pytest.mark.django_db
Selector = get_class("partner.strategy", "Selector")


def test_the_daily_command_activates_a_membership_the_receiver_missed(vip_plan, monkeypatch):
    user = UserFactory()
    calls = []

    def failing_activation(order, **kwargs):
        calls.append(order)
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(receivers.services, "activate_memberships_for_order", failing_activation)
    basket = BasketFactory(owner=user)
    basket.strategy = Selector().strategy(user=user)
    basket.add_product(vip_plan.product)
    order = create_order(basket=basket, user=user)  # the checkout is not broken
    assert calls == [order] and not Member.objects.filter(user=user).exists()
    monkeypatch.undo()

    call_command("loyalty_membership_daily", stdout=open("/dev/null", "w"))
    member = Member.objects.get(user=user)
    assert member.terms.get().order == order
    call_command("loyalty_membership_daily", stdout=open("/dev/null", "w"))
    assert member.terms.count() == 1


def test_the_daily_command_expires_ended_memberships(vip_plan):
    user = UserFactory()
    basket = BasketFactory(owner=user)
    basket.strategy = Selector().strategy(user=user)
    basket.add_product(vip_plan.product)
    create_order(basket=basket, user=user)
    # The year was bought 13 months ago.
    member = Member.objects.get(user=user)
    long_ago = timezone.now() - timedelta(days=396)
    member.terms.update(created_at=long_ago, starts_at=long_ago)
    Member.objects.filter(pk=member.pk).update(expires_at=long_ago + timedelta(days=365))
    call_command("loyalty_membership_daily", stdout=open("/dev/null", "w"))
    assert Member.objects.get(user=user).status == Member.EXPIRED
