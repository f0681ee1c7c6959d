"""Made-up names and the locale rules that print dates and amounts.

Every value a document carries comes from here, drawn with the document's own seeded
``random.Random``, so a document's bytes depend only on its id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

COMPANY_WORDS = [
    "Polaris",
    "Harbor",
    "Juniper",
    "Cobalt",
    "Meridian",
    "Kestrel",
    "Birchwood",
    "Summit",
    "Lattice",
    "Orchard",
    "Granite",
    "Beacon",
    "Willow",
    "Copperline",
    "Northgate",
    "Silverleaf",
    "Tidewater",
    "Redstone",
    "Bluefin",
    "Larkspur",
]
COMPANY_KINDS = [
    "Digital",
    "Supplies",
    "Logistics",
    "Analytics",
    "Foods",
    "Engineering",
    "Print",
    "Works",
    "Textiles",
    "Robotics",
    "Labs",
]
COMPANY_SUFFIXES = ("Ltd", "LLC", "Inc.", "GmbH", "Corp.", "AG", "Pty Ltd", "Co.")
FIRST_NAMES = [
    "Amelia",
    "Noah",
    "Priya",
    "Lukas",
    "Sofia",
    "Mateo",
    "Hannah",
    "Kwame",
    "Elena",
    "Tomasz",
    "Aiko",
    "Daniel",
    "Fatima",
    "Oliver",
    "Ingrid",
    "Rafael",
    "Chloe",
    "Samuel",
    "Leila",
    "Jonas",
    "Mei",
    "Victor",
    "Nadia",
    "Henrik",
]
LAST_NAMES = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Hartmann",
    "Castillo",
    "Brennan",
    "Nakamura",
    "Petrov",
    "Whitfield",
    "Adeyemi",
    "Fischer",
    "Delgado",
    "Sorensen",
    "Kowalski",
    "Ramirez",
    "Holloway",
    "Ivanova",
    "Mbeki",
    "Laurent",
    "Novak",
]
STREETS = [
    "Lincoln Street",
    "Harbour Road",
    "Maple Avenue",
    "Kingsway",
    "Birch Lane",
    "Station Road",
    "Elm Court",
    "Mill Street",
    "Riverside Drive",
    "Oak Terrace",
]
CITIES = {
    "US": [("Tempe", "AZ 85286"), ("Austin", "TX 78758"), ("Raleigh", "NC 27635")],
    "UK": [("Leeds", "LS1 4DY"), ("Bristol", "BS1 5TR"), ("York", "YO1 7HH")],
    "DE": [("Leipzig", "04109"), ("Bremen", "28195"), ("Kassel", "34117")],
    "CH": [("Basel", "4051"), ("Luzern", "6003"), ("Winterthur", "8400")],
    "CA": [("Halifax", "NS B3H 1A1"), ("Calgary", "AB T2P 2M5"), ("Victoria", "BC V8W 1P6")],
    "AU": [("Geelong", "VIC 3220"), ("Hobart", "TAS 7000"), ("Cairns", "QLD 4870")],
}
CURRENCY = {"US": "USD", "UK": "GBP", "DE": "EUR", "CH": "CHF", "CA": "CAD", "AU": "AUD"}
PRODUCTS = [
    ("Managed network switch, 24-port", 583.52),
    ("Cat6 patch cable, 2 m", 8.90),
    ("Software development services", 176.04),
    ("SSL certificate renewal (1 year)", 238.34),
    ("USB-C docking station", 133.54),
    ("On-site technical support", 124.95),
    ("Wireless keyboard and mouse set", 49.99),
    ("Laser toner cartridge, black", 89.00),
    ("Copy paper A4, 5 reams", 27.45),
    ("Ergonomic office chair", 412.00),
    ("Cloud backup, 500 GB plan", 19.50),
    ("Project management (hours)", 95.00),
    ("27-inch monitor", 289.99),
    ("Label printer ribbons", 14.75),
    ("Security audit", 1850.00),
    ("Conference room booking", 240.00),
]


def pick(rng: random.Random, items: list | tuple):
    return items[rng.randrange(len(items))]


def company(rng: random.Random) -> str:
    return f"{pick(rng, COMPANY_WORDS)} {pick(rng, COMPANY_KINDS)} {pick(rng, COMPANY_SUFFIXES)}"


def person(rng: random.Random) -> str:
    return f"{pick(rng, FIRST_NAMES)} {pick(rng, LAST_NAMES)}"


def address_lines(rng: random.Random, locale: str) -> list[str]:
    city, code = pick(rng, CITIES[locale])
    number = rng.randint(3, 9800)
    street = pick(rng, STREETS)
    if locale in ("DE", "CH"):
        return [f"{street} {number}", f"{code} {city}"]
    if locale == "UK":
        return [f"{number} {street}", f"{city} {code}"]
    return [f"{number} {street}", f"{city}, {code}"]


def day(rng: random.Random, year: int | None = None) -> dt.date:
    year = year or rng.choice((2023, 2024, 2025))
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(360))


def money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def grouped(value: Decimal, thousands: str, decimal: str) -> str:
    sign = "-" if value < 0 else ""
    whole, cents = f"{abs(value):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{thousands.join(groups)}{decimal}{cents}"


@dataclass(frozen=True)
class Locale:
    """How one document prints its dates and amounts."""

    code: str
    date_style: str  # "mdy" "dmy" "dotted" "iso" "long_us" "long_uk" "short_uk"

    @property
    def currency(self) -> str:
        return CURRENCY[self.code]

    def date(self, value: dt.date) -> str:
        d, m, y = value.day, value.month, value.year
        return {
            "mdy": f"{m:02d}/{d:02d}/{y}",
            "dmy": f"{d:02d}/{m:02d}/{y}",
            "dotted": f"{d:02d}.{m:02d}.{y}",
            "iso": value.isoformat(),
            "long_us": f"{MONTHS[m - 1]} {d}, {y}",
            "long_uk": f"{d} {MONTHS[m - 1]} {y}",
            "short_uk": f"{d} {MONTHS[m - 1][:3]} {y}",
        }[self.date_style]

    def number(self, value: Decimal) -> str:
        """An amount without a currency sign, as a table cell prints it."""
        if self.code in ("DE",):
            return grouped(value, ".", ",")
        if self.code == "CH":
            return grouped(value, "'", ".")
        return grouped(value, ",", ".")

    def amount(self, value: Decimal) -> str:
        """An amount with its currency, as a totals line prints it."""
        plain = self.number(value)
        return {
            "US": f"${plain}",
            "UK": f"£{plain}",
            "DE": f"{plain} €",
            "CH": f"CHF {plain}",
            "CA": f"${plain} CAD",
            "AU": f"AUD {plain}",
        }[self.code]
