"""Starts the services as processes, waits until each is healthy, and stops them.

`make dev`, the end-to-end tests and the benchmarks all start the system through this,
so they run exactly what a deployment runs: `python -m frontdesk_<service>`.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    module: str
    port: int
    ops_port: int  # /metrics and the API docs: kept off the public port


SERVICES = {
    spec.name: spec
    for spec in (
        ServiceSpec("messaging", "frontdesk_messaging", 8101, 9101),
        ServiceSpec("booking", "frontdesk_booking", 8102, 9102),
        ServiceSpec("notify", "frontdesk_notify", 8103, 9103),
        ServiceSpec("ai-assist", "frontdesk_ai_assist", 8104, 9104),
        ServiceSpec("gateway", "frontdesk_gateway", 8000, 9000),
    )
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Running:
    name: str
    url: str
    ops_url: str
    process: subprocess.Popen[bytes]
    log: Path


@dataclass
class System:
    """The services of one deployment: a database prefix, a topic namespace, their ports."""

    env: Mapping[str, str]
    log_dir: Path
    database_prefix: str = "frontdesk"
    random_ports: bool = False
    # Added to every default port, so a second system runs beside the first (`dev.py --port-offset`).
    port_offset: int = 0
    running: dict[str, Running] = field(default_factory=dict)
    # A local deployment is a development one, with secrets of its own unless `env` names
    # them: the services' shared credential for internal APIs and the command-signing key.
    development: Mapping[str, str] = field(
        default_factory=lambda: {
            "FRONTDESK_ENVIRONMENT": "development",
            "FRONTDESK_SERVICE_TOKEN": secrets.token_urlsafe(32),
            "FRONTDESK_COMMAND_SIGNING_KEY": secrets.token_urlsafe(32),
        }
    )

    def setting(self, name: str) -> str:
        """The value of a FRONTDESK_ setting every service of this system runs with."""
        return {**self.development, **self.env}[name]

    def url(self, name: str) -> str:
        return self.running[name].url

    def ops_url(self, name: str) -> str:
        """Where a service serves /metrics and its API docs."""
        return self.running[name].ops_url

    def cpu_seconds(self) -> dict[str, float]:
        """User + system CPU each service process has used so far (Linux /proc), and the
        Kafka broker's and PostgreSQL's when they run on this machine: benchmarks report
        CPU per message from two of these."""
        tick = os.sysconf("SC_CLK_TCK")
        used = {name: sum(_stat(running.process.pid)[11:13]) / tick for name, running in self.running.items()}
        return used | {name: ticks / tick for name, ticks in _stack_ticks().items()}

    def start_profilers(self, seconds: int, out_dir: Path, prefix: str) -> list[subprocess.Popen[bytes]]:
        """py-spy on every service process for `seconds`, a speedscope file each in `out_dir`."""
        if shutil.which("py-spy") is None:
            print("--profile: py-spy not found (pip install py-spy); skipping", file=sys.stderr)
            return []
        options = ["-d", str(seconds), "--nonblocking", "--format", "speedscope"]
        profilers = []
        for name, running in self.running.items():
            out = str(out_dir / f"{prefix}{name}.json")
            command = ["py-spy", "record", "--pid", str(running.process.pid), *options, "-o", out]
            profilers.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        return profilers

    def start(
        self,
        name: str,
        instance: str = "1",
        wait: float = 90,
        extra_env: Mapping[str, str] | None = None,
        port: int | None = None,
    ) -> Running:
        """Start one service; `port` brings a stopped one back where its callers expect it."""
        spec = SERVICES[name]
        key = name if instance == "1" else f"{name}-{instance}"
        own_ports = self.random_ports or instance != "1"
        port = port or (free_port() if own_ports else spec.port + self.port_offset)
        ops_port = free_port() if own_ports else spec.ops_port + self.port_offset
        env = {
            **self.development,
            **self.env,
            "FRONTDESK_HTTP_PORT": str(port),
            "FRONTDESK_OPS_PORT": str(ops_port),
            "FRONTDESK_INSTANCE_ID": instance,
            "FRONTDESK_DATABASE_NAME": f"{self.database_prefix}_{name.replace('-', '_')}",
        }
        if "messaging" in self.running:
            env["FRONTDESK_MESSAGING_URL"] = self.running["messaging"].url
        if "booking" in self.running:
            env["FRONTDESK_BOOKING_URL"] = self.running["booking"].url
        if "notify" in self.running:
            env["FRONTDESK_NOTIFY_URL"] = self.running["notify"].url
        if "ai-assist" in self.running:
            env["FRONTDESK_AI_ASSIST_URL"] = self.running["ai-assist"].url
        env.update(extra_env or {})
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_dir / f"{key}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", spec.module], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        running = Running(key, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{ops_port}", process, log)
        self.running[key] = running
        self._wait_healthy(running, wait)
        return running

    def start_all(self) -> None:
        for name in ("messaging", "booking", "notify", "ai-assist", "gateway"):
            self.start(name)

    def stop(self, key: str, kill: bool = False) -> None:
        running = self.running.pop(key)
        if running.process.poll() is None:
            running.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                running.process.wait(15)
            except subprocess.TimeoutExpired:
                running.process.kill()
                running.process.wait()

    def stop_all(self) -> None:
        for key in reversed(list(self.running)):
            self.stop(key)

    def _wait_healthy(self, running: Running, wait: float) -> None:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if running.process.poll() is not None:
                raise RuntimeError(f"{running.name} exited:\n{_tail(running.log)}")
            try:
                if httpx.get(f"{running.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{running.name} not healthy after {wait}s:\n{_tail(running.log)}")


def _tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def environment() -> dict[str, str]:
    return dict(os.environ)


def _stat(pid: int | str) -> list[int]:
    """/proc/<pid>/stat after the command name, as numbers where they are (utime, stime,
    cutime, cstime are [11:15]; the parent [1])."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return [int(f) if f.lstrip("-").isdigit() else 0 for f in fields]


def _stack_ticks() -> dict[str, int]:
    """CPU ticks of the Kafka brokers and PostgreSQL servers on this machine: a broker is one
    JVM; a server is its postmaster, its live processes, and (through the postmaster's
    children's time) the backends that have exited."""
    names: dict[int, str] = {}
    stats: dict[int, list[int]] = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/comm") as comm, open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                names[int(entry)] = "kafka" if b"kafka.Kafka" in cmdline.read() else comm.read().strip()
            stats[int(entry)] = _stat(entry)
        except OSError:  # exited meanwhile
            continue
    postmasters = {
        pid for pid, name in names.items() if name == "postgres" and names.get(stats[pid][1]) != "postgres"
    }
    ticks: Counter[str] = Counter()
    for pid, name in names.items():
        if name == "kafka":
            ticks["kafka"] += sum(stats[pid][11:13])
        elif pid in postmasters:
            ticks["postgres"] += sum(stats[pid][11:15])  # with its exited children
        elif stats[pid][1] in postmasters:
            ticks["postgres"] += sum(stats[pid][11:13])
    return dict(ticks)
