"""Outbound webhooks: configuration checks, payloads, signing and SSRF-safe sending.

A job's ``webhook_configurations`` are checked at submission (``webhook_configurations_clean``,
at most ``WEBHOOK_MAX_CONFIGURATIONS`` of them) and each URL is checked again right before every
delivery (``webhook_send``), because DNS can change in between. The connection goes to the exact
address that was checked, so a second DNS answer cannot redirect it to an internal host. Name
resolution has its own timeout, and one attempt as a whole (resolve, connect, send, read the
answer) has a deadline, so a receiver that answers one byte at a time cannot hold a worker.

Every request carries ``X-OpenExtract-Timestamp``, ``X-OpenExtract-Event-Id`` (the idempotency
id; the same on every retry of one event) and ``X-OpenExtract-Signature: sha256=<hex>``, the
HMAC-SHA256 of ``"<timestamp>.<body>"`` keyed with the project's ``webhook_secret``.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import hmac
import http.client
import ipaddress
import json
import os
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

EVENT_PENDING = "extract.pending"
EVENT_SUCCESS = "extract.success"
EVENT_ERROR = "extract.error"
EVENT_PARTIAL_SUCCESS = "extract.partial_success"
EVENT_CANCELLED = "extract.cancelled"
EXTRACT_EVENTS = (
    EVENT_PENDING,
    EVENT_SUCCESS,
    EVENT_ERROR,
    EVENT_PARTIAL_SUCCESS,
    EVENT_CANCELLED,
)
# LlamaCloud accepts subscriptions to its other products' events; they never fire here.
KNOWN_EVENTS = frozenset(
    [
        *EXTRACT_EVENTS,
        *(
            f"{product}.{kind}"
            for product in ("parse", "classify")
            for kind in ("pending", "success", "error", "partial_success", "cancelled")
        ),
        "unmapped_event",
    ]
)
OUTPUT_FORMATS = ("string", "json")
# Delivery attempts: 6 tries spread over ~10 minutes (see ``retry_countdown``).
MAX_ATTEMPTS = 6
SIGNATURE_HEADER = "X-OpenExtract-Signature"
RESERVED_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "content-type",
        "x-openextract-signature",
        "x-openextract-timestamp",
        "x-openextract-event",
        "x-openextract-event-id",
    }
)


class WebhookConfigError(ValueError):
    """A webhook configuration refused at submission; the message is safe to show.

    ``over_limit``: refused for their number, not their content."""

    def __init__(self, message: str, *, over_limit: bool = False) -> None:
        super().__init__(message)
        self.over_limit = over_limit


class TransportError(Exception):
    """A failed delivery; ``permanent`` ones (refused URL, 4xx answer) are not retried."""

    def __init__(
        self, message: str, *, permanent: bool = False, status_code: int | None = None
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.status_code = status_code


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the vetted IP the connection is pinned to


def retry_countdown(attempt: int) -> float:
    """Seconds before retry number ``attempt`` (1-based): 20, 40, 80, 160, 320 (~10 min)."""
    return 20.0 * 2.0 ** (attempt - 1)


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for: mapped (::ffff:a.b.c.d), 6to4
    (2002:AABB:CCDD::), Teredo (its client), NAT64 (64:ff9b::a.b.c.d) or IPv4-compatible."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64 or ip in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if int(ip) >> 32 == 0 and int(ip) > 1:  # ::a.b.c.d (deprecated, still routed by some)
        return ipaddress.IPv4Address(int(ip))
    return None


def _address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            if not _address_is_public(str(embedded)):
                return False
            if ip.ipv4_mapped is not None:
                ip = embedded
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        # Cloud metadata services (169.254.169.254 is link-local; 100.100.100.200 is not).
        or ip in ipaddress.ip_network("100.64.0.0/10")
    )


_resolver: tuple[int, concurrent.futures.ThreadPoolExecutor] | None = None
_resolver_lock = threading.Lock()


def _resolver_pool() -> concurrent.futures.ThreadPoolExecutor:
    """A few threads for getaddrinfo (which has no timeout); one pool per process, since a
    pool inherited through fork has no threads behind it."""
    global _resolver
    with _resolver_lock:
        if _resolver is None or _resolver[0] != os.getpid():
            _resolver = (
                os.getpid(),
                concurrent.futures.ThreadPoolExecutor(8, thread_name_prefix="webhook-dns"),
            )
        return _resolver[1]


def _resolve_addresses(host: str, port: int, timeout: float) -> list[str]:
    """The addresses ``host`` resolves to, in order and without repeats, given at most
    ``timeout`` seconds (``socket.getaddrinfo``); raises ``TransportError``."""
    future = _resolver_pool().submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=max(timeout, 0.001))
    except concurrent.futures.TimeoutError:
        raise TransportError(
            f"webhook_url host {host!r} did not resolve within {timeout:g} s"
        ) from None
    except (socket.gaierror, UnicodeError):
        raise TransportError(
            f"webhook_url host {host!r} does not resolve", permanent=True
        ) from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def resolve_target(url: str, *, timeout: float | None = None) -> Target:
    """Check ``url`` and pick the address to connect to.

    Raises ``TransportError(permanent=True)`` for non-http(s) schemes, unresolvable hosts and
    (unless ``settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES``) private, loopback, link-local or
    metadata addresses (IPv4 ones embedded in IPv6 too) — every resolved address must be
    public, not just the first. A name that takes longer than ``timeout`` (default
    ``WEBHOOK_DNS_TIMEOUT_SECONDS``) to resolve is a transient ``TransportError``.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise TransportError("webhook_url must use http or https", permanent=True)
    if not parts.hostname:
        raise TransportError("webhook_url has no host", permanent=True)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise TransportError("webhook_url has an invalid port", permanent=True) from None
    if timeout is None:
        timeout = settings.WEBHOOK_DNS_TIMEOUT_SECONDS
    addresses = _resolve_addresses(parts.hostname, port, timeout)
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES and not all(
        _address_is_public(address) for address in addresses
    ):
        raise TransportError(
            f"webhook_url host {parts.hostname!r} resolves to a private, loopback, link-local "
            "or metadata address",
            permanent=True,
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


def webhook_configurations_clean(raw: object) -> list[dict[str, Any]]:
    """Validate the API's ``webhook_configurations`` and return them normalised.

    Raises ``WebhookConfigError`` naming the first problem (bad shape, unknown event or output
    format, refused URL).
    """
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise WebhookConfigError("webhook_configurations must be a list")
    limit = settings.WEBHOOK_MAX_CONFIGURATIONS
    if len(raw) > limit:
        raise WebhookConfigError(
            f"webhook_configurations lists {len(raw)} webhooks; at most {limit} per job",
            over_limit=True,
        )
    cleaned = []
    # One resolution budget for the whole list, so slow names cannot add up.
    dns_deadline = time.monotonic() + settings.WEBHOOK_DNS_TIMEOUT_SECONDS
    for index, item in enumerate(raw):
        where = f"webhook_configurations[{index}]"
        if not isinstance(item, dict):
            raise WebhookConfigError(f"{where} must be an object")
        url = item.get("webhook_url")
        if not url:
            continue  # LlamaCloud allows a configuration without a URL; it sends nothing.
        if not isinstance(url, str):
            raise WebhookConfigError(f"{where}.webhook_url must be a string")
        try:
            resolve_target(url, timeout=dns_deadline - time.monotonic())
        except TransportError as exc:
            raise WebhookConfigError(f"{where}: {exc}") from None
        headers = item.get("webhook_headers") or {}
        if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
        ):
            raise WebhookConfigError(f"{where}.webhook_headers must map strings to strings")
        if any(k.lower() in RESERVED_HEADERS or "\n" in k + v for k, v in headers.items()):
            raise WebhookConfigError(f"{where}.webhook_headers may not set reserved headers")
        events = item.get("webhook_events")
        if events is not None:
            if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
                raise WebhookConfigError(f"{where}.webhook_events must be a list of strings")
            unknown = [event for event in events if event not in KNOWN_EVENTS]
            if unknown:
                raise WebhookConfigError(
                    f"{where}.webhook_events: unknown event {unknown[0]!r}; "
                    f"extraction events are {', '.join(EXTRACT_EVENTS)}"
                )
        output_format = item.get("webhook_output_format") or "string"
        if output_format not in OUTPUT_FORMATS:
            raise WebhookConfigError(
                f"{where}.webhook_output_format must be one of {', '.join(OUTPUT_FORMATS)}"
            )
        cleaned.append(
            {
                "webhook_url": url,
                "webhook_headers": headers,
                "webhook_events": events,
                "webhook_output_format": output_format,
            }
        )
    return cleaned


