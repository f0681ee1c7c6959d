"""Document-kind vocabulary: what common kinds of business documents call themselves, the key
phrases their pages print, and the layout cues they tend to show.

This is data, not rules about particular documents: every entry is generic vocabulary in
several languages (English, German, French, Dutch, Spanish, Italian, Portuguese, Polish). A
classification rule whose ``type`` or ``description`` names one of these kinds borrows that
kind's vocabulary; a rule that names none is matched on its own words only.

``KINDS`` maps a kind id to:
- ``names``: phrases that name the kind (titles such as "Rechnung", and what users call a rule
  type such as "cv"). A name found in a page title is the strongest cue there is.
- ``phrases``: key phrases printed on such pages ("due date", "closing balance").
- ``cues``: layout cues (see ``features.CUES``) and how much each speaks for the kind.
- ``broader`` (optional): the more general kind (an NDA is a contract); a rule for the broader
  kind also accepts the narrower kind's names, and a rule for the narrower kind borrows the
  broader kind's phrases at a lower weight.
"""

from __future__ import annotations

from typing import TypedDict


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


class KindEntry(TypedDict, total=False):
    names: list[str]
    phrases: list[str]
    cues: dict[str, float]
    broader: str


# fmt: off
KINDS: dict[str, KindEntry] = {
    "invoice": {
        "names": [
            "invoice", "tax invoice", "commercial invoice", "sales invoice", "vendor invoice",
            "supplier invoice", "bill", "billing statement", "rechnung", "faktura", "facture",
            "factuur", "factura", "fattura", "fatura", "nota fiscal", "inv",
        ],
        "phrases": [
            "invoice number", "invoice no", "invoice date", "due date", "payment due", "bill to",
            "billed to", "sold to", "payment terms", "terms", "net 30", "subtotal", "sub total",
            "vat", "sales tax", "amount due", "balance due", "total due", "remit to",
            "please pay", "iban", "bank details", "customer number", "customer no",
            "rechnungsnummer", "rechnungsdatum", "fällig", "zahlbar", "mwst", "ust",
            "nettobetrag", "numéro de facture", "date d'échéance", "tva", "montant ttc",
            "total ht", "factuurnummer", "btw", "vervaldatum", "número de factura", "iva",
            "fecha de vencimiento", "nip", "netto", "brutto", "do zapłaty", "sprzedawca",
            "nabywca", "data wystawienia", "period of service", "qty", "unit price",
        ],
        "cues": {
            "totals": 1.0, "table": 0.5, "amounts": 0.3, "key_values": 0.2,
            "payment_request": 1.0, "narrow": -1.5,
        },
    },
    "credit_note": {
        "names": [
            "credit note", "credit memo", "gutschrift", "avoir", "creditnota",
            "nota de crédito", "nota di credito",
        ],
        "phrases": ["credit", "refund", "original invoice", "credited", "amount credited"],
        "cues": {"totals": 0.8, "table": 0.4},
        "broader": "invoice",
    },
    "utility_bill": {
        "names": [
            "utility bill", "electricity bill", "gas bill", "water bill", "phone bill",
            "energy bill", "stromrechnung", "facture d'électricité", "energierekening",
        ],
        "phrases": [
            "meter reading", "kwh", "consumption", "tariff", "billing period", "meter number",
            "usage", "standing charge", "account number",
        ],
        "cues": {"totals": 0.8, "table": 0.4},
        "broader": "invoice",
    },
    "quote": {
        "names": [
            "quotation", "quote", "estimate", "price quote", "proforma", "pro forma",
            "angebot", "kostenvoranschlag", "devis", "offerte", "presupuesto", "preventivo",
            "orçamento",
        ],
        "phrases": [
            "valid until", "quotation number", "quote number", "validity", "offer valid",
            "gültig bis", "valable", "geldig tot", "valido hasta", "estimate number",
        ],
        "cues": {"totals": 0.6, "table": 0.5, "narrow": -1.0},
    },
    "receipt": {
        "names": [
            "receipt", "sales receipt", "cash receipt", "till receipt", "payment receipt",
            "order receipt", "kassenbon", "quittung", "beleg", "kassenzettel", "reçu",
            "ticket de caisse", "kassabon", "kwitantie", "recibo", "ticket", "scontrino",
            "ricevuta", "paragon", "cash sale", "cash bill", "cash invoice",
            # till slips are headed "tax invoice" or "simplified invoice" in many countries
            "tax invoice", "simplified invoice", "simplified tax invoice",
        ],
        "phrases": [
            "cash", "change", "card", "visa", "mastercard", "amex", "debit", "credit card",
            "tendered", "cashier", "thank you", "come again", "store", "till", "terminal",
            "transaction", "auth code", "approved", "contactless", "rounding",
            "total rounded", "gst", "member", "loyalty", "paid", "payment method",
            "apple pay", "order number", "barzahlung", "bar", "Rückgeld", "gegeben",
            "Kartenzahlung", "espèces", "rendu", "merci", "contant", "wisselgeld", "efectivo",
            "cambio", "gracias", "no refund", "exchange", "operator", "qty",
        ],
        "cues": {
            "narrow": 2.0, "paid": 1.0, "totals": 0.8, "amounts": 0.2, "payment_request": -0.5,
        },
    },
    "purchase_order": {
        "names": [
            "purchase order", "order", "purchase requisition", "bestellung", "auftrag",
            "bon de commande", "commande", "inkooporder", "bestelling", "orden de compra",
            "pedido", "ordine d'acquisto", "ordine", "zamówienie", "po",
        ],
        "phrases": [
            "po number", "po no", "order number", "order no", "order date", "delivery date",
            "deliver to", "ship to", "vendor", "supplier", "please supply", "we order",
            "please deliver", "buyer", "requested by", "authorized by", "authorised by",
            "approved by", "required by", "deliver by", "bestellnummer", "lieferdatum",
            "lieferadresse", "numéro de commande", "date de livraison", "fecha de entrega",
            "quantity", "unit price", "quotation", "procurement",
        ],
        "cues": {"totals": 0.5, "table": 0.5, "payment_request": 0.5, "narrow": -1.0},
    },
    "delivery_note": {
        "names": [
            "delivery note", "packing slip", "packing list", "dispatch note",
            "goods received note", "delivery receipt", "shipping note", "lieferschein",
            "bon de livraison", "pakbon", "albarán", "nota di consegna", "bolla di consegna",
            "guia de remessa",
        ],
        "phrases": [
            "delivered", "shipped", "qty shipped", "quantity delivered", "received by",
            "carrier", "tracking number", "consignee", "parcel", "gross weight", "net weight",
            "package", "delivery address", "goods received", "backorder",
        ],
        "cues": {"table": 0.6, "signature": 0.3},
    },
    "bank_statement": {
        "names": [
            "bank statement", "account statement", "statement of account", "statement",
            "current account statement", "kontoauszug", "relevé de compte", "relevé bancaire",
            "rekeningafschrift", "extracto bancario", "extracto", "estratto conto",
            "extrato bancário", "wyciąg bankowy",
        ],
        "phrases": [
            "opening balance", "closing balance", "previous balance", "new balance",
            "old balance", "balance brought forward", "balance carried forward",
            "statement period", "period", "account number", "sort code", "iban", "bic",
            "deposit", "withdrawal", "debit", "credit", "available balance", "transaction",
            "value date", "booking date", "balance", "direct debit", "standing order",
            "atm", "card purchase", "transfer", "kontostand", "alter kontostand",
            "neuer kontostand", "buchungstag", "wertstellung", "ancien solde",
            "nouveau solde", "solde", "saldo", "beginsaldo", "eindsaldo", "saldo inicial",
            "saldo final", "account holder", "account currency",
        ],
        "cues": {"table": 0.7, "many_dates": 1.0, "amounts": 0.3},
    },
    "payslip": {
        "names": [
            "payslip", "pay slip", "pay stub", "paystub", "payroll statement",
            "earnings statement", "salary slip", "wage slip", "pay advice", "lohnabrechnung",
            "gehaltsabrechnung", "entgeltabrechnung", "bulletin de paie", "bulletin de salaire",
            "fiche de paie", "loonstrook", "salarisstrook", "nómina", "recibo de salario",
            "busta paga", "cedolino", "holerite", "pasek wypłaty",
        ],
        "phrases": [
            "gross pay", "net pay", "gross salary", "net salary", "deduction", "earning",
            "pay period", "pay date", "employee id", "employee number", "tax code",
            "national insurance", "income tax", "social security", "year to date", "ytd",
            "hours", "overtime", "basic pay", "pension", "lohnsteuer", "sozialversicherung",
            "auszahlungsbetrag", "salaire brut", "salaire net", "net à payer", "cotisation",
            "brutoloon", "nettoloon", "loonheffing", "salario bruto", "salario neto",
            "employer", "employee",
        ],
        "cues": {"table": 0.4, "amounts": 0.4, "key_values": 0.3},
    },
    "id_document": {
        "names": [
            "passport", "identity card", "id card", "national identity card", "identity document",
            "driving licence", "driving license", "driver license", "drivers license",
            "residence permit", "reisepass", "personalausweis", "Führerschein", "passeport",
            "carte d'identité", "carte nationale d'identité", "permis de conduire", "paspoort",
            "identiteitskaart", "rijbewijs", "pasaporte", "documento nacional de identidad",
            "dni", "carta d'identità", "passaporte", "dowód osobisty", "id",
        ],
        "phrases": [
            "date of birth", "place of birth", "nationality", "date of issue", "date of expiry",
            "expiry date", "issuing authority", "surname", "given name", "sex",
            "document number", "document no", "personal number", "height", "eye colour",
            "holder", "geburtsdatum", "geburtsort", "Staatsangehörigkeit", "gültig bis",
            "date de naissance", "nationalité", "fecha de nacimiento", "nacionalidad",
            "geboortedatum", "nationaliteit",
        ],
        "cues": {"mrz": 2.0, "key_values": 0.4},
    },
    "tax_form": {
        "names": [
            "tax form", "tax return", "irs form", "w 9", "w 8ben", "w 8", "w 2", "1099",
            "1099 misc", "1040", "form w 9", "form 1099", "Steuererklärung",
            "déclaration de revenus", "belastingaangifte", "declaración de la renta",
            "dichiarazione dei redditi", "zeznanie podatkowe", "form",
        ],
        "phrases": [
            "internal revenue service", "department of the treasury",
            "taxpayer identification number", "social security number",
            "employer identification number", "tax year", "omb no", "withholding",
            "federal income tax", "beneficial owner", "backup withholding", "certification",
            "under penalties of perjury", "payer", "recipient", "tin", "ssn", "ein",
            "privacy act", "cat no", "tax", "irs", "exempt payee", "nonemployee compensation",
            "rent", "royalty", "tax treaty", "foreign status", "for official use",
        ],
        "cues": {"form": 1.0, "key_values": 0.3, "signature": 0.2},
    },
    "form": {
        "names": [
            "form", "application form", "application", "registration form", "claim form",
            "formular", "antrag", "formulaire", "demande", "formulier", "aanvraag",
            "formulario", "solicitud", "modulo", "formularz",
        ],
        "phrases": [
            "please complete", "applicant", "fill in", "check box", "tick", "block capital",
            "for office use", "for official use", "date of birth", "signature", "date",
            "please print",
        ],
        "cues": {"form": 1.0, "key_values": 0.5, "signature": 0.3},
    },
    "contract": {
        "names": [
            "contract", "agreement", "terms and conditions", "master agreement",
            "service agreement", "services agreement", "addendum", "amendment", "vertrag",
            "vereinbarung", "contrat", "accord", "convention", "overeenkomst", "contrato",
            "acuerdo", "contratto", "accordo", "umowa", "legal agreement",
        ],
        "phrases": [
            "party", "hereinafter", "hereby", "whereas", "witnesseth", "in witness whereof",
            "governing law", "jurisdiction", "term", "termination", "effective date",
            "obligation", "shall", "entire agreement", "severability", "notice",
            "indemnify", "liability", "breach", "executed", "counterpart",
            "represent and warrant", "the undersigned", "this agreement", "agree",
            "vertragsparteien", "gerichtsstand", "Kündigung", "les parties", "résiliation",
            "partijen", "opzegging", "la parte", "rescisión", "clause", "article", "section",
        ],
        "cues": {"prose": 0.8, "clauses": 0.8, "signature": 0.6},
    },
    "nda": {
        "names": [
            "non disclosure agreement", "nondisclosure agreement", "confidentiality agreement",
            "confidentiality and non disclosure agreement", "mutual non disclosure agreement",
            "nda", "mutual nda", "secrecy agreement", "geheimhaltungsvereinbarung",
            "vertraulichkeitsvereinbarung", "accord de confidentialité",
            "geheimhoudingsovereenkomst", "acuerdo de confidencialidad",
            "accordo di riservatezza", "umowa o zachowaniu poufności",
        ],
        "phrases": [
            "confidential information", "disclosing party", "receiving party", "recipient",
            "non disclosure", "confidentiality", "trade secret", "proprietary information",
            "purpose", "return or destroy", "confidential", "evaluation material",
        ],
        "cues": {"prose": 0.6, "clauses": 0.6, "signature": 0.5},
        "broader": "contract",
    },
    "lease": {
        "names": [
            "lease", "lease agreement", "residential lease", "commercial lease",
            "rental agreement", "tenancy agreement", "mietvertrag", "bail", "contrat de bail",
            "contrat de location", "huurovereenkomst", "huurcontract",
            "contrato de arrendamiento", "contratto di locazione", "umowa najmu",
        ],
        "phrases": [
            "landlord", "tenant", "lessor", "lessee", "premise", "rent", "monthly rent",
            "security deposit", "property", "vermieter", "mieter", "miete", "kaution",
            "bailleur", "locataire", "loyer", "verhuurder", "huurder", "huur", "arrendador",
            "arrendatario", "utilities", "occupancy",
        ],
        "cues": {"prose": 0.6, "clauses": 0.6, "signature": 0.5},
        "broader": "contract",
    },
    "employment_contract": {
        "names": [
            "employment contract", "employment agreement", "contract of employment",
            "arbeitsvertrag", "contrat de travail", "arbeidsovereenkomst", "contrato de trabajo",
            "contratto di lavoro", "umowa o pracę",
        ],
        "phrases": [
            "employer", "employee", "salary", "probation period", "working hour",
            "annual leave", "notice period", "job title", "position", "remuneration",
        ],
        "cues": {"prose": 0.6, "clauses": 0.6, "signature": 0.5},
        "broader": "contract",
    },
    "resume": {
        "names": [
            "resume", "cv", "curriculum vitae", "lebenslauf", "curriculum", "levensloop",
            "hoja de vida", "życiorys", "candidate profile",
        ],
        "phrases": [
            "work experience", "professional experience", "experience", "employment history",
            "work history", "career history", "education", "skill", "language",
            "certification", "profile", "summary", "objective", "reference", "project",
            "achievement", "interest", "berufserfahrung", "ausbildung", "kenntnisse",
            "sprachen", "expérience professionnelle", "formation", "compétences", "langue",
            "werkervaring", "opleiding", "vaardigheden", "experiencia laboral",
            "educación", "formación", "habilidades", "idioma", "present", "linkedin",
            "github", "personal details", "degree", "university", "bachelor", "master",
        ],
        "cues": {"contact": 0.8, "date_ranges": 1.0, "bullets": 0.2},
    },
    "letter": {
        "names": [
            "letter", "cover letter", "correspondence", "brief", "anschreiben", "lettre",
            "courrier", "carta", "lettera", "list",
        ],
        "phrases": [
            "dear", "sincerely", "yours sincerely", "yours faithfully", "kind regards",
            "best regards", "regards", "subject", "enclosure", "sehr geehrte",
            "mit freundlichen Grüßen", "madame", "monsieur", "veuillez agréer",
            "cordialement", "geachte", "met vriendelijke groet", "estimado", "atentamente",
            "saludos", "distinti saluti",
        ],
        "cues": {"letter": 1.5, "prose": 0.3},
    },
    "research_paper": {
        "names": [
            "research paper", "paper", "article", "scientific article", "academic paper",
            "journal article", "preprint", "publication", "conference paper", "study",
            "scientific paper",
        ],
        "phrases": [
            "abstract", "introduction", "related work", "methodology", "method", "experiment",
            "result", "conclusion", "discussion", "reference", "acknowledgment",
            "acknowledgement", "keyword", "index term", "et al", "arxiv", "doi", "proceeding",
            "university", "department", "dataset", "baseline", "evaluation", "we propose",
            "this paper", "in this paper", "state of the art", "figure", "benchmark",
        ],
        "cues": {"prose": 0.8, "references": 0.8},
    },
    "product_catalog": {
        "names": [
            "product catalog", "product catalogue", "catalog", "catalogue", "product list",
            "price list", "katalog", "preisliste", "produktkatalog", "catalogue produits",
            "tarif", "liste de prix", "prijslijst", "productcatalogus", "catálogo",
            "lista de precios", "listino prezzi", "cennik",
        ],
        "phrases": [
            "sku", "item number", "article number", "product", "unit price", "price",
            "in stock", "stock", "availability", "category", "description", "artikelnummer",
            "preis", "lagerbestand", "reference", "prix", "prijs", "voorraad", "precio",
            "referencia", "item",
        ],
        "cues": {"table": 1.0, "amounts": 0.3},
    },
    "employee_roster": {
        "names": [
            "employee roster", "employee list", "employee directory", "staff list",
            "staff directory", "roster", "personnel list", "headcount report", "team list",
            "mitarbeiterliste", "personalliste", "mitarbeiterverzeichnis",
            "liste du personnel", "annuaire", "personeelslijst", "medewerkerslijst",
            "lista de empleados", "plantilla",
        ],
        "phrases": [
            "employee id", "employee", "department", "position", "job title", "hire date",
            "start date", "manager", "extension", "email", "location", "abteilung",
            "eintrittsdatum", "service", "date d'embauche", "afdeling", "functie",
            "departamento", "puesto", "staff", "title",
        ],
        "cues": {"table": 1.0},
    },
    "insurance_policy": {
        "names": [
            "insurance policy", "policy schedule", "certificate of insurance", "insurance",
            "versicherungsschein", "police d'assurance", "verzekeringspolis", "póliza",
            "polizza",
        ],
        "phrases": [
            "policyholder", "policy holder", "insured", "premium", "coverage", "cover",
            "deductible", "policy number", "claim", "beneficiary", "sum insured", "excess",
            "insurer", "period of insurance",
        ],
        "cues": {"prose": 0.3, "key_values": 0.3},
    },
}
# fmt: on

