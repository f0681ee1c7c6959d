"""One virtualenv per official SDK, created once and cached under ``.sdk-venvs/``.

The three LlamaCloud clients install under the same import name (``llama_cloud``), so no one
interpreter can hold two of them; each test runs its SDK script in a subprocess of its venv.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENVS = ROOT / ".sdk-venvs"
SCRIPTS = Path(__file__).resolve().parent / "sdk_scripts"
SDKS = {
    "llama-cloud-1.6.0": ["llama-cloud==1.6.0"],
    "llama-cloud-services-0.6.94": ["llama-cloud-services==0.6.94"],
}


def sdk_python(name: str) -> Path:
    """The interpreter of the SDK's venv, creating and installing it on first use.

    Skips the test when the venv cannot be built (no package registry reachable).
    """
    venv = VENVS / name
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    VENVS.mkdir(exist_ok=True)
    with (VENVS / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # xdist workers may ask for the same venv at once
        if marker.exists() and marker.read_text() == json.dumps(SDKS[name]):
            return python
        shutil.rmtree(venv, ignore_errors=True)
        base = shutil.which("python3.11") or sys.executable
        steps = [
            [base, "-m", "venv", str(venv)],
            [str(python), "-m", "pip", "install", "-q", *SDKS[name]],
        ]
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, timeout=900)
            if done.returncode != 0:
                pytest.skip(f"could not build the {name} venv: {done.stderr[-2000:]}")
        marker.write_text(json.dumps(SDKS[name]))
    return python


def run_sdk_script(
    name: str, script: str, *, base_url: str, api_key: str, work_dir: Path, timeout: float = 300
) -> dict:
    """Run ``sdk_scripts/<script>`` in the SDK's venv; return the JSON it prints last."""
    python = sdk_python(name)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(work_dir),
        "LLAMA_CLOUD_BASE_URL": base_url,
        "LLAMA_CLOUD_API_KEY": api_key,
        "SDK_WORK_DIR": str(work_dir),
        "NO_PROXY": "*",
    }
    done = subprocess.run(
        [str(python), str(SCRIPTS / script)],
        capture_output=True,
        text=True,
        env=env,
        cwd=work_dir,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise AssertionError(f"{script} failed:\n{done.stdout[-4000:]}\n{done.stderr[-8000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
