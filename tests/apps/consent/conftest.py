import pytest
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.consent import services
from oscar_loyalty.apps.consent.models import ConsentRecord
from tests.factories import MemberFactory


@pytest.fixture(autouse=True)
def _anymail_test_backend(settings):
    # Django's test set-up swaps EMAIL_BACKEND for locmem; put Anymail's test
    # backend back so messages go through Anymail's payload code.
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"


@pytest.fixture
def member(db):
    return MemberFactory(user=UserFactory(email="dana@example.com", first_name="Dana"))


@pytest.fixture
def consenting_member(member):
    services.record_consent(
        member.user,
        purpose="marketing",
        channel="email",
        action=ConsentRecord.GRANT,
        source=ConsentRecord.SOURCE_IMPORT,
    )
    return member


@pytest.fixture
def webhook_settings(settings):
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": "hook:s3cret",
        "MAILGUN_WEBHOOK_SIGNING_KEY": "mailgun-signing-key",
    }
    return settings