def subscribed(configuration: dict[str, Any], event: str) -> bool:
    """Whether ``configuration`` wants ``event`` (``webhook_events`` null means every event)."""
    events = configuration.get("webhook_events")
    return bool(configuration.get("webhook_url")) and (events is None or event in events)


def build_payload(*, event: str, event_id: str, job: dict[str, Any], output_format: str) -> bytes:
    """The JSON body for one event. With ``string`` output the job data is a JSON string."""
    data: Any = job
    if output_format == "string":
        data = json.dumps(job, separators=(",", ":"), default=str)
    body = {"event_id": event_id, "event_type": event, "data": data}
    return json.dumps(body, separators=(",", ":"), default=str).encode()


def sign(*, secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=timeout, context=tls)
        self._address = target.address
        self._tls = tls

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


def webhook_send(
    *, url: str, body: bytes, headers: dict[str, str], timeout: float | None = None
) -> int:
    """POST ``body`` to ``url`` and return the status code of a 2xx answer.

    ``timeout`` (default ``WEBHOOK_TIMEOUT_SECONDS``) bounds the whole attempt: when it runs
    out the connection is shut down, however the receiver is trickling its answer.

    Raises ``TransportError``: permanent for a refused URL or a 4xx answer other than 408/429,
    transient for connection errors, timeouts, 408, 429 and 5xx.
    """
    budget = timeout or settings.WEBHOOK_TIMEOUT_SECONDS
    deadline = time.monotonic() + budget
    target = resolve_target(url, timeout=min(settings.WEBHOOK_DNS_TIMEOUT_SECONDS, budget))
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, max(deadline - time.monotonic(), 0.001))
    expired = threading.Event()

    def cut_off() -> None:
        expired.set()
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(max(deadline - time.monotonic(), 0.0), cut_off)
    timer.daemon = True
    timer.start()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
        status = response.status
    except (OSError, http.client.HTTPException) as exc:
        if expired.is_set():
            raise TransportError(
                f"delivery failed: no complete answer within {budget:g} s"
            ) from None
        raise TransportError(f"delivery failed: {exc.__class__.__name__}: {exc}") from None
    finally:
        timer.cancel()
        connection.close()
    if expired.is_set():
        raise TransportError(f"delivery failed: no complete answer within {budget:g} s")
    if 200 <= status < 300:
        return status
    transient = status in (408, 429) or status >= 500
    raise TransportError(
        f"the receiver answered HTTP {status}", permanent=not transient, status_code=status
    )
