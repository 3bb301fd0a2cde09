import pytest


@pytest.fixture(autouse=True)
def _english_and_clean_outbox(settings, mailoutbox):
    settings.LANGUAGE_CODE = "en"
    return mailoutbox
