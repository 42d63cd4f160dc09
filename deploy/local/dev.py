"""`make dev`: runs all five services against the local stack until Ctrl-C.

`python deploy/local/dev.py --stop` stops services left by an earlier run.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from frontdesk_local.system import System

ROOT = Path(__file__).resolve().parents[2]
LOCAL = Path(os.environ.get("FRONTDESK_LOCAL_DIR", ROOT / ".local"))
PIDS = LOCAL / "dev.pids"


def stop_previous() -> None:
    if not PIDS.exists():
        return
    for pid in PIDS.read_text().split():
        try:
            os.kill(int(pid), signal.SIGTERM)
        except (ProcessLookupError, ValueError):
            pass
    PIDS.unlink()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stop", action="store_true", help="stop services from an earlier run")
    args = parser.parse_args()
    stop_previous()
    if args.stop:
        return
    system = System(env=dict(os.environ), log_dir=LOCAL / "logs")
    try:
        system.start_all()
        PIDS.write_text(" ".join(str(r.process.pid) for r in system.running.values()))
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
            + "\nCtrl-C stops the services; `make down` stops the stack too.",
            flush=True,
        )
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while all(r.process.poll() is None for r in system.running.values()):
            time.sleep(1)
        print("a service exited; see its log in", LOCAL / "logs", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        pass
    finally:
        system.stop_all()
        PIDS.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
