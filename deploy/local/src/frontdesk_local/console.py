"""The staff console (clients/console): built with npm, served as static files.

`make dev` and the browser tests serve the built console from a small static server of
their own; its `/config.json` tells the page where the gateway is. The gateway must list
the console's origin in FRONTDESK_CORS_ORIGINS (docs/security.md), or the browser gets
no answers and the socket handshake is refused.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[4]
CONSOLE = ROOT / "clients" / "console"
SDK = ROOT / "clients" / "typescript"  # the console is built on it (package.json: file:../typescript)
DIST = CONSOLE / "dist"


def build(console: Path = CONSOLE) -> Path:
    """Install the locked npm packages when missing (the SDK's first: installing it builds
    it), then build; returns the built folder."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm not found: install Node.js 20+ (apt-get install -y nodejs npm)")
    if not (SDK / "dist").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=SDK, check=True)
    if not (console / "node_modules").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=console, check=True)
    subprocess.run([npm, "run", "build", "--silent"], cwd=console, check=True, stdout=subprocess.DEVNULL)
    return console / "dist"


class _Handler(SimpleHTTPRequestHandler):
    config: bytes = b"{}"

    def do_GET(self) -> None:
        if self.path.split("?")[0] == "/config.json":
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("cache-control", "no-store")
            self.send_header("content-length", str(len(self.config)))
            self.end_headers()
            self.wfile.write(self.config)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a page load is a dozen lines nobody reads


class ConsoleServer:
    """Serves the built console on 127.0.0.1:`port` in a background thread."""

    def __init__(self, gateway_url: str, port: int, dist: Path = DIST) -> None:
        handler = type("Handler", (_Handler,), {"config": json.dumps({"gateway": gateway_url}).encode()})
        self._server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(dist)))
        self._thread = threading.Thread(target=self._server.serve_forever, name="console", daemon=True)
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> ConsoleServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
