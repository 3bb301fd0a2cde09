"""Setting member prices: one product from the dashboard, or many from a CSV file.

A product is priced on each of its stock records (one per partner); a CSV row
names a stock record by its SKU, or a product by its UPC (then each of its
stock records). An import is all or nothing: every row is checked first, and
one bad row writes no row at all, so staff fix the file and import it again
instead of working out which half went in. The writes then happen in one
transaction, in bulk, and bump the price book once (``pricing``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from oscar_loyalty.exceptions import OffersError

from .models import ZERO, MemberPrice
from .pricing import bump_price_book

StockRecord = get_model("partner", "StockRecord")
CENT = Decimal("0.01")
#: The columns a CSV file has: ``sku`` or ``upc`` (at least one), ``member_price``.
KEY_COLUMNS = ("sku", "upc")
PRICE_COLUMN = "member_price"


@dataclass(frozen=True)
class RowError:
    line: int  # the line in the file (the header is line 1)
    value: str  # the SKU or UPC the row names, as written
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    errors: list[RowError] = field(default_factory=list)


class MemberPriceImportError(OffersError):
    """A file with bad rows: nothing was imported. ``errors`` lists each row's problem."""

    def __init__(self, errors: list[RowError]):
        super().__init__(
            _("Nothing was imported: %(count)d rows need fixing.") % {"count": len(errors)}
        )
        self.errors = errors


def parse_price(text: str) -> Decimal:
    """A member price as staff type it ("12.90", "12,90", "₪12.90"); raises ``ValueError``."""
    cleaned = text.replace("₪", "").replace("\u200f", "").strip().replace(",", ".")
    try:
        price = Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(_("“%(value)s” is not a price.") % {"value": text}) from error
    if not price.is_finite() or price < ZERO:
        raise ValueError(_("A member price cannot be below zero."))
    if price != price.quantize(CENT):
        raise ValueError(_("A price has at most two decimal places."))
    if price >= Decimal("10") ** 10:
        raise ValueError(_("“%(value)s” is too large for a price.") % {"value": text})
    return price


def set_member_price(product, price: Decimal, *, segment=None) -> list[MemberPrice]:
    """Members pay ``price`` (excluding tax) on each of ``product``'s stock records."""
    records = list(StockRecord.objects.filter(product=product))
    if not records:
        raise OffersError(_("This product has no stock record to price. Add one first."))
    if price < ZERO:
        raise OffersError(_("A member price cannot be below zero."))
    with transaction.atomic():
        prices = [
            MemberPrice.objects.update_or_create(
                stockrecord=record, defaults={"price": price, "segment": segment}
            )[0]
            for record in records
        ]
    return prices


def remove_member_price(member_price: MemberPrice) -> None:
    member_price.delete()


def _stock_records(rows: list[dict]) -> dict[tuple[str, str], list]:
    """``{("sku", value) | ("upc", value): [stock records]}`` for every row, in a few queries."""
    found: dict[tuple[str, str], list] = {}
    for key, lookup in (("sku", "partner_sku__in"), ("upc", "product__upc__in")):
        values = sorted({row[key] for row in rows if row.get(key)})
        for start in range(0, len(values), 500):  # SQLite's limit on query parameters
            chunk = values[start : start + 500]
            for record in StockRecord.objects.filter(**{lookup: chunk}).select_related("product"):
                value = record.partner_sku if key == "sku" else record.product.upc
                found.setdefault((key, value), []).append(record)
    return found


@dataclass(frozen=True)
class Wanted:
    price: Decimal | None  # None: remove the member price
    line: int
    value: str


def check_rows(rows: list[dict]) -> tuple[dict[int, Wanted], list[RowError]]:
    """What each stock record's member price should be, and each bad row's error."""
    if rows and not any(key in rows[0] for key in KEY_COLUMNS):
        return {}, [RowError(1, "", _("The file needs a “sku” or “upc” column."))]
    if rows and PRICE_COLUMN not in rows[0]:
        return {}, [RowError(1, "", _("The file needs a “member_price” column."))]
    if not rows:
        return {}, [RowError(1, "", _("The file has no rows to import."))]
    wanted: dict[int, Wanted] = {}
    records_by_key = _stock_records(rows)
    errors: list[RowError] = []
    for line, row in enumerate(rows, start=2):
        key = next((key for key in KEY_COLUMNS if row.get(key)), None)
        value = row.get(key, "") if key else ""
        if key is None:
            errors.append(RowError(line, "", _("The row has neither a SKU nor a UPC.")))
            continue
        records = records_by_key.get((key, value), [])
        if not records:
            message = (
                _("No stock record has the SKU “%(value)s”.")
                if key == "sku"
                else _("No product with a stock record has the UPC “%(value)s”.")
            )
            errors.append(RowError(line, value, message % {"value": value}))
            continue
        if key == "sku" and len(records) > 1:
            errors.append(
                RowError(
                    line,
                    value,
                    _("Several partners use the SKU “%(value)s”; give the product's UPC.")
                    % {"value": value},
                )
            )
            continue
        text = row.get(PRICE_COLUMN, "")
        if text == "":
            price = None  # an empty price removes the member price
        else:
            try:
                price = parse_price(text)
            except ValueError as error:
                errors.append(RowError(line, value, str(error)))
                continue
        for record in records:
            if record.pk in wanted:
                errors.append(
                    RowError(
                        line,
                        value,
                        _("The same stock record is already priced on line %(line)d.")
                        % {"line": wanted[record.pk].line},
                    )
                )
                break
            wanted[record.pk] = Wanted(price, line, value)
    return wanted, errors


def import_member_prices(rows: list[dict]) -> ImportResult:
    """Set (or, with an empty price, remove) the member price of each row: all rows or none.

    Raises ``MemberPriceImportError`` listing every bad row when any row is bad;
    nothing is written then. Segment prices are kept as they are: a file sets
    prices for every member (``segment`` empty) and never turns a segment's
    price into everyone's silently, so a row for a stock record whose member
    price belongs to a segment is refused.
    """
    wanted, errors = check_rows(rows)
    existing = {
        price.stockrecord_id: price
        for price in MemberPrice.objects.filter(stockrecord_id__in=wanted).select_related(
            "segment"
        )
    }
    for record_id, want in wanted.items():
        current = existing.get(record_id)
        if current is not None and current.segment_id is not None:
            errors.append(
                RowError(
                    want.line,
                    want.value,
                    _("Its member price is for the segment “%(segment)s”; change it on the page.")
                    % {"segment": current.segment.name},
                )
            )
    if errors:
        raise MemberPriceImportError(sorted(errors, key=lambda error: error.line))
    result = ImportResult()
    with transaction.atomic():
        to_create, to_update, to_remove = [], [], []
        now = timezone.now()
        for record_id, want in wanted.items():
            current = existing.get(record_id)
            if want.price is None:
                if current is not None:
                    to_remove.append(current.pk)
            elif current is None:
                to_create.append(MemberPrice(stockrecord_id=record_id, price=want.price))
            elif current.price != want.price:
                current.price, current.updated_at = want.price, now
                to_update.append(current)
        MemberPrice.objects.bulk_create(to_create, batch_size=500)
        MemberPrice.objects.bulk_update(to_update, ["price", "updated_at"], batch_size=500)
        MemberPrice.objects.filter(pk__in=to_remove).delete()
        # Bulk writes bypass the receivers that version the price book.
        bump_price_book()
    result.created, result.updated, result.removed = len(to_create), len(to_update), len(to_remove)
    return result
