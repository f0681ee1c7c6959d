"""Receipts (thermal slips, a web-shop receipt, plain text) and multi-page bank statements."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from tests.corpus.draft import Draft
from tests.corpus.sheet import Cell, Column, Sheet
from tests.corpus.truth import Truth
from tests.corpus.values import MONTHS, Locale, address_lines, company, money, person, pick

if TYPE_CHECKING:
    import random

MENU = [
    ("Flat white", 4.50),
    ("Croissant", 3.20),
    ("Sourdough loaf", 6.80),
    ("Orange juice 1L", 3.95),
    ("Oat milk", 2.49),
    ("Free-range eggs x12", 5.60),
    ("Dark chocolate", 2.99),
    ("Bananas 1kg", 1.89),
    ("Notebook A5", 7.50),
    ("AA batteries 8-pack", 9.99),
    ("Green tea", 3.10),
    ("Bagel", 2.40),
]
PAYMENTS = [
    ("VISA CREDIT", "credit_card", True),
    ("DEBIT CARD", "debit_card", True),
    ("APPLE PAY", "mobile_wallet", False),
    ("CASH", "cash", False),
    ("MASTERCARD", "credit_card", True),
]
BANKS = ["First Harbor Bank", "Northgate Savings Bank", "Alpine Cantonal Bank", "Maple Trust Bank"]
PAYEES = [
    "CARD PURCHASE BEAN & LEAF",
    "DIRECT DEBIT CITY POWER",
    "ATM WITHDRAWAL MAIN ST",
    "ONLINE PAYMENT RENT",
    "TRANSFER TO SAVINGS",
    "CARD PURCHASE FRESHMART",
    "MOBILE TOPUP",
    "STANDING ORDER GYM",
    "CARD PURCHASE RAIL TICKETS",
    "INSURANCE PREMIUM",
]
CREDITS = ["SALARY {}", "REFUND {}", "TRANSFER FROM {}", "INTEREST PAID"]


def receipt_pdf(
    rng: random.Random, *, locale: str, date_style: str, layout: str, payment: int
) -> Draft:
    """A receipt. Layout "slip": a narrow thermal receipt; "webshop": an A4 order receipt with a
    Qty column and no tax breakdown (subtotal and tax null)."""
    loc = Locale(locale, date_style)
    truth = Truth()
    merchant = company(rng).rsplit(" ", 1)[0]
    bought = [
        (name, rng.choice((1, 1, 2, 3)), money(price))
        for name, price in rng.sample(MENU, rng.randint(3, 6))
    ]
    subtotal = sum((money(float(price * qty)) for _, qty, price in bought), Decimal("0.00"))
    tax = money(float(subtotal) * 0.08) if layout == "slip" else Decimal("0.00")
    total = subtotal + tax
    when = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(300))
    method, code, has_card = PAYMENTS[payment]
    last4 = f"{rng.randint(0, 9999):04d}"
    if layout == "slip":
        sheet = Sheet(truth, size="slip", font="Courier")
        mid, right = sheet.width / 2, sheet.width - 14
        sheet.field(
            "merchant_name",
            merchant.upper(),
            mid,
            30,
            value=merchant.upper(),
            bold=True,
            align="center",
            size=11,
        )
        sheet.field(
            "merchant_address",
            "\n".join(address_lines(rng, locale)),
            mid,
            46,
            size=8,
            align="center",
        )
        sheet.text(14, 84, "Date:", size=8)
        sheet.field("date", loc.date(when), 50, 84, value=when.isoformat(), size=8)
        sheet.text(
            right, 84, f"{rng.randint(8, 20)}:{rng.randint(0, 59):02d}", size=8, align="right"
        )
        y = 104
        for i, (name, qty, price) in enumerate(bought):
            sheet.field(f"items[{i}].quantity", str(qty), 14, y, value=qty, size=8)
            sheet.text(24, y, "x", size=8)
            sheet.field(f"items[{i}].description", name, 34, y, size=8)
            line = money(float(price * qty))
            sheet.field(
                f"items[{i}].total_price",
                loc.number(line),
                right,
                y,
                value=float(line),
                size=8,
                align="right",
            )
            y += 12
        y += 8
        for path, label, amount in (("subtotal", "SUBTOTAL", subtotal), ("tax", "TAX 8%", tax)):
            sheet.text(14, y, label, size=8)
            sheet.field(
                path, loc.number(amount), right, y, value=float(amount), size=8, align="right"
            )
            y += 12
        sheet.text(14, y, "TOTAL", size=10, bold=True)
        sheet.field("currency", loc.currency, 110, y, size=10, bold=True)
        sheet.field(
            "total",
            loc.number(total),
            right,
            y,
            value=float(total),
            size=10,
            bold=True,
            align="right",
        )
        y += 20
        sheet.field("payment_method", method, 14, y, value=code, size=8)
        if has_card:
            sheet.text(100, y, "****", size=8)
            sheet.field("card_last4", last4, 130, y, size=8)
        else:
            truth.null("card_last4")
        sheet.text(mid, y + 24, "THANK YOU - PLEASE COME AGAIN", size=7, align="center")
    else:
        sheet = Sheet(truth, size="a4")
        right = sheet.width - 56
        sheet.field("merchant_name", merchant, 56, 60, size=16, bold=True)
        truth.null("merchant_address")
        sheet.text(56, 100, "Order receipt", size=12, bold=True)
        sheet.text(56, 120, "Order date:")
        sheet.field("date", loc.date(when), 130, 120, value=when.isoformat())
        sheet.text(56, 135, f"Order number: WS{rng.randint(100000, 999999)}")
        rows = [
            [
                Cell(f"items[{i}].description", name),
                Cell(f"items[{i}].quantity", str(qty), qty),
                Cell(
                    f"items[{i}].total_price",
                    loc.amount(money(float(price * qty))),
                    float(money(float(price * qty))),
                ),
            ]
            for i, (name, qty, price) in enumerate(bought)
        ]
        y = sheet.table(
            [Column("Item", 60), Column("Qty", 380, "right"), Column("Price", right, "right")],
            rows,
            160,
        )
        truth.null("subtotal")
        truth.null("tax")
        sheet.text(360, y + 24, "Order total", bold=True)
        sheet.field(
            "total", loc.amount(total), right, y + 24, value=float(total), bold=True, align="right"
        )
        sheet.text(360, y + 40, "Currency")
        sheet.field("currency", loc.currency, right, y + 40, align="right")
        sheet.text(56, y + 70, "Paid with")
        sheet.field("payment_method", method, 110, y + 70, value=code)
        if has_card:
            sheet.text(200, y + 70, "ending in")
            sheet.field("card_last4", last4, 250, y + 70)
        else:
            truth.null("card_last4")
        sheet.text(
            56,
            y + 100,
            "Prices include VAT where applicable. Keep this receipt for returns.",
            size=8,
        )
    return Draft(
        "receipt", "receipt.json", "pdf", layout, locale, sheet.finish(), truth, sheet.page
    )


def receipt_txt(rng: random.Random, *, locale: str, date_style: str) -> Draft:
    loc = Locale(locale, date_style)
    truth = Truth()
    merchant = company(rng).rsplit(" ", 1)[0]
    address = address_lines(rng, locale)
    when = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(300))
    bought = [(name, rng.choice((1, 2)), money(price)) for name, price in rng.sample(MENU, 4)]
    lines = [merchant, *address, f"Date: {loc.date(when)}", ""]
    truth.put("merchant_name", merchant, page=1)
    truth.put("merchant_address", "\n".join(address), page=1)
    truth.put("date", loc.date(when), page=1, value=when.isoformat())
    truth.put("currency", loc.currency, page=1)
    subtotal = Decimal("0.00")
    for i, (name, qty, price) in enumerate(bought):
        line = money(float(price * qty))
        subtotal += line
        lines.append(f"{qty} x {name:<24}{loc.number(line):>9}")
        truth.put(f"items[{i}].quantity", str(qty), page=1, value=qty)
        truth.put(f"items[{i}].description", name, page=1)
        truth.put(f"items[{i}].total_price", loc.number(line), page=1, value=float(line))
    tax = money(float(subtotal) / 11)  # GST included in the prices: one eleventh
    lines += [
        "",
        f"TOTAL {loc.currency}{loc.number(subtotal):>24}",
        f"Includes GST {loc.number(tax)}",
    ]
    truth.null("subtotal")
    truth.put("tax", loc.number(tax), page=1, value=float(tax))
    truth.put("total", loc.number(subtotal), page=1, value=float(subtotal))
    lines += ["EFTPOS DEBIT CARD", "Card: XXXX XXXX XXXX 7731", "APPROVED"]
    truth.put("payment_method", "DEBIT CARD", page=1, value="debit_card")
    truth.put("card_last4", "7731", page=1)
    return Draft(
        "receipt", "receipt.json", "txt", "text", locale, ("\n".join(lines) + "\n").encode(), truth
    )


def statement_pdf(
    rng: random.Random,
    *,
    locale: str,
    date_style: str,
    layout: str,
    rows: int,
    per_page: int | None = None,
) -> Draft:
    """A bank statement. Layout "signed": one signed Amount column and a Balance column, full
    dates; "columns": unsigned Paid out / Paid in columns and dates without a year ("05 Mar");
    "nobalance": signed amounts, no balance column (every ``balance`` is null). ``per_page``
    caps the rows on a page (short pages)."""
    loc = Locale(locale, date_style)
    truth = Truth()
    sheet = Sheet(truth, size="a4" if locale in ("UK", "DE", "CH") else "letter")
    right = sheet.width - 50
    year, month = rng.choice((2023, 2024)), rng.randint(1, 12)
    start = dt.date(year, month, 1)
    end = dt.date(year, month, calendar.monthrange(year, month)[1])
    holder = person(rng)
    opening = money(rng.uniform(800, 9000))
    sheet.field("bank_name", pick(rng, BANKS), 50, 56, size=15, bold=True)
    sheet.text(right, 56, "Statement of Account", size=12, bold=True, align="right")
    sheet.text(50, 72, ", ".join(address_lines(rng, locale)), size=8)
    sheet.text(50, 104, "Account holder:", bold=True)
    sheet.field("account_holder", holder, 150, 104)
    number = (
        f"****-****-{rng.randint(1000, 9999)}"
        if locale != "UK"
        else f"{rng.randint(10, 99)}-{rng.randint(10, 99)}-{rng.randint(10, 99)} "
        f"{rng.randint(10000000, 99999999)}"
    )
    sheet.text(50, 119, "Account number:", bold=True)
    sheet.field("account_number", number, 150, 119)
    sheet.text(50, 134, "Statement period:", bold=True)
    sheet.text(150, 134, f"{loc.date(start)} to {loc.date(end)}")
    truth.put("statement_period.start_date", loc.date(start), page=1, value=start.isoformat())
    truth.put("statement_period.end_date", loc.date(end), page=1, value=end.isoformat())
    sheet.text(50, 149, "Currency:", bold=True)
    sheet.field("currency", loc.currency, 150, 149)
    sheet.text(360, 104, "Opening balance", bold=True)
    sheet.field(
        "opening_balance", loc.amount(opening), right, 104, value=float(opening), align="right"
    )

    days = sorted(
        start + dt.timedelta(days=rng.randrange((end - start).days + 1)) for _ in range(rows)
    )
    balance = opening
    cells: list[list[Cell | str]] = []
    for i, when in enumerate(days):
        credit = rng.random() < 0.2
        amount = money(rng.uniform(500, 3200) if credit else -rng.uniform(3, 400))
        balance += amount
        description = (
            pick(rng, CREDITS).format(holder.split()[-1].upper()) if credit else pick(rng, PAYEES)
        )
        date_cell = Cell(
            f"transactions[{i}].date",
            f"{when.day:02d} {MONTHS[when.month - 1][:3]}"
            if layout == "columns"
            else loc.date(when),
            when.isoformat(),
        )
        row: list[Cell | str] = [date_cell, Cell(f"transactions[{i}].description", description)]
        if layout == "columns":
            paid = Cell(f"transactions[{i}].amount", loc.number(abs(amount)), float(amount))
            row += ["", paid] if credit else [paid, ""]
        else:
            row.append(Cell(f"transactions[{i}].amount", loc.number(amount), float(amount)))
        if layout == "nobalance":
            truth.null(f"transactions[{i}].balance")
        else:
            row.append(Cell(f"transactions[{i}].balance", loc.number(balance), float(balance)))
        cells.append(row)
    columns = [Column("Date", 54), Column("Description", 130)]
    if layout == "columns":
        columns += [Column("Paid out", 380, "right"), Column("Paid in", 460, "right")]
    else:
        columns.append(Column("Amount", 420 if layout != "nobalance" else right, "right"))
    if layout != "nobalance":
        columns.append(Column("Balance", right, "right"))
    y = sheet.table(
        columns,
        cells,
        180,
        ruling="lines" if layout != "columns" else "zebra",
        per_page=per_page,
        bottom=sheet.height - 70,
    )
    if y > sheet.height - 110:
        sheet.new_page()
        y = 60
    sheet.text(360, y + 28, "Closing balance", bold=True)
    sheet.field(
        "closing_balance",
        loc.amount(balance),
        right,
        y + 28,
        value=float(balance),
        bold=True,
        align="right",
    )
    sheet.text(
        50,
        y + 60,
        "Please examine this statement and report any discrepancy within 30 days.",
        size=8,
    )
    return Draft(
        "bank_statement",
        "bank_statement.json",
        "pdf",
        layout,
        locale,
        sheet.finish(),
        truth,
        sheet.page,
    )
