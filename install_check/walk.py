"""The shopper's walk through a stock Oscar store with the add-on installed.

Run by ``install_check/run.sh`` from the store's directory, with the fresh venv's
Python, after ``migrate``: join the club on Oscar's registration form → add a
product to the basket → apply points (given first through the add-on's public
service, as staff at the till would) → place the order through Oscar's own
checkout views → run the django-tasks worker → the order earned points and the
spent points were debited. Django's test client against the real views and the
store's own settings (no test settings, no mocks). Exits non-zero on any failure.
"""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frobshop.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import warnings  # noqa: E402

import django  # noqa: E402

# The simple search backend of Oscar's tutorial says so on every product saved.
warnings.filterwarnings("ignore", "update is not implemented", UserWarning)

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from oscar.core.loading import get_model  # noqa: E402

from oscar_loyalty.apps.membership.models import Member, Plan  # noqa: E402
from oscar_loyalty.apps.points import services as points  # noqa: E402
from oscar_loyalty.apps.points.models import (  # noqa: E402
    PointsAccount,
    PointsEarning,
    PointsRedemption,
)

CONFIG = sys.argv[1] if len(sys.argv) > 1 else "core"
Country = get_model("address", "Country")
Order = get_model("order", "Order")
Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
StockRecord = get_model("partner", "StockRecord")


def step(text):
    print(f"  - {text}", flush=True)


def expect(response, status, what):
    if response.status_code != status:
        body = response.content.decode(errors="replace")[:3000]
        raise SystemExit(f"FAILED: {what}: HTTP {response.status_code}, expected {status}\n{body}")
    return response


def check(condition, what):
    if not condition:
        raise SystemExit(f"FAILED: {what}")


# What the store's staff set up once: a product, a shipping country, a free plan.
Country.objects.get_or_create(
    iso_3166_1_a2="IL",
    defaults={
        "iso_3166_1_a3": "ISR",
        "iso_3166_1_numeric": "376",
        "printable_name": "Israel",
        "name": "State of Israel",
        "is_shipping_country": True,
    },
)
books = ProductClass.objects.create(name="Books", requires_shipping=True, track_stock=True)
kettle = Product.objects.create(product_class=books, title="Kettle", structure="standalone")
StockRecord.objects.create(
    product=kettle,
    partner=Partner.objects.create(name="Warehouse"),
    partner_sku="KETTLE-1",
    price=Decimal("120.00"),
    num_in_stock=10,
)
staff_user = get_user_model().objects.create_user(
    username="staff", email="staff@example.com", password="staff-password-1"
)
staff_user.is_staff = staff_user.is_superuser = True
staff_user.save()
staff = Client()
staff.force_login(staff_user)
expect(staff.get(reverse("dashboard:index")), 200, "Oscar's dashboard with the club's menu")
expect(
    staff.post(
        reverse("loyalty_dashboard:loyalty-plan-create"),
        {"name": "Club", "slug": "club", "price": "0.00", "position": "0", "is_active": "on"},
    ),
    302,
    "staff create the free plan in the dashboard",
)
check(Plan.objects.filter(slug="club", price=0).exists(), "the free plan exists")
step("staff: Oscar's dashboard with the club's menu, a free plan created there")

# A shopper registers on Oscar's form and joins the club there.
shopper = Client()
expect(
    shopper.post(
        reverse("customer:register"),
        {
            "email": "noa@example.com",
            "password1": "a-long-passphrase-1",
            "password2": "a-long-passphrase-1",
            "join_club": "on",
            "consent_email": "on",
        },
    ),
    302,
    "register and join the club on Oscar's registration form",
)
member = Member.objects.get(user__email="noa@example.com")
expect(shopper.get(reverse("loyalty:card")), 200, "the member's card")
step(f"shopper registered and joined: member {member.formatted_number}")

