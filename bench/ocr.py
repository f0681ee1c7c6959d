"""OCR engines compared: the bundled RapidOCR and Tesseract, on real scans and on accents.

    .venv/bin/python bench/ocr.py [--limit 40]

1. Real scans: the receipt and hand-filled form JPEGs of ``../shared/realdev`` (skipped with a
   message when the corpus is absent). Quality is the share of the ground truth's tokens
   (receipt company and address words and the total with two decimals; every string value of
   a form) found among the page's OCR words, compared case-insensitively without surrounding
   punctuation. Seconds per page are measured around ``load_document(...).page(1)``.
2. Accents: German, French and English lines rendered in DejaVu Sans at 200 dpi; quality is
   the character similarity (difflib ratio) of the page text to what was printed, and the
   share of accented characters (ä é ß …) read back.

Tesseract runs only when it is installed (``apt-get install tesseract-ocr``); ``auto`` picks
RapidOCR for English and Tesseract for the other languages when it has their data, which is
what these numbers decide.
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import os
import shutil
import statistics
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.common import SHARED, machine_summary, print_table  # noqa: E402
from extraction.pipeline.documents import LoadOptions, load_document  # noqa: E402

REALDEV = SHARED / "realdev"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
ACCENT_TEXTS = {
    "deu": [
        "Rechnungsnummer: RE-2024-0815",
        "Straße der Einheit 12, 10117 Berlin",
        "Fälligkeitsdatum: 15. März 2024",
        "Bankverbindung: Müller & Söhne GmbH",
        "Bitte überweisen Sie den Betrag bis zum Fälligkeitsdatum.",
    ],
    "fra": [
        "Numéro de facture : FA-2024-117",
        "12, rue de l'Église, 75004 Paris",
        "Date d'échéance : 15 février 2024",
        "Société Générale, crédit à payer",
        "Veuillez régler la facture à réception, s'il vous plaît.",
    ],
    "eng": [
        "Invoice number: INV-2024-0815",
        "1200 Market Street, Suite 400",
        "Due date: March 15, 2024",
        "Bank: First National Bank & Trust",
        "Please pay the amount by the due date shown above.",
    ],
}


def engines() -> list[str]:
    return ["rapidocr", *(["tesseract"] if shutil.which("tesseract") else [])]


def normalize_token(token: str) -> str:
    return unicodedata.normalize("NFKC", token).strip(".,;:()[]{}'\"").casefold()


def truth_tokens(entry: dict, expected: dict) -> list[str]:
    if entry["doc_type"] == "receipt":
        words = f"{expected.get('company', '')} {expected.get('address', '')}".split()
        if isinstance(expected.get("total"), (int, float)):
            words.append(f"{expected['total']:.2f}")
        return [normalize_token(word) for word in words if normalize_token(word)]
    values = [value for value in expected.values() if isinstance(value, str)]
    return [normalize_token(word) for value in values for word in value.split()]


def real_scans(limit: int) -> list[list[object]]:
    manifest = json.loads((REALDEV / "manifest.json").read_text())
    scans = [entry for entry in manifest if entry["mime_type"] == "image/jpeg"][:limit]
    rows = []
    for engine in engines():
        found = total = 0
        seconds: list[float] = []
        by_type: Counter[str] = Counter()
        by_type_total: Counter[str] = Counter()
        for entry in scans:
            expected = json.loads((REALDEV / entry["expected_file"]).read_text())
            tokens = truth_tokens(entry, expected)
            started = time.perf_counter()
            page = load_document(
                REALDEV / entry["file"], options=LoadOptions(ocr_engine=engine)
            ).page(1)
            seconds.append(time.perf_counter() - started)
            words = Counter(normalize_token(word.text) for word in page.words)
            hits = sum(min(count, words[token]) for token, count in Counter(tokens).items())
            found += hits
            total += len(tokens)
            by_type[entry["doc_type"]] += hits
            by_type_total[entry["doc_type"]] += len(tokens)
        rows.append(
            [
                engine,
                len(scans),
                f"{found / total:.3f}",
                *(f"{by_type[kind] / by_type_total[kind]:.3f}" for kind in ("receipt", "form")),
                f"{statistics.median(seconds):.2f}",
                f"{max(seconds):.2f}",
            ]
        )
    return rows


def rendered(lines: list[str]) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, 28)
    image = Image.new("L", (1700, 80 + 60 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        draw.text((60, 40 + 60 * index), line, font=font, fill=0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(200, 200))
    return buffer.getvalue()


def accented(text: str) -> Counter[str]:
    return Counter(char for char in text if char in "ßœæ€" or unicodedata.decomposition(char))


def accents() -> list[list[object]]:
    rows = []
    for language, lines in ACCENT_TEXTS.items():
        printed = "\n".join(lines)
        wanted = accented(printed)
        for engine in engines():
            options = LoadOptions(ocr_engine=engine, ocr_language=language)
            started = time.perf_counter()
            text = load_document(rendered(lines), options=options).page(1).text
            seconds = time.perf_counter() - started
            read = accented(text)
            accent_share = (
                sum(min(count, read[char]) for char, count in wanted.items()) / sum(wanted.values())
                if wanted
                else float("nan")
            )
            rows.append(
                [
                    language,
                    engine,
                    f"{difflib.SequenceMatcher(None, printed, text).ratio():.3f}",
                    "-" if not wanted else f"{accent_share:.2f}",
                    f"{seconds:.2f}",
                ]
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=50, help="real scans to read")
    args = parser.parse_args(argv)
    import django

    django.setup()
    print(f"machine: {machine_summary()}", flush=True)
    if not shutil.which("tesseract"):
        print("Tesseract is not installed: only the bundled engine is measured.")
    if (REALDEV / "manifest.json").exists():
        print_table(
            "OCR on real scans (realdev JPEGs): ground-truth tokens found, seconds per page",
            ["engine", "scans", "tokens", "receipts", "forms", "s/page p50", "max"],
            real_scans(args.limit),
        )
    else:
        print(f"The real-document corpus is not at {REALDEV}: the real-scan table is skipped.")
    print_table(
        "OCR of rendered lines (DejaVu Sans, 200 dpi): character similarity and accents read",
        ["language", "engine", "chars", "accents", "seconds"],
        accents(),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
