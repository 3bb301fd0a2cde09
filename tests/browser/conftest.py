"""A real browser (Debian's chromium, driven by Playwright) against the sandbox on 127.0.0.1.

The store is served by pytest-django's ``live_server``: real HTTP in a thread
of this process, with the sandbox's settings (tests/settings.py) and its static
files. Because the server thread shares this process, the test reads what the
store sent from ``django.core.mail.outbox`` (Anymail's test backend) and
changes settings for both sides with the ``settings`` fixture.

Every test saves a screenshot per step in ``var/screenshots/<test>/``; a failing
test also keeps ``failure.png`` and ``failure.html`` of the page it was on.

The tests skip, saying why, only when there is no chromium to drive; CI
installs Debian's ``chromium`` package (``.ci/run``). Playwright's own browser
download is never used.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

# Before pytest-django's session-scoped live_server starts: serve on 127.0.0.1
# (the sandbox's ALLOWED_HOSTS), not "localhost".
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
# Screenshots that the docs show (docs/screens.md): taken by the tests, committed.
DOC_SCREENS = ROOT / "docs" / "img" / "screens"
CHROMIUM = os.environ.get("LOYALTY_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags chromium keeps calling home, which
# on a closed network only produces timeouts.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
STEP_TIMEOUT_MS = 20_000
PASSWORD = "a-long-passphrase-1"


def _skip_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return (
            f"no chromium at {CHROMIUM}: install Debian's package "
            "(apt-get install chromium) or set LOYALTY_CHROMIUM"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="module")
def browser():
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop registered on this thread;
    # Django would then refuse the test's own ORM calls as "async unsafe".
    # They are plain synchronous calls, so say so while the browser is up.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Steps:
    """The page plus numbered screenshots of each step of the journey."""

    def __init__(self, page, folder: Path, base_url: str):
        self.page, self.folder, self.base_url = page, folder, base_url
        self.count = 0

    def goto(self, path: str):
        url = path if path.startswith("http") else self.base_url + path
        response = self.page.goto(url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        return response

    def submit(self, selector: str):
        """Click a submit button and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.click(selector)
        return self.page

    def shot(self, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def doc_shot(self, name: str, *, full_page: bool = False) -> Path:
        """A screenshot the docs show (docs/screens.md), named ``<page>-<lang>[-mobile]``.

        Saved into ``docs/img/screens/`` only when ``LOYALTY_DOC_SCREENS`` is set
        (``make screens``), so that running the suite leaves the checkout as it
        was; otherwise beside the test's other screenshots in ``var/screenshots``.
        """
        slug = re.sub(r"[^a-z0-9-]+", "-", name.lower())
        if os.environ.get("LOYALTY_DOC_SCREENS"):
            DOC_SCREENS.mkdir(parents=True, exist_ok=True)
            path = DOC_SCREENS / f"{slug}.png"
        else:
            path = self.folder / f"doc-{slug}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def checkout_to_preview(self, *, name: tuple[str, str], line1: str, city: str, postcode: str):
        """Oscar's checkout from its first page to the preview: a new shipping address,
        then the payment page (the sandbox has no gateway: it only says "Continue")."""
        page = self.page
        self.goto(reverse("checkout:index"))
        page.fill("#id_first_name", name[0])
        page.fill("#id_last_name", name[1])
        page.fill("#id_line1", line1)
        page.fill("#id_line4", city)
        page.fill("#id_postcode", postcode)
        if page.locator("select#id_country").count():  # Oscar hides it for a single country
            page.select_option("#id_country", "IL")
        self.submit("#new_shipping_address button[type=submit]")
        page.wait_for_url(re.compile(r"/checkout/payment-details/"))
        self.submit("#view_preview")
        page.wait_for_url(re.compile(r"/checkout/preview/"))
        return page

    def place_order(self):
        self.submit("#place-order")
        self.page.wait_for_url(re.compile(r"/checkout/thank-you/"))
        return self.page

    def html_attrs(self) -> tuple[str | None, str | None]:
        html = self.page.locator("html")
        return html.get_attribute("lang"), html.get_attribute("dir")


@pytest.fixture
def steps(request, browser, live_server):
    folder = SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # No request leaves 127.0.0.1: Oscar's templates name a CDN for jQuery
    # (with a local fallback), which must not slow a closed network down.
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/]).*"), lambda route: route.abort())
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = context.new_page()
    yield Steps(page, folder, live_server.url)
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        try:
            page.screenshot(path=str(folder / "failure.png"), full_page=True)
            (folder / "failure.html").write_text(page.content(), encoding="utf-8")
        except Exception as error:  # noqa: BLE001 - keep the test's own failure visible
            (folder / "failure.txt").write_text(f"no screenshot: {error!r}", encoding="utf-8")
    context.close()


def ensure_site_offers() -> None:
    """The offers the data migrations create (idempotent).

    ``serialized_rollback`` restores them after each transactional test, but a
    local ``--reuse-db`` run serializes whatever the last run left behind.
    """
    from django.apps import apps

    # The data migrations' functions, in migration order (0005 removes an offer 0002 made).
    for module, function in (
        ("oscar_loyalty.apps.points.migrations.0002_site_offers", "create_offers"),
        ("oscar_loyalty.apps.points.migrations.0005_drop_preview_offer", "delete_preview_offer"),
        ("oscar_loyalty.apps.referrals.migrations.0002_friend_offer", "create_offer"),
    ):
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def store(settings, live_server):
    """A small store: a free plan, products with a member price, Israel to ship to, staff.

    Settings are the sandbox's with plain points rules, and links in emails
    pointing at the live server.
    """
    from oscar.test.factories import UserFactory, create_product

    from oscar_loyalty.apps.offers.models import MemberPrice
    from tests.checkout import ensure_country
    from tests.factories import PlanFactory

    settings.OSCAR_LOYALTY_SITE_URL = live_server.url
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    settings.OSCAR_LOYALTY_POINTS_PER_UNIT = "1"
    settings.OSCAR_LOYALTY_POINTS_PENDING_DAYS = 0
    settings.OSCAR_LOYALTY_POINTS_VALUE = "0.01"
    settings.OSCAR_LOYALTY_WELCOME_GIFT = "points"
    settings.OSCAR_LOYALTY_WELCOME_POINTS = 1000
    ensure_country()
    ensure_site_offers()
    plan = PlanFactory(name="Club", slug="club", price=D("0.00"))
    oil = create_product(title="Olive oil", price=D("100.00"), num_in_stock=50)
    MemberPrice.objects.create(stockrecord=oil.stockrecords.get(), price=D("90.00"))
    tea = create_product(title="Green tea", price=D("40.00"), num_in_stock=50)
    staff = UserFactory(
        email="admin@example.com", is_staff=True, is_superuser=True, first_name="Admin"
    )
    staff.set_password(PASSWORD)
    staff.save()
    mail.outbox = []
    return {"plan": plan, "oil": oil, "tea": tea, "staff": staff}
