"""``make run``'s supervisor: restarts what dies, gives up on a crash loop, stops in order."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

from config import supervisor
from config.supervisor import Program, Supervisor


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(supervisor, "BACKOFF_START_SECONDS", 0.05)
    monkeypatch.setattr(supervisor, "BACKOFF_MAX_SECONDS", 0.2)


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def watch_in_thread(boss: Supervisor) -> tuple[threading.Thread, list[int]]:
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(boss.watch()))
    thread.start()
    return thread, result


def test_a_program_that_dies_is_started_again_with_the_reason_logged(tmp_path, capsys):
    starts = tmp_path / "starts"
    code = (
        f"open({str(starts)!r}, 'a').write('x'); import time; time.sleep(0.2); raise SystemExit(3)"
    )
    program = Program("worker", python(code), stop_order=1)
    boss = Supervisor([program])
    assert boss.start_all()
    thread, result = watch_in_thread(boss)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (not starts.exists() or len(starts.read_text()) < 3):
        time.sleep(0.05)
    boss.stopping = True
    thread.join()
    boss.stop_all()
    assert len(starts.read_text()) >= 3
    assert result == [0]
    log = capsys.readouterr().err
    assert "worker exited with status 3 after" in log
    assert "starting worker again" in log


def test_a_program_killed_by_a_signal_is_named_so():
    assert supervisor.describe_exit(-9) == "was killed by SIGKILL"
    assert supervisor.describe_exit(2) == "exited with status 2"


def test_a_crash_loop_stops_the_run_with_status_1(capsys):
    program = Program("web", python("raise SystemExit(1)"), stop_order=1)
    steady = Program("beat", python("import time; time.sleep(60)"), stop_order=1)
    boss = Supervisor([program, steady])
    assert boss.start_all()
    assert boss.watch() == 1
    boss.stop_all()
    assert steady.process is not None
    assert steady.process.returncode is not None
    log = capsys.readouterr().err
    assert f"web exited with status 1 {supervisor.CRASH_LOOP_LIMIT} times" in log
    assert "giving up" in log


def test_stop_ends_every_program_in_its_order(tmp_path):
    order = tmp_path / "order"
    code = (
        "import signal, sys, time\n"
        "def stop(*_):\n"
        f"    open({str(order)!r}, 'a').write(sys.argv[1] + '\\n'); sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    programs = [
        Program("queue", [*python(code), "queue"], stop_order=3),
        Program("worker", [*python(code), "worker"], stop_order=2),
        Program("web", [*python(code), "web"], stop_order=1),
    ]
    boss = Supervisor(programs)
    assert boss.start_all()
    time.sleep(1)  # let each install its handler
    boss.stop_all()
    assert order.read_text().split() == ["web", "worker", "queue"]
    assert all(program.process.poll() == 0 for program in programs)


def test_a_program_that_never_becomes_ready_fails_the_start(monkeypatch):
    program = Program("queue", python("raise SystemExit(0)"), stop_order=1, ready=lambda: False)
    boss = Supervisor([program])
    assert not boss.start_all()
    boss.stop_all()


def test_make_run_supervises_the_embedded_queue_only_without_redis_url(tmp_path):
    python_path = str(Path(sys.executable))
    embedded = supervisor.programs_for(
        port=8123, data_dir=tmp_path, python=python_path, redis_url=""
    )
    external = supervisor.programs_for(
        port=8123, data_dir=tmp_path, python=python_path, redis_url="redis://db.internal:6379/0"
    )
    assert [p.name for p in embedded] == ["queue", "worker", "webhooks", "beat", "web"]
    assert [p.name for p in external] == ["worker", "webhooks", "beat", "web"]
    queue = embedded[0]
    assert "--unixsocket" in queue.command
    assert "--appendonly" in queue.command
    assert (tmp_path / "queue").stat().st_mode & 0o777 == 0o700
