"""PER_TABLE_ROW documents: product catalogs and employee rosters (PDF, CSV, XLSX, HTML)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import TYPE_CHECKING

from tests.corpus.draft import Draft, html_page, html_table, stable_zip
from tests.corpus.sheet import Cell, Column, Sheet
from tests.corpus.truth import Truth
from tests.corpus.values import FIRST_NAMES, LAST_NAMES, Locale, money, pick

if TYPE_CHECKING:
    import random

CATEGORIES = {
    "Office Supplies": [
        "Stapler",
        "Desk organiser",
        "Gel pens, 12-pack",
        "Whiteboard markers",
        "Filing box",
    ],
    "Electronics": [
        "USB-C hub",
        "Wireless mouse",
        "Noise-cancelling headset",
        "Webcam 1080p",
        "Power bank",
    ],
    "Furniture": ["Standing desk frame", "Monitor arm", "Task chair", "Footrest", "Bookshelf"],
    "Kitchen": ["Kettle 1.7 L", "Coffee grinder", "Water filter jug", "Mug set", "Toaster"],
}
DEPARTMENTS = [
    "Engineering",
    "Finance",
    "Human Resources",
    "Legal",
    "Marketing",
    "Operations",
    "Sales",
]
JOB_TITLES = {
    "Engineering": ["Software Engineer", "QA Analyst", "Site Reliability Engineer"],
    "Finance": ["Accountant", "Financial Analyst", "Payroll Specialist"],
    "Human Resources": ["HR Partner", "Recruiter"],
    "Legal": ["Counsel", "Paralegal"],
    "Marketing": ["Content Strategist", "Marketing Manager"],
    "Operations": ["Operations Coordinator", "Logistics Planner"],
    "Sales": ["Account Executive", "Sales Engineer"],
}


def _products(rng: random.Random, count: int, stock: bool) -> list[dict]:
    rows: list[dict] = []
    names: set[str] = set()
    while len(rows) < count:
        category = pick(rng, list(CATEGORIES))
        variant = pick(rng, ("Pro", "Mini", "Plus", "Basic", "XL", "Eco"))
        name = f"{pick(rng, CATEGORIES[category])} {variant}"
        if name in names:
            continue
        names.add(name)
        rows.append(
            {
                "sku": f"{category[:3].upper()}-{rng.randint(1000, 9999)}",
                "product_name": name,
                "category": category,
                "unit_price": money(rng.uniform(2, 480)),
                "stock_quantity": rng.randint(0, 900) if stock else None,
            }
        )
    rows.sort(key=lambda row: list(CATEGORIES).index(row["category"]))  # grouped by category
    return rows


def catalog(rng: random.Random, *, layout: str, fmt: str, locale: str, rows: int) -> Draft:
    """A product catalog. Layout "ruled": a category column; "grouped": categories as bold
    headings above their rows and no stock column (``stock_quantity`` null); "csv" and "xlsx"
    with a header row."""
    loc = Locale(locale, "iso")
    truth = Truth(rows=True)
    products = _products(rng, rows, stock=layout != "grouped")
    if fmt in ("csv", "xlsx"):
        header = ["SKU", "Product", "Category", f"Price ({loc.currency})", "In stock"]
        # A spreadsheet holds numbers, shown without trailing zeros (432.1); CSV prints 432.10.
        price = (
            (lambda v: f"{v:.2f}")
            if fmt == "csv"
            else (lambda v: repr(float(v)).removesuffix(".0"))
        )
        table = [
            [
                p["sku"],
                p["product_name"],
                p["category"],
                price(p["unit_price"]),
                str(p["stock_quantity"]),
            ]
            for p in products
        ]
        for i, (p, cells) in enumerate(zip(products, table, strict=True)):
            for key, cell in zip(
                ("sku", "product_name", "category", "unit_price", "stock_quantity"),
                cells,
                strict=True,
            ):
                value = float(p[key]) if key == "unit_price" else p[key]
                truth.put(f"[{i}].{key}", cell, page=1, value=value)
        if fmt == "csv":
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows([header, *table])
            content = buffer.getvalue().encode()
        else:
            import openpyxl

            book = openpyxl.Workbook()
            sheet = book.active
            sheet.title = "Catalog"
            sheet.append(header)
            for p in products:
                sheet.append(
                    [
                        p["sku"],
                        p["product_name"],
                        p["category"],
                        float(p["unit_price"]),
                        p["stock_quantity"],
                    ]
                )
            book.properties.created = book.properties.modified = dt.datetime(2024, 1, 1)
            buffer = io.BytesIO()
            book.save(buffer)
            content = stable_zip(buffer.getvalue())
        return Draft(
            "product_catalog",
            "product_catalog_row.json",
            fmt,
            fmt,
            locale,
            content,
            truth,
            mode="PER_TABLE_ROW",
        )
    sheet = Sheet(truth, size="a4" if locale != "US" else "letter")
    right = sheet.width - 56
    sheet.text(
        56,
        60,
        f"{pick(rng, ('Spring', 'Autumn', 'Trade'))} Catalogue {rng.choice((2024, 2025))}",
        size=18,
        bold=True,
    )
    sheet.text(56, 80, f"All prices in {loc.currency}, excluding tax.", size=9)
    columns = [Column("SKU", 56), Column("Product", 130)]
    cells: list[list[Cell | str]] = []
    groups: list[str | None] = []
    previous = None
    for i, p in enumerate(products):
        row: list[Cell | str] = [
            Cell(f"[{i}].sku", p["sku"]),
            Cell(f"[{i}].product_name", p["product_name"]),
        ]
        if layout == "grouped":
            groups.append(p["category"] if p["category"] != previous else None)
            previous = p["category"]
        else:
            row.append(Cell(f"[{i}].category", p["category"]))
        row.append(Cell(f"[{i}].unit_price", loc.number(p["unit_price"]), float(p["unit_price"])))
        if layout != "grouped":
            row.append(Cell(f"[{i}].stock_quantity", str(p["stock_quantity"]), p["stock_quantity"]))
        cells.append(row)
    if layout == "grouped":
        columns.append(Column("Unit price", right, "right"))
        sheet.table(columns, cells, 110, ruling="none", group_of=groups)
        # A heading counts as the category of every row under it, printed on the heading's page.
        page = 1
        for i, p in enumerate(products):
            page = sheet.heading_pages.get(i, page)
            truth.put(f"[{i}].category", p["category"], page=page)
            truth.null(f"[{i}].stock_quantity")
    else:
        columns += [
            Column("Category", 330),
            Column("Price", 470, "right"),
            Column("Stock", right, "right"),
        ]
        sheet.table(columns, cells, 110, ruling="grid")
    return Draft(
        "product_catalog",
        "product_catalog_row.json",
        "pdf",
        layout,
        locale,
        sheet.finish(),
        truth,
        sheet.page,
        mode="PER_TABLE_ROW",
    )


def roster(rng: random.Random, *, fmt: str, locale: str, rows: int) -> Draft:
    loc = Locale(locale, {"US": "mdy", "UK": "dmy", "DE": "dotted"}[locale])
    truth = Truth(rows=True)
    people = []
    used: set[str] = set()
    while len(people) < rows:
        first, last = pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES)
        if (first, last) in used:
            continue
        used.add((first, last))
        department = pick(rng, DEPARTMENTS)
        start = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3400))
        people.append(
            {
                "employee_id": f"E{rng.randint(10000, 99999)}",
                "full_name": f"{first} {last}",
                "department": department,
                "job_title": pick(rng, JOB_TITLES[department]),
                "email": f"{first[0].lower()}.{last.lower()}@northgate.example",
                "start_date": start,
            }
        )
    keys = ("employee_id", "full_name", "department", "job_title", "email", "start_date")
    printed = [[p[k] if k != "start_date" else loc.date(p[k]) for k in keys] for p in people]
    header = ["Employee ID", "Name", "Department", "Title", "Email", "Start date"]
    if fmt in ("csv", "html"):
        for i, (p, cells) in enumerate(zip(people, printed, strict=True)):
            for key, cell in zip(keys, cells, strict=True):
                value = p[key].isoformat() if key == "start_date" else p[key]
                truth.put(f"[{i}].{key}", cell, page=1, value=value)
        if fmt == "csv":
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows([header, *printed])
            content = buffer.getvalue().encode()
        else:
            content = html_page("Staff list", "<h1>Staff list</h1>\n" + html_table(header, printed))
        return Draft(
            "employee_roster",
            "employee_roster_row.json",
            fmt,
            fmt,
            locale,
            content,
            truth,
            mode="PER_TABLE_ROW",
        )
    sheet = Sheet(truth, size="a4-landscape" if locale != "US" else "letter-landscape")
    sheet.text(40, 50, "Employee Roster", size=16, bold=True)
    sheet.text(40, 66, "Northgate Holdings - confidential", size=8)
    cells = [
        [
            Cell(f"[{i}].{k}", c, p[k].isoformat() if k == "start_date" else p[k])
            for k, c in zip(keys, row, strict=True)
        ]
        for i, (p, row) in enumerate(zip(people, printed, strict=True))
    ]
    columns = [Column(h, x) for h, x in zip(header, (40, 110, 220, 330, 480, 680), strict=True)]
    sheet.table(columns, cells, 90, ruling="lines", size=8.5, bottom=sheet.height - 40)
    return Draft(
        "employee_roster",
        "employee_roster_row.json",
        "pdf",
        "table",
        locale,
        sheet.finish(),
        truth,
        sheet.page,
        mode="PER_TABLE_ROW",
    )
