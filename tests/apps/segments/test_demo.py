import pytest
from django.core.management import call_command

from oscar_loyalty.apps.segments import services
from oscar_loyalty.apps.segments.models import MemberStats, Segment

pytestmark = pytest.mark.django_db


def test_the_demo_data_has_a_tel_aviv_shoe_segment_with_members():
    call_command("loyalty_demo_data", "--members", "0", verbosity=0)
    segment = Segment.objects.get(name="Tel Aviv shoe buyers")
    emails = set(services.members_in(segment).values_list("user__email", flat=True))
    assert {"dana.levi@example.com", "tamar.azulay@example.com"} <= emails
    assert all(member.city == "Tel Aviv" for member in services.members_in(segment))
    assert segment.last_count == len(emails)
    assert MemberStats.objects.exists()
