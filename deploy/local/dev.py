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
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from frontdesk_local.console import ConsoleServer, build
from frontdesk_local.system import System

ROOT = Path(__file__).resolve().parents[2]
LOCAL = Path(os.environ.get("FRONTDESK_LOCAL_DIR", ROOT / ".local"))
LAUNCHER = LOCAL / "dev.pid"  # the running `make dev`; gone once its services are down
PIDS = LOCAL / "dev.pids"  # its services, in case the launcher itself was killed outright
# The launcher stops five services one after another, each within 15 s.
STOP_WAIT_SECONDS = 90.0
CONSOLE_PORT = 8080  # the staff console's static server (plus --port-offset)


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
    console_port = CONSOLE_PORT + args.port_offset
    system = System(
        env=_allow_console(dict(os.environ), console_port),
        log_dir=LOCAL / "logs",
        database_prefix=args.database_prefix,
        port_offset=args.port_offset,
    )
    console: ConsoleServer | None = None
    try:
        system.start_all()
        PIDS.write_text(" ".join(str(r.process.pid) for r in system.running.values()))
        console = _serve_console(system.url("gateway"), console_port)
        _print_running(system, console)
        while all(r.process.poll() is None for r in system.running.values()):
            time.sleep(1)
        print("a service exited; see its log in", LOCAL / "logs", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        pass
    finally:
        if console is not None:
            console.stop()
        system.stop_all()
        PIDS.unlink(missing_ok=True)
        LAUNCHER.unlink(missing_ok=True)
        print("Frontdesk stopped.", flush=True)


def _allow_console(env: dict[str, str], port: int) -> dict[str, str]:
    """The gateway answers the console's browser only if its origin is listed (docs/security.md)."""
    origins = [o for o in env.get("FRONTDESK_CORS_ORIGINS", "").split(",") if o]
    for host in ("127.0.0.1", "localhost"):
        if f"http://{host}:{port}" not in origins:
            origins.append(f"http://{host}:{port}")
    return {**env, "FRONTDESK_CORS_ORIGINS": ",".join(origins)}


def _serve_console(gateway_url: str, port: int) -> ConsoleServer | None:
    """Build and serve the staff console; without npm the services still run."""
    try:
        return ConsoleServer(gateway_url, port, build()).start()
    except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"the staff console was not started: {exc}", file=sys.stderr, flush=True)
        return None


def _print_running(system: System, console: ConsoleServer | None) -> None:
    gateway = system.url("gateway")
    ws = gateway.replace("http://", "ws://")
    ops = system.ops_url("gateway")
    staff_console = console.url if console else "(not started: see above)"
    print(
        f"""
Frontdesk is running.
  Console       {staff_console}   (staff sign in with the shop id, login and password)
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
