"""Who contributes what to a data export, an erasure and the retention run.

Each app of the add-on describes its own data in a ``privacy.py`` module
(``oscar_loyalty.apps.<app>.privacy``), imported by ``autodiscover`` for the
installed apps only; Oscar's data is described in ``oscar_data``. A store's
own app registers its sections the same way, from its ``AppConfig.ready``::

    from oscar_loyalty.apps.privacy import registry

    registry.register_section("my_app", exporter=export_my_app, eraser=erase_my_app)

or connects a receiver to ``oscar_loyalty.signals.member_erasing``.

* An *exporter* takes the ``Subject`` and returns JSON-serialisable data
  (``DjangoJSONEncoder``: dates and decimals are fine) for its section.
* An *eraser* takes the ``Subject``, deletes or anonymises that app's
  personal data about it inside the erasure transaction, and returns the
  number of rows it changed (kept, as a number, in the erasure log).
  Erasers run by ``order``; the account itself (order 1000) goes last.
* A *retention rule* takes a ``cutoff`` datetime and a batch size and
  deletes the rows older than the cutoff, returning how many it deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from importlib import import_module
from typing import Any

from django.apps import apps
from django.utils.module_loading import module_has_submodule


@dataclass
class Subject:
    """The person an export or erasure is about, captured before anything changes."""

    user: Any
    member: Any = None
    #: The address as it was when the request started (erasure replaces it).
    email: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def for_user(cls, user) -> Subject:
        member = None
        if apps.is_installed("oscar_loyalty.apps.membership"):
            # By label: the apps register with this registry, it imports none of them.
            Member = apps.get_model("loyalty_membership", "Member")
            member = Member.objects.filter(user=user).first()
        return cls(user=user, member=member, email=user.email or "")

    @cached_property
    def order_ids(self) -> list[int]:
        from oscar.core.loading import get_model

        Order = get_model("order", "Order")
        return list(Order.objects.filter(user=self.user).values_list("pk", flat=True))


Exporter = Callable[[Subject], Any]
Eraser = Callable[[Subject], int]


@dataclass(frozen=True)
class Section:
    name: str
    exporter: Exporter | None = None
    eraser: Eraser | None = None
    order: int = 100


@dataclass(frozen=True)
class RetentionRule:
    name: str
    #: Name of the ``app_settings`` property giving the days to keep (``None``: forever).
    setting: str
    delete_older_than: Callable[..., int]


_sections: dict[str, Section] = {}
_retention: dict[str, RetentionRule] = {}


def register_section(
    name: str,
    *,
    exporter: Exporter | None = None,
    eraser: Eraser | None = None,
    order: int = 100,
) -> None:
    """Add (or replace, by name) one section of the export and erasure."""
    _sections[name] = Section(name=name, exporter=exporter, eraser=eraser, order=order)


def register_retention(name: str, *, setting: str, delete_older_than: Callable[..., int]) -> None:
    """Add (or replace, by name) a retention rule run by ``loyalty_apply_retention``."""
    _retention[name] = RetentionRule(
        name=name, setting=setting, delete_older_than=delete_older_than
    )


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.name))


def retention_rules() -> list[RetentionRule]:
    return [_retention[name] for name in sorted(_retention)]


def autodiscover() -> None:
    """Import ``privacy.py`` of every installed app of the add-on (it registers itself)."""
    for app_config in apps.get_app_configs():
        if app_config.name.startswith("oscar_loyalty.apps.") and module_has_submodule(
            app_config.module, "privacy"
        ):
            import_module(f"{app_config.name}.privacy")
