"""The pages in a real browser: Playwright on Debian's Chromium against a live server + worker.

Screenshots of every step go to ``test-artifacts/browser/`` (the ``web`` fixture, in
``tests/web/conftest.py``). Each test fails on any browser console error (except the 404s a
test provokes on purpose).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.selectors import api_key_lookup
from extraction import services
from extraction.models import ExtractionJob, ExtractionRun, JobStatus
from tests.factories import UserFactory, current_run, store_file
from tests.web.browser import add_field, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_upload_build_schema_run_and_inspect_citations(web, celery_worker_process, corpus):
    page = web.page
    pdf, expected = corpus["invoice_classic_us"].path, corpus["invoice_classic_us"].expected

    web.goto(reverse("signup"))
    form = page.locator("[data-testid=signup-form]")
    form.locator("[name=username]").fill("alice")
    form.locator("[name=password1]").fill("a sturdy passphrase 42")
    form.locator("[name=password2]").fill("a sturdy passphrase 42")
    web.shot("01-signup")
    form.locator("button[type=submit]").click()
    page.wait_for_url(web.base_url + "/")
    web.shot("02-dashboard")

    page.click("[data-testid=new-extraction]")
    page.wait_for_load_state("load")  # the upload list's change handler is attached by then
    page.set_input_files("[data-testid=upload-input]", str(pdf))
    page.locator("[data-file-list]").filter(has_text=pdf.name).wait_for(timeout=5_000)
    add_field(page, 0, "invoice_number", "string", "The invoice's number")
    add_field(page, 1, "total", "number", "Amount due")
    add_field(page, 2, "invoice_date", "date")
    preview = json.loads(page.locator("[data-testid=schema-preview]").inner_text())
    assert preview["properties"]["invoice_date"] == {"type": "string", "format": "date"}
    assert json.loads(page.locator("[data-testid=schema-json]").input_value()) == preview
    assert page.locator("[data-testid=option-cite_sources]").is_checked()
    web.shot("03-new-extraction")

    page.click("[data-testid=run]")
    page.wait_for_url("**/jobs/**")
    # A marker that a reload would wipe: the status must change in place.
    page.evaluate("window.__noReload = true")
    web.shot("04-job-submitted")
    status = page.locator("[data-testid=job-status]")
    status.filter(has_text="SUCCESS").wait_for(timeout=60_000)
    assert page.evaluate("window.__noReload") is True
    web.shot("05-job-success")

    job = ExtractionJob.objects.get(project__organization__memberships__user__username="alice")
    assert job.status == JobStatus.SUCCESS
    values = {
        path: page.locator(f"[data-testid=result-field][data-path='{path}'] .value").inner_text()
        for path in ("invoice_number", "total", "invoice_date")
    }
    assert values["invoice_number"] == expected["invoice_number"]
    assert float(values["total"]) == pytest.approx(expected["total"])
    assert values["invoice_date"] == expected["invoice_date"]

    page.click("[data-testid=result-field][data-path='invoice_number']")
    box = page.locator("[data-testid=citation-box][data-path='invoice_number']").first
    box.wait_for(state="visible")
    assert "is-active" in (box.get_attribute("class") or "")
    image = page.locator("[data-testid=page-image]").first.bounding_box()
    outline = box.bounding_box()
    assert image
    assert outline
    assert image["x"] <= outline["x"] <= image["x"] + image["width"]
    assert image["y"] <= outline["y"] <= image["y"] + image["height"]
    web.shot("06-citation-highlighted")

    with page.expect_download() as download_info:
        page.click("[data-testid=download-json]")
    downloaded = json.loads(Path(download_info.value.path()).read_text())
    assert downloaded == ExtractionRun.objects.get(job=job).data
    assert downloaded["invoice_number"] == expected["invoice_number"]
    assert downloaded["total"] == pytest.approx(expected["total"])
    with page.expect_download() as download_info:
        page.click("[data-testid=download-csv]")
    rows = Path(download_info.value.path()).read_text().splitlines()
    # Column order follows the stored data, which PostgreSQL's jsonb reorders (see
    # test_pages.test_schema_field_order_survives_saving), so compare the columns as a set.
    assert sorted(rows[0].split(",")) == ["invoice_date", "invoice_number", "total"]
    assert len(rows) == 2
    assert expected["invoice_number"] in rows[1]


def test_raw_json_tab_round_trips_with_the_form_and_locates_syntax_errors(web, owner):
    page = web.page
    web.login("owner")
    web.goto(reverse("extraction_new"))
    # Keyboard only: the add button focuses the new row's name.
    page.focus("[data-testid=add-field]")
    page.keyboard.press("Enter")
    page.keyboard.type("vendor")
    page.keyboard.press("Tab")
    page.keyboard.press("End")  # the last type in the list: array
    assert page.locator("[data-testid=field-row]").first.locator(
        "[data-testid=field-type]"
    ).input_value() in ("array", "object")
    page.locator("[data-testid=field-row]").first.locator("[data-testid=field-type]").select_option(
        "object"
    )
    page.locator("[data-testid=field-row] [data-testid=field-row] [data-testid=field-name]").fill(
        "name"
    )
    add_field(page, 2, "status", "enum")
    page.locator("[data-testid=field-row]").nth(2).locator("[data-testid=field-options]").fill(
        "paid, unpaid"
    )
    web.shot("01-form")

    page.click("[data-testid=tab-json]")
    from_form = json.loads(page.locator("[data-testid=schema-json]").input_value())
    assert from_form["properties"]["vendor"]["properties"]["name"] == {"type": "string"}
    assert from_form["properties"]["status"]["enum"] == ["paid", "unpaid"]

    edited = {
        "type": "object",
        "properties": {
            **from_form["properties"],
            "due_date": {"type": "string", "format": "date", "description": "When to pay"},
            "lines": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"amount": {"type": ["number", "null"], "minimum": 0}},
                    "required": ["amount"],
                },
            },
        },
        "required": ["due_date"],
        "additionalProperties": False,
    }
    page.fill("[data-testid=schema-json]", json.dumps(edited, indent=2))
    page.click("[data-testid=tab-form]")
    rows = page.locator("[data-testid=field-row]")
    names = [
        rows.nth(i).locator("[data-testid=field-name]").first.input_value()
        for i in range(rows.count())
    ]
    assert names == ["vendor", "name", "status", "due_date", "lines", "amount"]
    due = rows.nth(3)
    assert due.locator("[data-testid=field-type]").input_value() == "date"
    assert due.locator("[data-testid=field-description]").input_value() == "When to pay"
    assert due.locator("[data-testid=field-required]").is_checked()
    web.shot("02-form-from-json")

    page.click("[data-testid=tab-json]")
    assert json.loads(page.locator("[data-testid=schema-json]").input_value()) == edited

    page.fill(
        "[data-testid=schema-json]", '{\n  "type": "object",\n  "properties": {\n    "a": }\n}'
    )
    error = page.locator("[data-testid=schema-json-error]")
    error.filter(has_text="line 4").wait_for()
    page.click("[data-testid=schema-json-goto]")
    caret = page.evaluate("document.querySelector('[data-testid=schema-json]').selectionStart")
    assert caret == page.locator("[data-testid=schema-json]").input_value().index("}")
    web.shot("03-json-error")
    page.click("[data-testid=tab-form]")  # refused while the JSON is broken
    assert page.locator("[data-testid=schema-json]").is_visible()


def test_validation_errors_show_next_to_their_field(web, owner, owner_project):
    page = web.page
    web.login("owner")
    web.goto(reverse("extraction_new"))
    page.fill("[data-testid=paste-text]", "Total: 12.00")
    add_field(page, 0, "total", "number")
    page.click("[data-testid=add-field]")  # a second row left without a name
    page.click("[data-testid=run]")
    second = page.locator("[data-testid=field-row]").nth(1)
    assert second.locator("[data-testid=field-error]").inner_text() == "Give this field a name."
    assert "/extract/new/" in page.url
    web.shot("01-missing-name")

    # A problem only the server knows about comes back with its pointer.
    page.click("[data-testid=tab-json]")
    schema = {
        "type": "object",
        "properties": {"total": {"type": "number", "allOf": [{"minimum": 0}]}},
    }
    page.fill("[data-testid=schema-json]", json.dumps(schema))
    page.click("[data-testid=tab-form]")
    total_error = page.locator("[data-testid=field-row]").first.locator("[data-testid=field-error]")
    total_error.filter(has_text="not supported").wait_for()
    web.shot("02-server-problem")

    # Submitted anyway (bypassing the browser's check): the page comes back with the marks.
    page.evaluate("document.querySelector('#extraction-form').submit()")
    page.wait_for_load_state()
    page.locator("[data-testid=form-errors]").wait_for()
    total_error = page.locator("[data-testid=field-row]").first.locator("[data-testid=field-error]")
    total_error.filter(has_text="not supported").wait_for()
    assert not ExtractionJob.objects.filter(project=owner_project).exists()
    web.allowed_errors.append("400 (Bad Request)")
    web.shot("03-after-submit")


def test_live_progress_and_cancel_without_reload(web, owner, owner_project):
    page = web.page
    agent = services.agent_get_or_create_default(project=owner_project)
    job = ExtractionJob.objects.create(
        project=owner_project,
        agent=agent,
        inline_text="Total: 1",
        data_schema={"type": "object", "properties": {"total": {"type": "number"}}},
        status=JobStatus.RUNNING,
        pages_done=1,
        pages_total=4,
    )
    current_run(job)
    web.login("owner")
    web.goto(reverse("job_detail", args=[job.id]))
    page.evaluate("window.__noReload = true")
    assert page.locator("[data-testid=job-progress]").inner_text() == "1 / 4"
    ExtractionJob.objects.filter(id=job.id).update(pages_done=3)
    page.locator("[data-testid=job-progress]").filter(has_text="3 / 4").wait_for(timeout=10_000)
    web.shot("01-running")
    page.focus("[data-testid=cancel]")
    page.wait_for_timeout(2_500)  # polls come and go; the focus stays on the button
    page.keyboard.press("Enter")
    page.locator("[data-testid=job-status]").filter(has_text="CANCELLED").wait_for()
    page.wait_for_function("document.activeElement.dataset.testid === 'rerun'")
    assert page.evaluate("window.__noReload") is True
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert page.locator("[data-testid=rerun]").is_visible()
    web.shot("02-cancelled")


def test_api_key_is_created_shown_once_and_revoked(web, owner):
    page = web.page
    web.login("owner")
    web.goto(reverse("api_keys"))
    page.fill("[data-testid=api-key-name]", "laptop")
    page.click("[data-testid=api-key-create]")
    value = page.locator("[data-testid=api-key-value]")
    value.wait_for()
    raw = value.input_value()
    assert raw.startswith("oe_")
    assert api_key_lookup(raw_key=raw) is not None
    page.click("[data-testid=api-key-copy]")
    web.shot("01-created")
    page.reload()
    assert raw not in page.content()
    # Revoking asks first; dismissing keeps the key.
    dialogs: list[str] = []

    def answer(dialog, accept: bool) -> None:
        dialogs.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.click("[data-testid=api-key-revoke]")
    page.wait_for_timeout(300)
    assert api_key_lookup(raw_key=raw) is not None
    assert "Revoke the key" in dialogs[0]
    assert "laptop" in dialogs[0]
    page.once("dialog", lambda dialog: answer(dialog, True))
    page.click("[data-testid=api-key-revoke]")
    page.locator("[data-testid=api-key-revoked]").wait_for()
    assert api_key_lookup(raw_key=raw) is None
    web.shot("02-revoked")


def test_another_user_cannot_open_the_job(web, owner, owner_project):
    agent = services.agent_get_or_create_default(project=owner_project)
    job = ExtractionJob.objects.create(
        project=owner_project, agent=agent, inline_text="x", status=JobStatus.PENDING
    )
    UserFactory(username="mallory")
    web.login("mallory")
    web.allowed_errors.append("404 (Not Found)")
    response = web.goto(reverse("job_detail", args=[job.id]))
    assert response.status == 404
    web.shot("01-not-found")


def test_pages_fit_a_1024px_window(web, owner, owner_project):
    page = web.page
    page.set_viewport_size({"width": 1024, "height": 800})
    long_name = "a-very-long-file-name-" * 8 + ".pdf"
    agent = services.agent_get_or_create_default(project=owner_project)
    job = ExtractionJob.objects.create(
        project=owner_project,
        agent=agent,
        file_name=long_name,
        inline_text="x",
        status=JobStatus.SUCCESS,
        data_schema={"type": "object"},
    )
    current_run(
        job,
        status="SUCCESS",
        data={"notes": "word" * 120, "rows": [{"a": "x" * 300, "b": 1}]},
    )
    web.login("owner")
    for name, path in [
        ("dashboard", reverse("dashboard")),
        ("new", reverse("extraction_new")),
        ("job", reverse("job_detail", args=[job.id])),
        ("agents", reverse("agents")),
        ("files", reverse("files")),
        ("keys", reverse("api_keys")),
    ]:
        web.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1024, (name, width)
        web.shot(f"1024-{name}")


def test_results_arriving_live_link_fields_and_boxes_both_ways(web, owner, owner_project, corpus):
    """The citation viewer on a result written while the page is open (engine-independent)."""
    page = web.page
    invoice = corpus["invoice_classic_us"]
    pdf, expected, meta = invoice.path, invoice.expected, invoice.meta
    source = store_file(owner_project, pdf.read_bytes(), pdf.name, "application/pdf")
    agent = services.agent_get_or_create_default(project=owner_project)
    job = ExtractionJob.objects.create(
        project=owner_project,
        agent=agent,
        file=source,
        file_name=source.name,
        data_schema={"type": "object"},
        config={"cite_sources": True, "confidence_scores": True},
        status=JobStatus.RUNNING,
        pages_total=1,
    )
    current_run(job)
    web.login("owner")
    web.goto(reverse("job_detail", args=[job.id]))
    page.evaluate("window.__noReload = true")

    def cited(x: float, y: float, confidence: float) -> dict:
        return {
            "citation": [
                {
                    "page": 1,
                    "matching_text": "…",
                    "bounding_boxes": [{"x": x, "y": y, "w": 80.0, "h": 11.0}],
                    "page_dimensions": {"width": 612.0, "height": 792.0},
                }
            ],
            "confidence": confidence,
            "match": "exact",
        }

    data = {"invoice_number": expected["invoice_number"], "total": expected["total"], "po": "X"}
    ExtractionRun.objects.filter(current_of=job).update(
        status="SUCCESS",
        data=data,
        extraction_metadata={
            "engine": "local",
            "usage": {
                "num_pages_extracted": 1,
                "num_document_tokens": 900,
                "num_output_tokens": 30,
            },
            "field_metadata": {
                "invoice_number": cited(480, 120, 0.95),
                "total": cited(480, 620, 0.7),
                "po": {"citation": [], "confidence": 0.1, "match": "not_found"},
            },
        },
    )
    ExtractionJob.objects.filter(id=job.id).update(status=JobStatus.SUCCESS, pages_done=1)
    page.locator("[data-testid=result-field][data-path=total]").wait_for(timeout=10_000)
    page.locator("[data-testid=page-image]").first.wait_for()
    image = page.locator("[data-testid=page-image]").first
    wait_until(lambda: image.evaluate("img => img.naturalWidth") > 0)
    assert page.evaluate("window.__noReload") is True
    assert page.locator("[data-testid=citation-box]").count() == 2
    assert page.locator(
        "[data-testid=result-field][data-path=po] [data-testid=unsupported]"
    ).is_visible()
    assert (
        page.locator("[data-testid=result-field][data-path=invoice_number] .conf").inner_text()
        == "95%"
    )

    page.click("[data-testid=result-field][data-path=total]")
    box = page.locator("[data-testid=citation-box][data-path=total]")
    assert "is-active" in box.get_attribute("class")
    assert box.is_visible()
    web.shot("01-field-to-box")

    page.click("[data-testid=citation-box][data-path=invoice_number]")
    field = page.locator("[data-testid=result-field][data-path=invoice_number]")
    assert "is-active" in field.get_attribute("class")
    assert "is-active" not in box.get_attribute("class")
    web.shot("02-box-to-field")

    page.click("[data-testid=result-field][data-path=po]")
    assert (
        page.locator("[data-citation-note]").inner_text()
        == "This value was not found in the document."
    )
    assert meta["page_count"] == 1


def test_templates_import_export_and_suggestion(web, owner, owner_project, corpus, tmp_path):
    page = web.page
    web.login("owner")
    web.goto(reverse("extraction_new"))
    page.select_option("[data-testid=starter-template]", "invoice")
    names = page.locator("[data-testid=field-row] > .field-main [data-testid=field-name]")
    assert names.first.input_value() == "invoice_number"
    assert "Loaded the Invoice template" in page.locator("[data-schema-message]").inner_text()
    web.shot("01-template")

    with page.expect_download() as download_info:
        page.click("[data-testid=schema-export]")
    exported = json.loads(Path(download_info.value.path()).read_text())
    assert exported["properties"]["line_items"]["items"]["properties"]["amount"]["type"] == "number"
    assert exported["required"] == ["invoice_number", "total"]

    schema_file = tmp_path / "contract.json"
    schema_file.write_text(
        json.dumps({"type": "object", "properties": {"party": {"type": "string"}}})
    )
    page.set_input_files("[data-testid=schema-import]", str(schema_file))
    page.locator("[data-schema-message]").filter(has_text="Imported contract.json").wait_for()
    assert names.count() == 1
    assert names.first.input_value() == "party"

    pdf = corpus["invoice_classic_uk"].path
    page.set_input_files("[data-testid=upload-input]", str(pdf))
    page.click("[data-testid=suggest-schema]")
    page.locator("[data-schema-message]").filter(has_text="Suggested").wait_for(timeout=30_000)
    assert names.count() >= 3
    assert page.locator("[data-file-ids]").input_value()  # stored once, reused by the run
    web.shot("02-suggested")
    page.click("[data-testid=run]")
    page.wait_for_url("**/jobs/**")
    job = ExtractionJob.objects.get(project=owner_project)
    assert job.file is not None
    assert job.file.name == pdf.name
    assert owner_project.files.count() == 1


def test_a_text_file_result_links_fields_and_text_spans(web, owner, owner_project):
    """A TXT upload has no page image: its text is shown with the cited spans marked."""
    from extraction.tasks import extract_job

    page = web.page
    content = "Northwind Traders\nInvoice number: INV-5150\nTotal due: 1,240.00 EUR\n" * 3
    source = store_file(owner_project, content.encode(), "invoice.txt")
    agent = services.agent_get_or_create_default(project=owner_project)
    # Made directly and run in this process: the queue is not what this test is about.
    job = ExtractionJob.objects.create(
        project=owner_project,
        agent=agent,
        file=source,
        file_name=source.name,
        data_schema={
            "type": "object",
            "properties": {"invoice_number": {"type": "string"}, "total": {"type": "number"}},
        },
        config={"cite_sources": True, "confidence_scores": True},
    )
    current_run(job)
    extract_job.apply(args=[str(job.pk)])
    web.login("owner")
    web.goto(reverse("job_detail", args=[job.id]))
    assert page.locator("[data-testid=page-image]").count() == 0
    assert "Northwind Traders" in page.locator("[data-testid=source-text]").inner_text()

    page.click("[data-testid=result-field][data-path=invoice_number]")
    mark = page.locator("mark[data-testid=citation-box][data-path=invoice_number]").first
    assert mark.inner_text() == "INV-5150"
    assert "is-active" in (mark.get_attribute("class") or "")
    assert mark.is_visible()
    web.shot("01-field-to-text")

    page.click("mark[data-testid=citation-box][data-path=total]")
    field = page.locator("[data-testid=result-field][data-path=total]")
    assert "is-active" in (field.get_attribute("class") or "")
    web.shot("02-text-to-field")