# Words that carry no meaning of their own in a rule description ("A document that contains
# line items" -> "line items"), in the languages the kinds above cover.
STOPWORDS: frozenset[str] = _word_set(
    """
    a an the and or but of to in on at by for from with without within into onto over under
    as is are was were be been being it its this that these those there their they them such
    which who whom whose what when where how why any all each every some other another more
    most less few many much one two three can may might must should would could will shall
    do does did done has have had having not no nor than then so very also only just like
    e g eg i ie etc usually typically often generally commonly mostly may include includes
    including contain contains containing contained show shows showing shown list lists
    listing document documents doc page pages file files type types kind kinds of
    information info detail details data usually sometimes about across per
    via either neither both same different whether if else otherwise us our your you we he
    she his her him my me
    der die das ein eine einer eines und oder mit von zu im in am auf fuer ist sind
    le la les un une des du et ou avec pour dans sur est sont
    de het een en of met voor van op is zijn
    el los las unos unas y o con para en por es son del al
    """
)

# A word in a description after one of these, up to the end of its clause, is not a cue for
# the rule ("an invoice, not a receipt").
NEGATIONS: frozenset[str] = _word_set(
    "not no never except excluding exclude excludes unlike nicht kein keine pas sauf niet geen "
    "behalve sin excepto salvo"
)

