"""The newsletter's migrations hold nothing of the settings they were generated with."""

from oscar_loyalty.apps.newsletter.models import Newsletter


def test_the_language_field_names_the_stores_languages_instead_of_freezing_ours():
    # Frozen values (our LANGUAGES, our LANGUAGE_CODE) made `makemigrations --check`
    # of a stock store with other LANGUAGES report a pending migration of the add-on
    # (found by install_check/run.sh). Callables are written into migrations by name.
    _name, _path, _args, kwargs = Newsletter._meta.get_field("language").deconstruct()
    assert callable(kwargs["choices"]) and callable(kwargs["default"])
