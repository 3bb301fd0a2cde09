from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.membership import services
from oscar_loyalty.apps.membership.models import Plan, Tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def members(free_plan):
    dana = services.join_club(
        UserFactory(email="dana.levi@example.com", first_name="Dana", last_name="Levi"),
        consent_channels=["email"],
    )
    yossi = services.join_club(
        UserFactory(email="yossi@example.com", first_name="Yossi", last_name="Cohen")
    )
    return dana, yossi


def listed(client, **params):
    response = client.get(reverse("loyalty_dashboard:loyalty-member-list"), params)
    assert response.status_code == 200
    return [row.record for row in response.context["members"].page.object_list]


@pytest.mark.parametrize(
    "query", ["dana levi", "LEVI", "dana.levi@", "{number}", "{number_with_spaces}"]
)
def test_staff_find_a_member_by_name_email_or_number(client, staff, members, query):
    dana, _ = members
    query = query.format(number=dana.number, number_with_spaces=dana.formatted_number)
    assert listed(client, q=query) == [dana]


def test_staff_filter_members_by_status_plan_and_tier(client, staff, members):
    dana, yossi = members
    dana.status = "expired"
    dana.save()
    assert listed(client, status="expired") == [dana]
    assert set(listed(client, plan=dana.plan_id)) == {dana, yossi}
    tier = Tier.objects.create(name="Gold", code="gold")
    yossi.tier = tier
    yossi.save()
    assert listed(client, tier=tier.pk) == [yossi]


def test_the_member_page_shows_profile_tier_and_consent_history(client, staff, members):
    dana, _ = members
    html = client.get(
        reverse("loyalty_dashboard:loyalty-member-detail", args=[dana.pk])
    ).content.decode()
    assert dana.formatted_number in html
    assert "dana.levi@example.com" in html
    assert "Granted" in html and "Join the club page" in html


def test_looking_up_a_number_that_does_not_exist_says_so(client, staff, members):
    response = client.get(
        reverse("loyalty_dashboard:loyalty-member-lookup"), {"number": "1234567890"}, follow=True
    )
    assert "not a valid member number" in response.content.decode() or "No member" in (
        response.content.decode()
    )
    dana, _ = members
    response = client.get(
        reverse("loyalty_dashboard:loyalty-member-lookup"), {"number": dana.formatted_number}
    )
    assert response["Location"] == reverse(
        "loyalty_dashboard:loyalty-member-detail", args=[dana.pk]
    )


def test_a_staff_user_without_permission_gets_403(client, members):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("loyalty_dashboard:loyalty-member-list")).status_code == 403
    assert client.post(reverse("loyalty_dashboard:loyalty-plan-create"), {}).status_code == 403


def test_a_staff_user_with_view_permission_sees_members_but_cannot_edit_plans(client, members):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(
            codename="view_member", content_type__app_label="loyalty_membership"
        )
    )
    client.force_login(user)
    assert client.get(reverse("loyalty_dashboard:loyalty-member-list")).status_code == 200
    assert client.get(reverse("loyalty_dashboard:loyalty-plan-create")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, members):
    response = client.get(reverse("loyalty_dashboard:loyalty-member-list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_staff_create_a_free_plan_and_deactivate_it(client, staff):
    response = client.post(
        reverse("loyalty_dashboard:loyalty-plan-create"),
        {"name": "Friends", "slug": "friends", "price": "0", "position": 0, "is_active": "on"},
    )
    assert response.status_code == 302
    plan = Plan.objects.get(slug="friends")
    client.post(reverse("loyalty_dashboard:loyalty-plan-toggle", args=[plan.pk]))
    plan.refresh_from_db()
    assert not plan.is_active


def test_a_paid_plan_without_its_product_is_refused(client, staff):
    response = client.post(
        reverse("loyalty_dashboard:loyalty-plan-create"),
        {"name": "Gold card", "slug": "gold", "price": "49.00", "position": 0},
    )
    assert response.status_code == 200
    assert "needs the product" in response.content.decode()
    assert not Plan.objects.filter(slug="gold").exists()


def test_staff_create_and_edit_a_tier_and_bad_percentages_are_refused(client, staff):
    url = reverse("loyalty_dashboard:loyalty-tier-create")
    data = {
        "name": "Gold",
        "code": "gold",
        "qualifying_spend": "1500",
        "points_multiplier": "1.5",
        "discount_percent": "5",
        "is_active": "on",
    }
    assert client.post(url, data).status_code == 302
    tier = Tier.objects.get(code="gold")
    assert tier.points_multiplier == D("1.5")
    response = client.post(
        reverse("loyalty_dashboard:loyalty-tier-update", args=[tier.pk]),
        {**data, "discount_percent": "150"},
    )
    assert response.status_code == 200
    tier.refresh_from_db()
    assert tier.discount_percent == D("5")


def test_the_dashboard_menu_lists_the_club(client, staff):
    html = client.get(reverse("dashboard:index")).content.decode()
    assert reverse("loyalty_dashboard:loyalty-member-list") in html


def test_oscars_customer_page_links_to_the_membership(client, staff, members):
    dana, _ = members
    html = client.get(reverse("dashboard:user-detail", args=[dana.user.pk])).content.decode()
    assert reverse("loyalty_dashboard:loyalty-member-detail", args=[dana.pk]) in html
    other = UserFactory()
    html = client.get(reverse("dashboard:user-detail", args=[other.pk])).content.decode()
    assert "Not a member" in html


def test_the_member_list_shows_each_points_balance_in_one_query(
    client, staff, members, django_assert_max_num_queries
):
    from tests.apps.points.conftest import credit

    dana, yossi = members
    credit(dana, 120)
    response = client.get(reverse("loyalty_dashboard:loyalty-member-list"))
    html = response.content.decode()
    assert "loyalty-points-balance" in html
    balances = {
        row.record: row.get_cell("points_balance") for row in response.context["members"].rows
    }
    assert balances == {dana: 120, yossi: 0}
    # More members cost no more queries: the balance is annotated, not read per row.
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("loyalty_dashboard:loyalty-member-list"))
    for n in range(5):
        services.join_club(UserFactory(email=f"extra{n}@example.com"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("loyalty_dashboard:loyalty-member-list"))


def test_the_member_page_shows_the_points_balance(client, staff, members):
    from tests.apps.points.conftest import credit

    dana, _ = members
    credit(dana, 75)
    html = client.get(reverse("loyalty_dashboard:loyalty-member-detail", args=[dana.pk]))
    cell = html.content.decode().split('id="loyalty-member-points"')[1].split("</td>")[0]
    assert '<span dir="ltr">75</span>' in cell
    assert reverse("loyalty_dashboard:loyalty-points-member", args=[dana.pk]) in cell