# Layout-cue vocabulary used by ``features``; phrases are folded like page text.
# fmt: off
TOTAL_LABELS: list[str] = [
    "total", "grand total", "amount due", "balance due", "total due", "subtotal", "sub total",
    "net total", "total amount", "amount payable", "total payable", "total rounded",
    "invoice total", "order total", "total to pay", "totaal", "te betalen", "summe",
    "gesamt", "gesamtbetrag", "endbetrag", "rechnungsbetrag", "zu zahlen", "montant total",
    "total ttc", "total ht", "net à payer", "importe total", "total a pagar", "totale",
    "importo totale", "razem", "należność", "do zapłaty", "suma", "closing balance",
    "new balance",
]
# A payment made (the page is proof of it) and a payment asked for (the page requests it).
PAID_PHRASES: list[str] = [
    "cash", "change", "tendered", "paid", "amount paid", "payment received", "approved",
    "auth code", "authorisation code", "card no", "visa", "mastercard", "amex", "debit card",
    "credit card", "contactless", "apple pay", "google pay", "rounding", "bar", "gegeben",
    "Rückgeld", "bezahlt", "espèces", "rendu", "payé", "contant", "betaald", "efectivo",
    "cambio", "pagado", "contanti", "resto", "pagato", "gotówka", "reszta",
]
PAYMENT_REQUEST_PHRASES: list[str] = [
    "due date", "payment due", "amount due", "balance due", "total due", "pay by",
    "payable by", "payment terms", "terms of payment", "remit to", "please pay",
    "please remit", "net 30", "net 14", "net 60", "bank details", "iban", "sort code",
    "zahlbar bis", "fällig", "zahlungsziel", "échéance", "à payer avant", "vervaldatum",
    "te betalen voor", "vencimiento", "scadenza", "termin płatności",
]
SIGNATURE_PHRASES: list[str] = [
    "signature", "signed", "sign here", "signatory", "authorised signature",
    "authorized signature", "for and on behalf of", "in witness whereof", "witness",
    "unterschrift", "ort datum", "signé", "handtekening", "firma", "podpis", "signed by",
    "duly authorized", "by its",
]
SALUTATIONS: list[str] = [
    "dear", "sehr geehrte", "sehr geehrter", "liebe", "lieber", "madame", "monsieur", "cher",
    "chere", "geachte", "beste", "estimado", "estimada", "gentile", "egregio", "szanowny",
    "to whom it may concern",
]
CLOSINGS: list[str] = [
    "sincerely", "yours sincerely", "yours faithfully", "yours truly", "kind regards",
    "best regards", "warm regards", "regards", "mit freundlichen Grüßen",
    "mit freundlichen Grüssen", "freundliche Grüße", "cordialement", "veuillez agréer",
    "bien à vous", "met vriendelijke groet", "hoogachtend", "atentamente",
    "saludos cordiales", "cordiali saluti", "distinti saluti", "z poważaniem",
]
CONTINUATION_PHRASES: list[str] = [
    "continued", "continued on next page", "continued overleaf", "carried forward",
    "brought forward", "Übertrag", "fortsetzung", "à reporter", "vervolg",
    "suma y sigue", "continua", "segue",
]
# A heading that starts with one of these opens an attachment to the document before it.
ANNEX_WORDS: list[str] = [
    "schedule", "exhibit", "annex", "appendix", "attachment", "addendum", "enclosure",
    "anlage", "anhang", "annexe", "bijlage", "anexo", "apéndice", "allegato", "załącznik",
]
PAGE_WORDS: list[str] = [
    "page", "pg", "p", "seite", "s", "pagina", "pag", "blad", "blatt", "strona", "str", "sida",
    "side", "feuille", "folio",
]
OF_WORDS: list[str] = ["of", "von", "de", "sur", "van", "di", "z", "av", "af", "da", "del", "/"]
# fmt: on

