"""`make down` (`dev.py --stop`) stops a running `make dev` the way Ctrl-C does: its services
stop and it exits 0, so make reports no error."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e

DEV = Path(__file__).resolve().parents[1] / "deploy" / "local" / "dev.py"
# Beside a developer's own `make dev` (gateway 8000): this one's gateway is on 23000, still
# below the ports Linux hands out to outgoing connections.
PORT_OFFSET = 15000
GATEWAY = f"http://127.0.0.1:{8000 + PORT_OFFSET}"


def test_dev_stop_ends_a_running_make_dev_with_exit_0_and_no_service_left(endpoints, tmp_path):
    env = endpoints.env(
        FRONTDESK_LOCAL_DIR=str(tmp_path),
        FRONTDESK_KAFKA_NAMESPACE=f"{endpoints.namespace}dev.",  # dropped with the session's
    )
    database_prefix = f"{endpoints.namespace.rstrip('.')}_dev"
    launcher = subprocess.Popen(
        [sys.executable, DEV, "--port-offset", str(PORT_OFFSET), "--database-prefix", database_prefix],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_running(launcher, tmp_path)
        stop = subprocess.run(
            [sys.executable, DEV, "--stop"], env=env, capture_output=True, text=True, timeout=120
        )
        assert stop.returncode == 0, stop.stderr
        out, err = launcher.communicate(timeout=30)
        assert launcher.returncode == 0, err
        assert "a service exited" not in err
        assert "Frontdesk stopped." in out
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{GATEWAY}/health", timeout=2)
    finally:
        if launcher.poll() is None:
            subprocess.run([sys.executable, DEV, "--stop"], env=env, timeout=120)
            launcher.kill()
            launcher.wait()


def _wait_running(launcher: subprocess.Popen[str], local: Path, wait: float = 300) -> None:
    """Until all five services are up and the gateway answers, as `make dev` then says."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        assert launcher.poll() is None, f"make dev exited early:\n{launcher.communicate()[1]}"
        if (local / "dev.pids").exists():
            assert httpx.get(f"{GATEWAY}/health", timeout=5).status_code == 200
            return
        time.sleep(0.5)
    raise AssertionError(f"make dev did not start within {wait}s")
