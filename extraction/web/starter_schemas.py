"""The starter schemas the editor offers ("Start from a template…"): invoice, receipt, résumé,
contract, table rows."""

from __future__ import annotations

from typing import Any


def _leaf(kind: str, description: str) -> dict[str, Any]:
    if kind == "date":
        return {"type": "string", "format": "date", "description": description}
    return {"type": kind, "description": description}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or []}


STARTER_SCHEMAS: dict[str, dict[str, Any]] = {
    "invoice": _object(
        {
            "invoice_number": _leaf("string", "The invoice's number or reference"),
            "invoice_date": _leaf("date", "Date the invoice was issued"),
            "due_date": _leaf("date", "Date payment is due"),
            "vendor": _object(
                {
                    "name": _leaf("string", "Who issued the invoice"),
                    "address": _leaf("string", "The vendor's address"),
                }
            ),
            "line_items": {
                "type": "array",
                "description": "Each billed line",
                "items": _object(
                    {
                        "description": _leaf("string", "What was billed"),
                        "quantity": _leaf("number", "How many"),
                        "unit_price": _leaf("number", "Price of one unit"),
                        "amount": _leaf("number", "Line total"),
                    }
                ),
            },
            "subtotal": _leaf("number", "Total before tax"),
            "tax": _leaf("number", "Tax amount"),
            "total": _leaf("number", "Amount due"),
            "currency": _leaf("string", "ISO currency code, e.g. USD"),
        },
        ["invoice_number", "total"],
    ),
    "receipt": _object(
        {
            "merchant": _leaf("string", "Shop or merchant name"),
            "date": _leaf("date", "Date of purchase"),
            "items": {
                "type": "array",
                "items": _object(
                    {"name": _leaf("string", "Item"), "price": _leaf("number", "Price")}
                ),
            },
            "subtotal": _leaf("number", "Total before tax"),
            "tax": _leaf("number", "Tax amount"),
            "total": _leaf("number", "Amount paid"),
            "payment_method": {
                "type": "string",
                "enum": ["cash", "card", "other"],
                "description": "How it was paid",
            },
        },
        ["merchant", "total"],
    ),
    "resume": _object(
        {
            "name": _leaf("string", "Candidate's full name"),
            "email": _leaf("string", "Email address"),
            "phone": _leaf("string", "Phone number"),
            "skills": {"type": "array", "items": {"type": "string"}, "description": "Skills"},
            "experience": {
                "type": "array",
                "items": _object(
                    {
                        "company": _leaf("string", "Employer"),
                        "title": _leaf("string", "Job title"),
                        "start": _leaf("string", "Start month (YYYY-MM)"),
                        "end": _leaf("string", "End month (YYYY-MM), empty if current"),
                    }
                ),
            },
            "education": {
                "type": "array",
                "items": _object(
                    {
                        "institution": _leaf("string", "School or university"),
                        "degree": _leaf("string", "Degree obtained"),
                        "year": _leaf("integer", "Graduation year"),
                    }
                ),
            },
        },
        ["name"],
    ),
    "contract": _object(
        {
            "title": _leaf("string", "The contract's title"),
            "parties": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Names of the parties",
            },
            "effective_date": _leaf("date", "When the contract takes effect"),
            "term_months": _leaf("integer", "Length of the term in months"),
            "governing_law": _leaf("string", "Jurisdiction whose law governs"),
            "auto_renews": _leaf("boolean", "Whether the contract renews automatically"),
        },
        ["parties", "effective_date"],
    ),
    "table_rows": _object(
        {
            "rows": {
                "type": "array",
                "description": "One entry per table row",
                "items": _object(
                    {
                        "name": _leaf("string", "First column"),
                        "value": _leaf("number", "Numeric column"),
                        "category": _leaf("string", "Category column"),
                    }
                ),
            }
        },
        ["rows"],
    ),
}
STARTER_LABELS = {
    "invoice": "Invoice",
    "receipt": "Receipt",
    "resume": "Résumé",
    "contract": "Contract",
    "table_rows": "Table rows",
}