# Kind names that are also everyday words ("order", "statement", "form"): a title that says
# one of them is weaker evidence than one that says "purchase order".
GENERIC_NAMES: frozenset[str] = _word_set(
    "order statement bill ticket article paper study brief list form report accord convention "
    "application demande insurance bail carta id po inv beleg bon publication tarif catalog "
    "curriculum catalogue roster auftrag commande pedido ordine extracto lettre courrier "
    "letter correspondence"
)

# Description words that ask for a layout cue ("a table of transactions" -> table).
DESCRIPTION_CUES: dict[str, list[str]] = {
    "totals": ["total", "totals", "amount due", "balance due", "sum", "grand total"],
    "amounts": ["amount", "amounts", "price", "prices", "cost", "costs", "fee", "fees"],
    "table": ["table", "tabular", "row", "rows", "column", "columns", "line item", "line items"],
    "signature": ["signature", "signatures", "signed", "signing", "signatory"],
    "prose": ["clause", "clauses", "paragraph", "paragraphs", "narrative", "prose", "legal"],
    "clauses": ["clause", "clauses", "section", "sections", "article", "articles"],
    "narrow": ["till", "pos", "point of sale", "thermal"],
    "contact": ["contact", "email", "phone", "linkedin"],
    "date_ranges": ["career", "employment history", "work history", "work experience"],
    "many_dates": ["transaction", "transactions", "ledger", "dated"],
    "letter": ["salutation", "correspondence", "letter"],
    "form": ["checkbox", "checkboxes", "check box", "fill in", "fillable", "blank"],
    "key_values": ["field", "fields", "label", "labels"],
    "bullets": ["bullet", "bullets", "bulleted"],
    "references": ["citation", "citations", "bibliography", "references"],
    "mrz": ["machine readable", "mrz"],
}
