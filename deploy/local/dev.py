"""`make dev`: runs all five services against the local stack until Ctrl-C.

`python deploy/local/dev.py --stop` (`make down`) asks a running `make dev` to stop: it stops
its services and exits 0, as on Ctrl-C. `--port-offset` and `--database-prefix`, with a
FRONTDESK_LOCAL_DIR and FRONTDESK_KAFKA_NAMESPACE of its own, run a second system beside the
first (tests/test_dev_launcher.py does).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from frontdesk_local.system import System

ROOT = Path(__file__).resolve().parents[2]
LOCAL = Path(os.environ.get("FRONTDESK_LOCAL_DIR", ROOT / ".local"))
LAUNCHER = LOCAL / "dev.pid"  # the running `make dev`; gone once its services are down
PIDS = LOCAL / "dev.pids"  # its services, in case the launcher itself was killed outright
# The launcher stops five services one after another, each within 15 s.
STOP_WAIT_SECONDS = 90.0


def stop_previous() -> None:
    _stop_launcher()
    _stop_orphans()


def _stop_launcher() -> None:
    pid = _launcher_pid()
    if pid is None:
        LAUNCHER.unlink(missing_ok=True)
        return
    # Signalling the services instead would leave the launcher to find them gone and fail.
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    while LAUNCHER.exists() and _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    LAUNCHER.unlink(missing_ok=True)


def _launcher_pid() -> int | None:
    """The pid in the launcher's file while that process is still a dev launcher (pids are reused)."""
    try:
        pid = int(LAUNCHER.read_text())
    except (OSError, ValueError):
        return None
    if not _alive(pid):
        return None
    try:
        return pid if b"dev.py" in Path(f"/proc/{pid}/cmdline").read_bytes() else None
    except OSError:  # no /proc (macOS): trust the file
        return pid


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_orphans() -> None:
    if not PIDS.exists():
        return
    for pid in PIDS.read_text().split():
        try:
            os.kill(int(pid), signal.SIGTERM)
        except (ProcessLookupError, ValueError):
            pass
    PIDS.unlink()


def _stop_requested(signum: int, frame: FrameType | None) -> None:
    # A second request must not cut the stopping of the services short.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise SystemExit(0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stop", action="store_true", help="stop a running `make dev` and its services")
    parser.add_argument("--port-offset", type=int, default=0, help="added to every port (gateway 8000)")
    parser.add_argument("--database-prefix", default="frontdesk", help="databases <prefix>_<service>")
    args = parser.parse_args()
    stop_previous()
    if args.stop:
        return
    LOCAL.mkdir(parents=True, exist_ok=True)
    LAUNCHER.write_text(str(os.getpid()))
    signal.signal(signal.SIGTERM, _stop_requested)
    system = System(
        env=dict(os.environ),
        log_dir=LOCAL / "logs",
        database_prefix=args.database_prefix,
        port_offset=args.port_offset,
    )
    try:
        system.start_all()
        PIDS.write_text(" ".join(str(r.process.pid) for r in system.running.values()))
        _print_running(system)
        while all(r.process.poll() is None for r in system.running.values()):
            time.sleep(1)
        print("a service exited; see its log in", LOCAL / "logs", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        pass
    finally:
        system.stop_all()
        PIDS.unlink(missing_ok=True)
        LAUNCHER.unlink(missing_ok=True)
        print("Frontdesk stopped.", flush=True)


def _print_running(system: System) -> None:
    gateway = system.url("gateway")
    ws = gateway.replace("http://", "ws://")
    ops = system.ops_url("gateway")
    print(
        f"""
Frontdesk is running.
  REST API      {gateway}/v1
  WebSocket     {ws}/v1/ws, first frame {{"type": "auth", "access_token": "<token>"}}
  API docs      {ops}/docs   (OpenAPI: {ops}/openapi.json; the public port has no docs)
  Metrics       /metrics on each service's ops port:
                """
        + "\n                ".join(f"{k:<10} {r.ops_url}/metrics" for k, r in system.running.items())
        + f"\n  Logs          {LOCAL / 'logs'}"
        + "\nCtrl-C or `make down` stops the services (`make down` stops the stack too).",
        flush=True,
    )


if __name__ == "__main__":
    main()