# Staff at the till give the member points, through the add-on's public service.
points.adjust_points(member, 5000, reason="Welcome at the till", staff_user=staff_user)
expect(
    shopper.post(reverse("basket:add", kwargs={"pk": kettle.pk}), {"quantity": 1}),
    302,
    "add the kettle to the basket",
)
expect(
    shopper.post(reverse("loyalty:points-apply"), {"points": "2000"}),
    302,
    "apply 2000 points to the basket",
)
basket = expect(shopper.get(reverse("basket:summary")), 200, "the basket page").content.decode()
check("applied to your basket" in basket or "2000" in basket, "the basket shows the points")
step("5000 points given at the till; kettle (120.00) in the basket; 2000 points applied")

# Oscar's own checkout: shipping address, method, payment (none), preview, place order.
expect(shopper.get(reverse("checkout:index"), follow=True), 200, "checkout index")
expect(
    shopper.post(
        reverse("checkout:shipping-address"),
        {
            "first_name": "Noa",
            "last_name": "Levi",
            "line1": "1 Rothschild Boulevard",
            "line4": "Tel Aviv",
            "postcode": "6100000",
            "country": "IL",
            "phone_number": "",
        },
    ),
    302,
    "shipping address",
)
expect(shopper.get(reverse("checkout:shipping-method"), follow=True), 200, "shipping method")
expect(shopper.get(reverse("checkout:payment-method"), follow=True), 200, "payment method")
expect(shopper.get(reverse("checkout:preview")), 200, "preview")
placed = expect(
    shopper.post(reverse("checkout:preview"), {"action": "place_order"}), 302, "place order"
)
check(placed["Location"].endswith(reverse("checkout:thank-you")), "redirected to thank-you")
expect(shopper.get(reverse("checkout:thank-you")), 200, "the thank-you page")
order = Order.objects.get(user=member.user)
check(order.total_incl_tax == Decimal("100.00"), f"order total 100.00, is {order.total_incl_tax}")
redemption = PointsRedemption.objects.get(order=order)
check(redemption.captured_points == 2000, f"2000 points captured, {redemption.captured_points}")
check(not PointsEarning.objects.filter(order=order).exists(), "nothing earned before the worker")
step(f"order {order.number} placed through Oscar's checkout: total {order.total_incl_tax}")

# The django-tasks worker, as the store runs it beside the web server.
worker = subprocess.run(
    [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
    cwd=Path(__file__).resolve().parent,
    capture_output=True,
    text=True,
    timeout=300,
    check=False,
)
check(worker.returncode == 0, f"db_worker --batch exited {worker.returncode}\n{worker.stderr}")
DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
failed = list(DBTaskResult.objects.exclude(status="SUCCESSFUL").values_list("task_path", "status"))
check(not failed, f"every queued task succeeded: {failed}")
earning = PointsEarning.objects.get(order=order)
account = PointsAccount.objects.get(member=member)
check(earning.points == 100, f"the order earned 100 points (1 per 1.00 paid), {earning.points}")
check(account.balance == 3000, f"balance 5000 - 2000 spent = 3000, is {account.balance}")
check(account.pending == 100, f"100 points pending the return window, is {account.pending}")
step(f"worker ran: order earned {earning.points} points; balance {account.balance}")

mails = list(Path(settings.EMAIL_FILE_PATH).glob("*.log"))
check(mails, "the worker sent the club's mail (double opt-in, points earned)")
step(f"{len(mails)} mail file(s) written by the store's own mail backend")

if CONFIG in ("newsletter", "full"):
    expect(staff.get("/cms/"), 200, "Wagtail's admin, where newsletters are written")
    step("staff: Wagtail's admin answers")
if CONFIG == "full":
    page = expect(
        shopper.get(reverse("loyalty:card"), HTTP_ACCEPT_LANGUAGE="he"), 200, "the card"
    ).content.decode()
    check('dir="rtl"' in page, "the club's pages read right to left in Hebrew")
    step("the card in Hebrew, right to left")

print(f"walk OK ({CONFIG}): join -> basket -> apply points -> order -> earned points")
