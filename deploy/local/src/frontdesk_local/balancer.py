"""HAProxy in front of several gateways, as a deployment's load balancer would be.

Debian's haproxy (`deploy/local/stack.sh haproxy-install`) runs as a child process with
a config written here: WebSocket-aware timeouts, health checks on /health, and a
response header naming the gateway that answered, so a test can see where a socket went.

    python -m frontdesk_local.balancer 22300 http://127.0.0.1:8000 http://127.0.0.1:8010
"""

from __future__ import annotations

import argparse
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

SERVED_BY = "x-frontdesk-gateway"  # the answering backend's name, on every response


def config(port: int, backends: list[str]) -> str:
    servers = "\n".join(
        f"    server {_name(i)} {urlsplit(url).netloc} check" for i, url in enumerate(backends)
    )
    return f"""\
global
    # no maxconn: HAProxy takes it from the file limit (ulimit -n), about half of it
    log stdout format raw local0 notice

defaults
    mode http
    log global
    option httplog
    option log-health-checks
    timeout connect 2s
    timeout http-request 10s
    timeout client 60s
    timeout server 60s
    # An upgraded WebSocket is a tunnel: idle for as long as the gateway's heartbeats allow.
    timeout tunnel 1h
    timeout client-fin 5s
    # A connection refused by a dead gateway is retried once on another.
    retries 1
    option redispatch

frontend gateways
    bind 127.0.0.1:{port}
    default_backend gateways

backend gateways
    # Sockets live long: the gateway with fewer of them takes the next one.
    balance leastconn
    option httpchk GET /health
    http-check expect status 200
    # /health asks the database and Kafka, which can take a while on a busy machine: a
    # slow answer is not a dead gateway. A dead one refuses at once: down after two checks
    # a second apart, and then its sockets are closed, so their devices reconnect to one
    # that is up (connections it refuses meanwhile are redispatched).
    timeout check 3s
    default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
    http-response set-header {SERVED_BY} %s
{servers}
"""


def _name(index: int) -> str:
    return f"gateway-{index + 1}"


@dataclass
class Balancer:
    """One HAProxy process; `url` is what clients connect to."""

    port: int
    backends: list[str]
    log: Path | None = None  # where HAProxy's own log goes; default: beside its config
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="frontdesk-haproxy-")))
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def server(self, backend: str) -> str:
        """The name HAProxy gives a backend, as in the SERVED_BY header."""
        return _name(self.backends.index(backend))

    def start(self, wait: float = 10) -> Balancer:
        binary = shutil.which("haproxy")
        if binary is None:
            raise RuntimeError("haproxy is not installed: deploy/local/stack.sh haproxy-install")
        cfg = self.workdir / "haproxy.cfg"
        cfg.write_text(config(self.port, self.backends))
        subprocess.run([binary, "-c", "-q", "-f", str(cfg)], check=True)
        self.log = self.log or self.workdir / "haproxy.log"
        with self.log.open("ab") as out:
            # -db: stay in the foreground, so it is our child and ends with us
            self.process = subprocess.Popen([binary, "-db", "-f", str(cfg)], stdout=out, stderr=out)
        deadline = time.monotonic() + wait
        while not _accepts(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                said = self.log.read_text(errors="replace")
                self.stop()
                raise RuntimeError(f"haproxy did not start: {said}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # not a soft stop: that waits for every socket
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Balancer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def _accepts(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def main() -> None:
    parser = argparse.ArgumentParser(description="HAProxy in front of gateways, until Ctrl-C")
    parser.add_argument("port", type=int)
    parser.add_argument("backends", nargs="+", help="gateway URLs, e.g. http://127.0.0.1:8000")
    args = parser.parse_args()
    # stack.sh haproxy-stop sends SIGTERM: leave through `with`, which stops haproxy too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with Balancer(args.port, args.backends) as balancer:
        print(f"balancer: {balancer.url} → {', '.join(args.backends)}", flush=True)
        try:
            assert balancer.process is not None
            balancer.process.wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
