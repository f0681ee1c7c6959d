"""Invoices: five PDF layouts (one and two pages) and the HTML, TXT and DOCX formats."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from tests.corpus.draft import Draft, docx_bytes, html_page, html_table, text_table
from tests.corpus.sheet import Cell, Column, Sheet
from tests.corpus.truth import Truth
from tests.corpus.values import PRODUCTS, Locale, address_lines, company, day, money, person

if TYPE_CHECKING:
    import random

LABELS = {
    "en": {
        "title": "INVOICE",
        "number": "Invoice No.",
        "date": "Invoice Date",
        "due": "Due Date",
        "po": "PO Number",
        "bill_to": "Bill To",
        "ship_to": "Ship To",
        "subtotal": "Subtotal",
        "tax": "Tax",
        "total": "Total Due",
        "columns": ["Description", "Qty", "Unit Price", "Amount"],
    },
    "de": {
        "title": "RECHNUNG",
        "number": "Rechnungsnummer",
        "date": "Rechnungsdatum",
        "due": "Fällig am",
        "po": "Bestellnummer",
        "bill_to": "Rechnungsempfänger",
        "ship_to": "Lieferadresse",
        "subtotal": "Zwischensumme",
        "tax": "MwSt.",
        "total": "Gesamtbetrag",
        "columns": ["Beschreibung", "Menge", "Einzelpreis", "Betrag"],
    },
}


@dataclass
class Item:
    description: str
    quantity: int
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return money(float(self.unit_price * self.quantity))


@dataclass
class Invoice:
    number: str
    issued: dt.date
    due: dt.date | None
    po: str | None
    vendor: str
    vendor_address: list[str]
    customer: str
    customer_address: list[str]
    items: list[Item]
    tax_rate: int

    @property
    def subtotal(self) -> Decimal:
        return sum((item.amount for item in self.items), Decimal("0.00"))

    @property
    def tax(self) -> Decimal:
        return money(float(self.subtotal * self.tax_rate / 100))

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax


def make_invoice(
    rng: random.Random,
    locale: str,
    *,
    items: int,
    number: str | None = None,
    due: bool = True,
    po: bool = True,
) -> Invoice:
    issued = day(rng)
    chosen = rng.sample(PRODUCTS, min(items, len(PRODUCTS)))
    while len(chosen) < items:  # long invoices repeat products in new batches
        description, price = PRODUCTS[len(chosen) % len(PRODUCTS)]
        chosen.append((f"{description}, batch {len(chosen) // len(PRODUCTS) + 1}", price))
    return Invoice(
        number=number
        or f"{rng.choice(('INV', 'RE', 'F'))}-{issued.year % 100}-{rng.randint(1000, 9999)}",
        issued=issued,
        due=issued + dt.timedelta(days=rng.choice((14, 30, 45))) if due else None,
        po=f"PO-{rng.randint(10000, 99999)}" if po else None,
        vendor=company(rng),
        vendor_address=address_lines(rng, locale),
        customer=person(rng) if rng.random() < 0.3 else company(rng),
        customer_address=address_lines(rng, locale),
        items=[Item(d, rng.choice((1, 1, 2, 3, 4, 5, 10, 25)), money(p)) for d, p in chosen],
        tax_rate={"US": 7, "UK": 20, "DE": 19, "CH": 8, "CA": 5, "AU": 10}[locale],
    )


def _item_cells(inv: Invoice, loc: Locale) -> list[list[Cell | str]]:
    return [
        [
            Cell(f"line_items[{i}].description", item.description),
            Cell(f"line_items[{i}].quantity", str(item.quantity), item.quantity),
            Cell(
                f"line_items[{i}].unit_price", loc.number(item.unit_price), float(item.unit_price)
            ),
            Cell(f"line_items[{i}].amount", loc.number(item.amount), float(item.amount)),
        ]
        for i, item in enumerate(inv.items)
    ]


def _header_fields(
    sheet: Sheet, inv: Invoice, loc: Locale, labels: dict, x: float, value_x: float, y: float
) -> float:
    """Label/value lines, labels at ``x`` and values at ``value_x``; returns the next ``y``."""
    truth = sheet.truth
    rows: list[tuple[str, str, str, object]] = [
        ("invoice_number", labels["number"], inv.number, inv.number),
        ("invoice_date", labels["date"], loc.date(inv.issued), inv.issued.isoformat()),
    ]
    if inv.due:
        rows.append(("due_date", labels["due"], loc.date(inv.due), inv.due.isoformat()))
    else:
        truth.null("due_date")
    if inv.po:
        rows.append(("purchase_order_number", labels["po"], inv.po, inv.po))
    else:
        truth.null("purchase_order_number")
    for path, label, rendered, value in rows:
        sheet.text(x, y, f"{label}:", bold=True)
        sheet.field(path, rendered, value_x, y, value=value)
        y += 15
    return y


def _totals(sheet: Sheet, inv: Invoice, loc: Locale, labels: dict, y: float, right: float) -> float:
    label_x = right - 190
    for path, label, amount in (
        ("subtotal", labels["subtotal"], inv.subtotal),
        ("tax", f"{labels['tax']} {inv.tax_rate}%", inv.tax),
        ("total", labels["total"], inv.total),
    ):
        bold = path == "total"
        sheet.text(label_x, y, label, bold=bold)
        sheet.field(
            path, loc.amount(amount), right, y, value=float(amount), bold=bold, align="right"
        )
        y += 16
    return y


def invoice_pdf(
    rng: random.Random, *, locale: str, layout: str, date_style: str, **options
) -> Draft:
    """One of five layouts: "classic", "stacked", "sidebar", "terms" (no due date or PO: only
    'Net 30' printed) and "long" (a line-item table over two pages, totals on page 2)."""
    loc = Locale(locale, date_style)
    items = {"long": 34}.get(layout, rng.randint(3, 7))
    inv = make_invoice(
        rng, locale, items=items, due=layout != "terms", po=layout != "terms", **options
    )
    labels = LABELS["de" if locale == "DE" else "en"]
    truth = Truth()
    sheet = Sheet(truth, size="a4" if locale in ("DE", "CH", "UK", "AU") else "letter")
    right = sheet.width - 50
    columns = [
        Column(labels["columns"][0], 56),
        Column(labels["columns"][1], 330, "right"),
        Column(labels["columns"][2], 440, "right"),
        Column(labels["columns"][3], right, "right"),
    ]

    if layout == "sidebar":
        sheet.shade(0, 0, 170, sheet.height, 0.9)
        y = sheet.field("vendor.name", inv.vendor, 20, 60, bold=True, size=12)
        sheet.field("vendor.address", "\n".join(inv.vendor_address), 20, y + 4, size=9)
        sheet.text(200, 60, labels["title"], size=20, bold=True)
        y = 170
        for path, label, rendered, value in (
            ("invoice_number", labels["number"], inv.number, inv.number),
            ("invoice_date", labels["date"], loc.date(inv.issued), inv.issued.isoformat()),
            ("due_date", labels["due"], loc.date(inv.due), inv.due.isoformat()),
            ("purchase_order_number", labels["po"], inv.po, inv.po),
        ):
            sheet.text(20, y, label, size=8)
            sheet.field(path, rendered, 20, y + 12, value=value, size=10)
            y += 32
        sheet.text(200, 100, labels["bill_to"], bold=True)
        sheet.field("customer_name", inv.customer, 200, 115)
        sheet.text(200, 128, ", ".join(inv.customer_address), size=9)
        sheet.text(200, 150, "Currency:", bold=True)
        sheet.field("currency", loc.currency, 260, 150)
        columns = [
            Column(labels["columns"][0], 200),
            Column(labels["columns"][1], 390, "right"),
            Column(labels["columns"][2], 470, "right"),
            Column(labels["columns"][3], right, "right"),
        ]
        y = sheet.table(columns, _item_cells(inv, loc), 180, ruling="zebra")
        _totals(sheet, inv, loc, labels, y + 24, right)
    elif layout == "stacked":
        sheet.field("vendor.name", inv.vendor, 56, 60, size=14, bold=True)
        sheet.field("vendor.address", "\n".join(inv.vendor_address), 56, 78, size=9)
        sheet.text(right, 60, labels["title"], size=18, bold=True, align="right")
        boxes = [
            ("invoice_number", labels["number"], inv.number, inv.number),
            ("invoice_date", labels["date"], loc.date(inv.issued), inv.issued.isoformat()),
            ("due_date", labels["due"], loc.date(inv.due), inv.due.isoformat()),
            ("purchase_order_number", labels["po"], inv.po, inv.po),
        ]
        for index, (path, label, rendered, value) in enumerate(boxes):
            x = 56 + index * 125
            sheet.text(x, 130, label, size=8, bold=True)
            sheet.field(path, rendered, x, 144, value=value)
        sheet.text(56, 180, labels["bill_to"], size=8, bold=True)
        sheet.field("customer_name", inv.customer, 56, 194)
        sheet.text(56, 207, ", ".join(inv.customer_address), size=9)
        sheet.text(330, 180, "Währung" if locale == "DE" else "Currency", size=8, bold=True)
        sheet.field("currency", loc.currency, 330, 194)
        y = sheet.table(columns, _item_cells(inv, loc), 235, ruling="none")
        _totals(sheet, inv, loc, labels, y + 24, right)
    else:  # classic, terms, long: vendor block left, label/value lines right
        sheet.field("vendor.name", inv.vendor, 56, 60, size=14, bold=True)
        sheet.field("vendor.address", "\n".join(inv.vendor_address), 56, 78, size=9)
        sheet.text(360, 60, labels["title"], size=18, bold=True)
        y = _header_fields(sheet, inv, loc, labels, 360, 450, 90)
        if layout == "terms":
            sheet.text(360, y, "Terms:", bold=True)
            sheet.text(450, y, "Net 30")
        sheet.text(56, 170, labels["bill_to"], bold=True)
        sheet.field("customer_name", inv.customer, 56, 185)
        sheet.text(56, 198, inv.customer_address[0], size=9)
        sheet.text(300, 170, labels["ship_to"], bold=True)
        sheet.text(300, 185, inv.customer_address[-1], size=9)
        sheet.text(56, 225, "All amounts in", size=9)
        sheet.field("currency", loc.currency, 122, 225, size=9)
        ruling = {"classic": "lines", "terms": "grid", "long": "lines"}[layout]
        y = sheet.table(
            columns, _item_cells(inv, loc), 240, ruling=ruling, bottom=sheet.height - 80
        )
        if y > sheet.height - 130:
            sheet.new_page()
            y = 60
        _totals(sheet, inv, loc, labels, y + 24, right)
        sheet.text(
            56,
            sheet.height - 40,
            "Thank you for your business. Questions: "
            f"billing@{inv.vendor.split()[0].lower()}.example",
            size=8,
        )
    return Draft(
        "invoice", "invoice.json", "pdf", layout, locale, sheet.finish(), truth, sheet.page
    )


def _record_text_invoice(truth: Truth, inv: Invoice, loc: Locale) -> None:
    """Text formats print every value on their one page."""
    truth.put("invoice_number", inv.number, page=1)
    truth.put("invoice_date", loc.date(inv.issued), page=1, value=inv.issued.isoformat())
    truth.put("due_date", loc.date(inv.due), page=1, value=inv.due.isoformat())
    truth.put("purchase_order_number", inv.po, page=1)
    truth.put("vendor.name", inv.vendor, page=1)
    truth.put("vendor.address", "\n".join(inv.vendor_address), page=1)
    truth.put("customer_name", inv.customer, page=1)
    truth.put("currency", loc.currency, page=1)
    for i, item in enumerate(inv.items):
        truth.put(f"line_items[{i}].description", item.description, page=1)
        truth.put(f"line_items[{i}].quantity", str(item.quantity), page=1, value=item.quantity)
        truth.put(
            f"line_items[{i}].unit_price",
            loc.number(item.unit_price),
            page=1,
            value=float(item.unit_price),
        )
        truth.put(
            f"line_items[{i}].amount", loc.number(item.amount), page=1, value=float(item.amount)
        )
    truth.put("subtotal", loc.amount(inv.subtotal), page=1, value=float(inv.subtotal))
    truth.put("tax", loc.amount(inv.tax), page=1, value=float(inv.tax))
    truth.put("total", loc.amount(inv.total), page=1, value=float(inv.total))


def _rows(inv: Invoice, loc: Locale) -> list[list[str]]:
    return [
        [i.description, str(i.quantity), loc.number(i.unit_price), loc.number(i.amount)]
        for i in inv.items
    ]


def invoice_html(rng: random.Random, *, locale: str, date_style: str) -> Draft:
    loc = Locale(locale, date_style)
    inv = make_invoice(rng, locale, items=rng.randint(3, 6))
    truth = Truth()
    _record_text_invoice(truth, inv, loc)
    e = html.escape
    meta = "".join(
        f"<tr><th>{e(label)}</th><td>{e(value)}</td></tr>"
        for label, value in (
            ("Invoice #", inv.number),
            ("Date of issue", loc.date(inv.issued)),
            ("Payment due", loc.date(inv.due)),
            ("Purchase order", inv.po),
            ("Currency", loc.currency),
        )
    )
    body = (
        f"<header><h1>{e(inv.vendor)}</h1>"
        f"<p>{'<br>'.join(e(x) for x in inv.vendor_address)}</p></header>\n"
        f'<h2>Invoice</h2>\n<table class="meta">{meta}</table>\n'
        f"<section><h3>Billed to</h3><p>{e(inv.customer)}<br>"
        f"{e(', '.join(inv.customer_address))}</p></section>\n"
        + html_table(["Item", "Quantity", "Unit price", "Line total"], _rows(inv, loc))
        + f"\n<p>Subtotal: {e(loc.amount(inv.subtotal))}</p>\n<p>Sales tax ({inv.tax_rate}%): "
        f"{e(loc.amount(inv.tax))}</p>\n"
        f"<p><strong>Amount due: {e(loc.amount(inv.total))}</strong></p>"
    )
    return Draft(
        "invoice",
        "invoice.json",
        "html",
        "html",
        locale,
        html_page(f"Invoice {inv.number}", body),
        truth,
    )


def invoice_txt(rng: random.Random, *, locale: str, date_style: str) -> Draft:
    loc = Locale(locale, date_style)
    inv = make_invoice(rng, locale, items=rng.randint(3, 6))
    truth = Truth()
    _record_text_invoice(truth, inv, loc)
    lines = [
        inv.vendor,
        *inv.vendor_address,
        "",
        "TAX INVOICE",
        f"Invoice number:  {inv.number}",
        f"Invoice date:    {loc.date(inv.issued)}",
        f"Due date:        {loc.date(inv.due)}",
        f"Your order no:   {inv.po}",
        f"Currency:        {loc.currency}",
        "",
        f"Invoice to: {inv.customer}",
        "",
        *text_table(["Description", "Qty", "Price", "Amount"], _rows(inv, loc), {1, 2, 3}),
        "",
        f"Net amount:  {loc.amount(inv.subtotal)}",
        f"VAT {inv.tax_rate}%:     {loc.amount(inv.tax)}",
        f"Total:       {loc.amount(inv.total)}",
    ]
    return Draft(
        "invoice", "invoice.json", "txt", "text", locale, ("\n".join(lines) + "\n").encode(), truth
    )


def invoice_docx(rng: random.Random, *, locale: str, date_style: str) -> Draft:
    loc = Locale(locale, date_style)
    inv = make_invoice(rng, locale, items=rng.randint(3, 5))
    truth = Truth()
    _record_text_invoice(truth, inv, loc)
    paragraphs = [
        ("Heading 1", inv.vendor),
        ("Normal", inv.vendor_address[0]),
        ("Normal", inv.vendor_address[1]),
        ("Heading 2", "Invoice"),
        ("Normal", f"Invoice No.: {inv.number}"),
        ("Normal", f"Invoice Date: {loc.date(inv.issued)}"),
        ("Normal", f"Due Date: {loc.date(inv.due)}"),
        ("Normal", f"PO Number: {inv.po}"),
        ("Normal", f"Bill To: {inv.customer}"),
        ("Normal", f"Currency: {loc.currency}"),
    ]
    table = [["Description", "Qty", "Unit Price", "Amount"], *_rows(inv, loc)]
    content = docx_bytes(
        paragraphs,
        table,
        after=[
            f"Subtotal: {loc.amount(inv.subtotal)}",
            f"Tax {inv.tax_rate}%: {loc.amount(inv.tax)}",
            f"Total: {loc.amount(inv.total)}",
        ],
    )
    return Draft("invoice", "invoice.json", "docx", "docx", locale, content, truth)
