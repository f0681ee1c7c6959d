"""Issue 16's hostile-input battery, run against a live server (``make run`` or gunicorn).

Run it with the server's own environment (it creates its personas through the ORM):

    OPENEXTRACT_DATA_DIR=… DATABASE_URL=… REDIS_URL=… \\
        .venv/bin/python bench/security_battery.py --url http://127.0.0.1:8121

Prints one row per check (what was sent, what came back, how long it took) and exits 1 if any
check fails. Needs the extraction worker and the webhooks worker running.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import json
import os
import socket
import stat
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402

from accounts.models import Membership  # noqa: E402
from accounts.services import (  # noqa: E402
    api_key_create,
    membership_remove,
    membership_set,
    user_create,
)

ROWS: list[tuple[str, bool, str, float]] = []
SCHEMA = {"type": "object", "properties": {"total": {"type": "number"}}}
AGENTS = "/api/v1/extraction/extraction-agents"


def check(name: str, ok: bool, detail: str, seconds: float) -> None:
    ROWS.append((name, ok, detail, seconds))
    print(f"{'PASS' if ok else 'FAIL'}  {seconds:7.2f} s  {name}: {detail}", flush=True)


class Api:
    def __init__(self, base: str, key: str | None = None):
        self.base, self.key = base, key

    def call(
        self,
        method: str,
        path: str,
        body: object = None,
        *,
        raw: bytes | None = None,
        headers: dict | None = None,
    ) -> tuple[int, dict, bytes, float]:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if body is not None and raw is None:
            request.add_header("Content-Type", "application/json")
        if self.key:
            request.add_header("Authorization", f"Bearer {self.key}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status, answer_headers, content = (
                    response.status,
                    dict(response.headers),
                    response.read(),
                )
        except urllib.error.HTTPError as error:
            status, answer_headers, content = error.code, dict(error.headers), error.read()
        return status, answer_headers, content, time.monotonic() - started


def is_json(headers: dict) -> bool:
    return headers.get("Content-Type", "").startswith("application/json")


def persona_setup() -> dict:
    tag = uuid.uuid4().hex[:6]
    owner = user_create(username=f"owner-{tag}", password=f"Owner-pass-{tag}!")
    member = user_create(username=f"member-{tag}", password=f"Member-pass-{tag}!")
    outsider = user_create(username=f"outsider-{tag}", password=f"Outsider-pass-{tag}!")
    project = owner.memberships.get().organization.projects.get()
    membership = membership_set(
        organization=project.organization, user=member, role=Membership.Role.MEMBER
    )
    _, owner_key = api_key_create(user=owner, project=project)
    _, member_key = api_key_create(user=member, project=project)
    outsider_project = outsider.memberships.get().organization.projects.get()
    _, outsider_key = api_key_create(user=outsider, project=outsider_project)
    return {
        "tag": tag,
        "owner": owner,
        "project": project,
        "membership": membership,
        "owner_key": owner_key,
        "member_key": member_key,
        "outsider_key": outsider_key,
    }


def reset_throttles(host: str) -> None:
    """Forget earlier runs' failures from this machine (the login and API-key throttles would
    otherwise answer 429 to every check)."""
    from axes.utils import reset
    from django.core.cache import cache

    for address in {"127.0.0.1", socket.gethostbyname(host)}:
        reset(ip=address)
        cache.delete(f"api-key-failures:{address}")


def ref_fan_out(levels: int) -> dict:
    defs = {"l0": {"type": "string"}}
    for level in range(1, levels + 1):
        below = {"$ref": f"#/$defs/l{level - 1}"}
        defs[f"l{level}"] = {"type": "object", "properties": {"a": below, "b": dict(below)}}
    return {"type": "object", "$defs": defs, "properties": {"r": {"$ref": f"#/$defs/l{levels}"}}}


def wait_job(api: Api, job_id: str, timeout: float = 120) -> tuple[str, float]:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        status, _, content, _ = api.call("GET", f"/api/v1/extraction/jobs/{job_id}")
        state = json.loads(content).get("status")
        if state not in ("PENDING", "RUNNING"):
            return state, time.monotonic() - started
        time.sleep(0.2)
    return "TIMEOUT", timeout


def multipart(name: str, filename: str, content: bytes, mime: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {mime}\r\n\r\n'
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--files", help="folder with slow.pdf and frames.tiff (hostile previews)")
    args = parser.parse_args()
    base = args.url.rstrip("/")
    reset_throttles(urllib.parse.urlsplit(base).hostname)
    people = persona_setup()
    owner = Api(base, people["owner_key"])
    run = "/api/v1/extraction/run"

    # Finding 1: a removed member's key.
    member = Api(base, people["member_key"])
    before = member.call("GET", AGENTS)[0]
    membership_remove(membership=people["membership"], actor=people["owner"])
    status, headers, content, seconds = member.call("GET", AGENTS)
    check(
        "removed member's key",
        before == 200 and status in (401, 403) and is_json(headers),
        f"before removal {before}, after {status} {content[:60]!r}",
        seconds,
    )
    status, _, _, seconds = Api(base, people["outsider_key"]).call(
        "GET", f"{AGENTS}?project_id={people['project'].id}"
    )
    check("outsider with project_id", status == 404, f"HTTP {status}", seconds)

    # Finding 2: $ref fan-out, 22 levels.
    body = {"text": "Total: 1", "data_schema": ref_fan_out(22), "config": {}}
    status, _, content, seconds = owner.call("POST", run, body)
    check(
        "22-level $ref schema",
        status == 422 and seconds < 2,
        f"HTTP {status} in {seconds:.3f} s: {json.loads(content)['detail'][:70]}",
        seconds,
    )
    body["data_schema"] = ref_fan_out(18)
    status, _, content, seconds = owner.call("POST", run, body)
    check(
        "18-level $ref schema",
        status == 422 and seconds < 2,
        f"HTTP {status} in {seconds:.3f} s: {json.loads(content)['detail'][:70]}",
        seconds,
    )

    # Finding 5: ReDoS pattern, then a normal job.
    evil = {
        "type": "object",
        "properties": {
            "reference": {"type": "string", "pattern": "^(a+)+$"},
            "total": {"type": "number"},
        },
    }
    text = "Reference: " + "a" * 33 + "!\nTotal: 12.00"
    started = time.monotonic()
    first = json.loads(
        owner.call("POST", run, {"text": text, "data_schema": evil, "config": {}})[2]
    )["id"]
    second = json.loads(
        owner.call("POST", run, {"text": "Total: 3.00", "data_schema": SCHEMA, "config": {}})[2]
    )["id"]
    state1, _ = wait_job(owner, first)
    state2, _ = wait_job(owner, second)
    elapsed = time.monotonic() - started
    check(
        "ReDoS pattern job, then another",
        state1 == "SUCCESS" and state2 == "SUCCESS",
        f"pattern job {state1}, next job {state2}, both done after {elapsed:.2f} s",
        elapsed,
    )

    # Low findings: the hostile-input battery.
    nested = "[" * 100_000 + "]" * 100_000
    status, headers, content, seconds = owner.call(
        "POST", run, {"text": "x", "data_schema": nested, "config": {}}
    )
    check(
        "data_schema string nested 100k deep",
        400 <= status < 500 and is_json(headers),
        f"HTTP {status} {json.loads(content)['detail'][:60]}",
        seconds,
    )
    raw, ctype = multipart("upload_file", "deep.json", nested.encode(), "application/json")
    status, headers, content, seconds = owner.call(
        "POST", "/api/v1/files", raw=raw, headers={"Content-Type": ctype}
    )
    check(
        "uploaded .json nested 100k deep",
        status < 500 and is_json(headers),
        f"HTTP {status}",
        seconds,
    )
    status, headers, content, seconds = owner.call(
        "POST",
        run,
        raw=json.dumps({"text": "x", "data_schema": SCHEMA, "config": {}}).encode(),
        headers={"Content-Type": "application/json; charset=bz2_codec"},
    )
    check(
        "charset=bz2_codec",
        status == 415 and is_json(headers),
        f"HTTP {status} {content[:70]!r}",
        seconds,
    )
    host, port = urllib.parse.urlsplit(base).hostname, urllib.parse.urlsplit(base).port
    connection = http.client.HTTPConnection(host, port, timeout=30)
    raw, ctype = multipart("upload_file", "a.txt", b"Total: 5", "text/plain")
    started = time.monotonic()
    connection.request(
        "POST",
        "/api/v1/files",
        body=iter([raw]),
        encode_chunked=True,
        headers={
            "Content-Type": ctype,
            "Transfer-Encoding": "chunked",
            "Authorization": f"Bearer {people['owner_key']}",
        },
    )
    response = connection.getresponse()
    content = response.read()
    check(
        "chunked upload without Content-Length",
        response.status == 411,
        f"HTTP {response.status} {content[:80]!r}",
        time.monotonic() - started,
    )
    for method in ("POST", "GET", "DELETE"):
        status, headers, content, seconds = Api(base).call(method, "/api/v1/no/such/thing", {})
        check(
            f"{method} unknown /api/ path",
            status == 404 and is_json(headers),
            f"HTTP {status} {content[:50]!r}",
            seconds,
        )
    for field, value in (
        ("system_prompt", "x" * 2_000_000),
        ("num_pages_context", 10**9),
        ("page_range", "1-99999999999999999999"),
    ):
        status, _, content, seconds = owner.call(
            "POST", run, {"text": "Total: 1", "data_schema": SCHEMA, "config": {field: value}}
        )
        detail = json.loads(content)["detail"]
        check(
            f"config {field} past its bound",
            status == 422 and field in detail,
            f"HTTP {status} {detail[:70]}",
            seconds,
        )
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        print("SKIP  6to4 webhook address: this server allows private webhook addresses")
    else:
        hook = [{"webhook_url": "http://[2002:7f00:1::1]:8080/hook"}]
        status, _, content, seconds = owner.call(
            "POST",
            run,
            {
                "text": "Total: 1",
                "data_schema": SCHEMA,
                "config": {},
                "webhook_configurations": hook,
            },
        )
        check("6to4 webhook address", status == 400, f"HTTP {status} {content[:90]!r}", seconds)
    many = [{"webhook_url": "https://example.com/h"}] * 11
    status, _, content, seconds = owner.call(
        "POST",
        run,
        {"text": "Total: 1", "data_schema": SCHEMA, "config": {}, "webhook_configurations": many},
    )
    check("11 webhook configurations", status == 422, f"HTTP {status}", seconds)

    # A browser session (cookies, CSRF token) for the page checks and the login throttle.
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def login(password: str, username: str = people["owner"].username) -> int:
        opener.open(base + "/accounts/login/").read()
        token = next(c.value for c in jar if c.name == "csrftoken")
        form = urllib.parse.urlencode(
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": token,
            }
        ).encode()
        request = urllib.request.Request(base + "/accounts/login/", data=form, method="POST")
        request.add_header("Referer", base + "/accounts/login/")
        try:
            with opener.open(request) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    # CSV formula escaping through the page download.
    text = 'Name: =HYPERLINK("http://evil.test","x")\nTotal: 1'
    schema = {"type": "object", "properties": {"name": {"type": "string"}}}
    job = json.loads(
        owner.call("POST", run, {"text": text, "data_schema": schema, "config": {}})[2]
    )["id"]
    wait_job(owner, job)
    opener.addheaders = []
    jar.clear()
    session_user = user_create(username=f"csv-{people['tag']}", password="Csv-pass-1234!")
    membership_set(organization=people["project"].organization, user=session_user, role="member")
    login("Csv-pass-1234!", session_user.username)
    csv = opener.open(f"{base}/jobs/{job}/result.csv").read().decode()
    check("CSV formula cell", "'=HYPERLINK" in csv, csv.splitlines()[1][:60], 0.0)

    # Finding 15 (roles): a member is refused the organization page.
    try:
        opener.open(f"{base}/accounts/organization/")
        status = 200
    except urllib.error.HTTPError as error:
        status = error.code
    check("member opens the Organization page", status == 403, f"HTTP {status}", 0.0)

    def upload(path: Path) -> str:
        raw, ctype = multipart(
            "upload_file", path.name, path.read_bytes(), "application/octet-stream"
        )
        answer = owner.call("POST", "/api/v1/files", raw=raw, headers={"Content-Type": ctype})
        return json.loads(answer[2])["id"]

    def page(file_id: str, number: int) -> tuple[int, float]:
        started = time.monotonic()
        try:
            with opener.open(f"{base}/files/{file_id}/pages/{number}.png") as response:
                response.read()
                return response.status, time.monotonic() - started
        except urllib.error.HTTPError as error:
            return error.code, time.monotonic() - started

    # Finding 3: hostile files previewed by the web server.
    if args.files:
        files = Path(args.files)
        slow = upload(files / "slow.pdf")
        health: list[float] = []
        stop = threading.Event()

        def probe() -> None:
            while not stop.is_set():
                began = time.monotonic()
                urllib.request.urlopen(base + "/healthz", timeout=30).read()
                health.append(time.monotonic() - began)
                time.sleep(0.5)

        prober = threading.Thread(target=probe)
        prober.start()
        status, seconds = page(slow, 1)
        stop.set()
        prober.join()
        again, again_seconds = page(slow, 1)
        check(
            "slow 3 KB PDF page image",
            status == 404 and again == 404 and again_seconds < 1,
            f"HTTP {status} after {seconds:.1f} s (child stopped); again: {again} in "
            f"{again_seconds:.3f} s; /healthz meanwhile max {max(health):.3f} s",
            seconds,
        )
        frames = upload(files / "frames.tiff")
        first, first_seconds = page(frames, 1)
        second, second_seconds = page(frames, 2)
        check(
            "TIFF whose 2nd frame is 108 M pixels",
            first == 200 and second == 404,
            f"frame 1: {first} in {first_seconds:.2f} s; "
            f"frame 2: {second} in {second_seconds:.2f} s",
            second_seconds,
        )

    # Finding 9: a file's page images go with it.
    pdf = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]"
        b"/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    raw, ctype = multipart("upload_file", "blank.pdf", pdf, "application/pdf")
    file_id = json.loads(
        owner.call("POST", "/api/v1/files", raw=raw, headers={"Content-Type": ctype})[2]
    )["id"]
    rendered = page(file_id, 1)[0]
    renders = Path(settings.DATA_DIR) / "renders" / file_id
    existed = renders.exists()
    status = owner.call("DELETE", f"/api/v1/files/{file_id}")[0]
    check(
        "API file delete removes page images",
        rendered == 200 and existed and status == 200 and not renders.exists(),
        f"page image {rendered}, renders dir before {existed}, delete {status}, "
        f"after {renders.exists()}",
        0.0,
    )

    # Finding 4: a receiver that drips its answer holds neither jobs nor other deliveries
    # (needs OPENEXTRACT_WEBHOOK_ALLOW_PRIVATE=true on the server: the receiver is local).
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        print("SKIP  slow-drip webhook receiver: the server refuses local webhook addresses")
    else:
        drip = socket.socket()
        drip.bind(("127.0.0.1", 0))
        drip.listen(4)

        def drip_serve() -> None:
            connection, _ = drip.accept()
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
            for _ in range(100):
                try:
                    connection.sendall(b"x")
                except OSError:
                    return
                time.sleep(0.5)

        threading.Thread(target=drip_serve, daemon=True).start()
        hook = [
            {
                "webhook_url": f"http://127.0.0.1:{drip.getsockname()[1]}/hook",
                "webhook_events": ["extract.success"],
            }
        ]
        started = time.monotonic()
        job = json.loads(
            owner.call(
                "POST",
                run,
                {
                    "text": "Total: 4.00",
                    "data_schema": SCHEMA,
                    "config": {},
                    "webhook_configurations": hook,
                },
            )[2]
        )["id"]
        other = json.loads(
            owner.call("POST", run, {"text": "Total: 5.00", "data_schema": SCHEMA, "config": {}})[2]
        )["id"]
        states = (wait_job(owner, job)[0], wait_job(owner, other)[0])
        jobs_done = time.monotonic() - started
        from extraction.models import WebhookDelivery

        delivery = None
        while time.monotonic() - started < 60 and delivery is None:
            delivery = WebhookDelivery.objects.filter(job_id=job, error__contains="within").first()
            time.sleep(0.5)
        check(
            "slow-drip webhook receiver",
            states == ("SUCCESS", "SUCCESS") and delivery is not None,
            f"both jobs {states[0]} after {jobs_done:.2f} s; delivery attempt "
            f"{delivery.attempt if delivery else '?'} ended: "
            f"{delivery.error if delivery else 'never'} "
            f"({time.monotonic() - started:.1f} s after submission)",
            jobs_done,
        )

    # Data directory modes.
    data = Path(settings.DATA_DIR)
    loose = [p for p in [data, *data.rglob("*")] if stat.S_IMODE(p.stat().st_mode) & 0o077]
    check(
        "data directory private",
        not loose,
        f"{oct(stat.S_IMODE(data.stat().st_mode))}; files readable by others: {len(loose)}"
        + (f" e.g. {loose[0]}" if loose else ""),
        0.0,
    )

    # Headers.
    status, headers, _, _ = Api(base).call("GET", "/accounts/login/")
    check(
        "Content-Security-Policy",
        "script-src 'self'" in headers.get("Content-Security-Policy", ""),
        headers.get("Content-Security-Policy", "")[:60],
        0.0,
    )

    # Finding 7, last: it locks this address out of logins and API keys for a while.
    started = time.monotonic()
    statuses = [login(f"wrong-{n}") for n in range(25)]
    right = login(f"Owner-pass-{people['tag']}!")
    first_429 = statuses.index(429) + 1 if 429 in statuses else None
    check(
        "25 wrong passwords",
        first_429 is not None and right == 429,
        f"throttled from attempt {first_429}; the right password then: HTTP {right}",
        time.monotonic() - started,
    )
    wrong = Api(base, "oe_deadbeef_wrong-key")
    codes = [wrong.call("GET", AGENTS)[0] for _ in range(settings.API_KEY_FAILURE_LIMIT + 1)]
    check(
        "wrong API keys from one address",
        codes[-1] == 429,
        f"{codes.count(401)} x 401 then {codes[-1]}",
        0.0,
    )

    failed = [row for row in ROWS if not row[1]]
    print(f"\n{len(ROWS) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
