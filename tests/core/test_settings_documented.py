import inspect
from pathlib import Path

from oscar_loyalty.app_settings import PREFIX, AppSettings

DOC = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def test_every_setting_is_documented_in_docs_settings():
    documented = DOC.read_text()
    names = [
        name for name, _prop in inspect.getmembers(AppSettings, lambda o: isinstance(o, property))
    ]
    missing = [PREFIX + name for name in names if f"`{PREFIX}{name}`" not in documented]
    assert missing == []
