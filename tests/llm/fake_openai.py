"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1 for tests and benchmarks.

The real ``openai`` client talks to it over HTTP. A responder function receives each request's
JSON body and returns a ``Scripted`` reply (status, body, headers, delay), so tests can play
429s with Retry-After, 500s, slow answers, invalid JSON and truncated output.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Scripted:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Responder = Callable[[dict[str, Any]], Scripted]


def completion(
    content: str | dict[str, Any],
    *,
    finish_reason: str = "stop",
    prompt_tokens: int | None = None,
    completion_tokens: int = 10,
    delay: float = 0.0,
    request: dict[str, Any] | None = None,
) -> Scripted:
    """A 200 chat completion whose message content is ``content`` (dicts are JSON-encoded).

    ``prompt_tokens`` defaults to a rough count of the request's message text.
    """
    text = content if isinstance(content, str) else json.dumps(content)
    if prompt_tokens is None:
        prompt_tokens = count_tokens(request) if request else 100
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": (request or {}).get("model", "scripted"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
    return Scripted(body=body, delay=delay)


def error(status: int, message: str = "scripted error", **headers: str) -> Scripted:
    return Scripted(
        status=status,
        body={"error": {"message": message, "type": "test", "code": status}},
        headers={key.replace("_", "-"): value for key, value in headers.items()},
    )


_WORD = re.compile(r"\w+|[^\w\s]")


def count_tokens(request: dict[str, Any] | None) -> int:
    """Words and punctuation of every message: a stand-in for a tokenizer."""
    return len(_WORD.findall(message_text(request or {})))


def message_text(request: dict[str, Any]) -> str:
    parts = []
    for message in request.get("messages", []):
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts += [part.get("text", "") for part in content if part.get("type") == "text"]
    return "\n".join(parts)


def document_pages(request: dict[str, Any]) -> dict[int, str]:
    """The page texts a request carries, by page number (context pages excluded)."""
    user = next(m for m in request["messages"] if m["role"] == "user")
    content = user["content"]
    if isinstance(content, list):
        content = content[0]["text"]
    block = content.split("<document>\n", 1)[1].rsplit("\n</document>", 1)[0]
    pages: dict[int, str] = {}
    for chunk in re.split(r"^=== Page ", block, flags=re.MULTILINE)[1:]:
        header, _, text = chunk.partition("\n")
        if "context only" not in header:
            pages[int(header.split()[0])] = text.removesuffix("\n")
    return pages


class FakeOpenAI:
    """Start with ``with FakeOpenAI(responder) as server:``; ``server.base_url`` ends in /v1."""

    def __init__(self, responder: Responder | Iterable[Scripted]):
        if not callable(responder):
            queue = list(responder)
            last = queue[-1]

            def responder(_request: dict[str, Any]) -> Scripted:  # noqa: F811
                return queue.pop(0) if queue else last

        self.responder = responder
        self.requests: list[dict[str, Any]] = []
        self.request_times: list[float] = []
        self.handle_seconds: list[float] = []  # time spent answering, per request
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in two writes; without this, Nagle's algorithm and
                # delayed ACKs add ~40 ms to every answer.
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    server.requests.append(request)
                    server.request_times.append(time.monotonic())
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                started = time.perf_counter()
                try:
                    reply = server.responder(request)
                    if reply.delay:
                        time.sleep(reply.delay)
                finally:
                    with server._lock:
                        server.in_flight -= 1
                payload = (
                    reply.body if isinstance(reply.body, (str, bytes)) else json.dumps(reply.body)
                )
                data = payload.encode() if isinstance(payload, str) else payload
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)
                with server._lock:
                    server.handle_seconds.append(time.perf_counter() - started)

        return Handler
