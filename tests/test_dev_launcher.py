"""`make dev` serves the staff console at the URL it prints, for the browser the gateway
lets in; `make down` (`dev.py --stop`) stops it the way Ctrl-C does: its services stop and
it exits 0, so make reports no error."""

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
CONSOLE = f"http://127.0.0.1:{8080 + PORT_OFFSET}"


def test_make_dev_serves_the_console_and_dev_stop_ends_it_with_exit_0_and_no_service_left(
    endpoints, tmp_path
):
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
        _console_works()
        stop = subprocess.run(
            [sys.executable, DEV, "--stop"], env=env, capture_output=True, text=True, timeout=120
        )
        assert stop.returncode == 0, stop.stderr
        out, err = launcher.communicate(timeout=30)
        assert launcher.returncode == 0, err
        assert "a service exited" not in err
        assert "Frontdesk stopped." in out
        assert f"Console       {CONSOLE}" in out
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{GATEWAY}/health", timeout=2)
    finally:
        if launcher.poll() is None:
            subprocess.run([sys.executable, DEV, "--stop"], env=env, timeout=120)
            launcher.kill()
            launcher.wait()


def _console_works(wait: float = 120) -> None:
    """The console's page is served, knows the gateway, and the gateway answers its origin."""
    deadline = time.monotonic() + wait  # the first start builds it (npm ci, vite build)
    while True:
        try:
            page = httpx.get(CONSOLE, timeout=5)
            break
        except httpx.ConnectError:
            assert time.monotonic() < deadline, "the console was not served"
            time.sleep(0.5)
    assert page.status_code == 200 and '<div id="app">' in page.text
    assert httpx.get(f"{CONSOLE}/config.json", timeout=5).json() == {"gateway": GATEWAY}
    preflight = httpx.options(
        f"{GATEWAY}/v1/auth/token",
        headers={"origin": CONSOLE, "access-control-request-method": "POST"},
        timeout=5,
    )
    assert preflight.headers.get("access-control-allow-origin") == CONSOLE


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
