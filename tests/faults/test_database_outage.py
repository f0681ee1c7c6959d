"""While PostgreSQL is unreachable /healthz answers 503; it recovers by itself afterwards.

The outage is made with a TCP proxy in front of the shared PostgreSQL server (never restarted
here): cutting the proxy drops every connection and refuses new ones, as a restart would.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from tests.conftest import ROOT, database_url_for_subprocess, wait_for
from tests.faults.conftest import free_port

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


class CuttableProxy:
    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = free_port()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        if self.listener:
            # shutdown() wakes the thread blocked in accept(); close() alone would not.
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def healthz(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())
    except OSError:
        return 0, {}


def test_healthz_is_503_while_the_database_is_down_and_recovers(tmp_path):
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the outage test needs PostgreSQL")
    proxy = CuttableProxy((db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)))
    proxy.start()
    url = database_url_for_subprocess().replace(f":{db.get('PORT') or 5432}/", f":{proxy.port}/")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "OPENEXTRACT_DATA_DIR": str(settings.DATA_DIR),
        "DATABASE_CONN_MAX_AGE": "60",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "2",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "gunicorn.log").open("wb"),
    )
    try:
        wait_for(lambda: healthz(port)[0] == 200, timeout=30)
        proxy.cut()
        status, body = healthz(port)
        assert status == 503
        assert body["database"] == "error"
        assert body["status"] == "error"
        time.sleep(1)
        proxy.start()
        recovered = wait_for(lambda: (r := healthz(port))[0] == 200 and r, timeout=30)
        assert recovered[1] == {"status": "ok", "database": "ok", "broker": "ok"}
    finally:
        server.terminate()
        server.wait(timeout=20)
        proxy.cut()
