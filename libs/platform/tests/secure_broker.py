"""A throwaway single-node Kafka whose listeners need SASL and TLS, for the tests that
prove the platform's clients reach such a broker (and fail with the wrong credentials).

Started from the same jars as the local stack (deploy/local/stack.sh fetches them into
<repo>/.local/kafka/libs; FRONTDESK_KAFKA_LIBS names another place), on ports from
FRONTDESK_SECURE_KAFKA_PORT (21300) upwards, with a small heap. The shared broker is
never touched.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import os
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parents[3]
USER, PASSWORD = "frontdesk", "frontdesk-kafka-password"


@dataclass(frozen=True)
class SecureBroker:
    sasl_plaintext: str  # SASL PLAIN, no TLS
    sasl_ssl: str  # SASL PLAIN over TLS
    mutual_tls: str  # TLS with a client certificate, no SASL
    ca_file: str
    client_cert: str
    client_key: str


def kafka_libs() -> Path:
    named = os.environ.get("FRONTDESK_KAFKA_LIBS")
    libs = (
        Path(named) if named else Path(os.environ.get("FRONTDESK_LOCAL_DIR", ROOT / ".local")) / "kafka/libs"
    )
    if not any(libs.glob("kafka_2.13-*.jar")):
        # The project's own way of fetching them (mvn from Maven Central, first run only).
        subprocess.run(
            [
                "bash",
                str(ROOT / "deploy/local/stack.sh"),
                "kafka-run",
                "kafka.tools.StorageTool",
                "random-uuid",
            ],
            check=True,
            capture_output=True,
        )
    return libs


def free_ports(count: int) -> list[int]:
    first = int(os.environ.get("FRONTDESK_SECURE_KAFKA_PORT", "21300"))
    found: list[int] = []
    for port in range(first, first + 100):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    raise RuntimeError(f"no {count} free ports from {first}")


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: tuple[str, ec.EllipticCurvePrivateKey] | None
):
    now = datetime.datetime.now(datetime.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    issuer_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer[0])]) if issuer else name
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    if issuer is None:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    else:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    return builder.sign(issuer[1] if issuer else key, hashes.SHA256())


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def write_certificates(directory: Path) -> dict[str, Path]:
    """A CA, the broker's certificate (127.0.0.1) and a client's, all signed by the CA."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("frontdesk-test-ca", ca_key, None)
    paths = {"ca": directory / "ca.pem"}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for who in ("broker", "client"):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(who, key, ("frontdesk-test-ca", ca_key))
        paths[f"{who}_key"] = directory / f"{who}.key"
        paths[f"{who}_cert"] = directory / f"{who}.pem"
        paths[f"{who}_key"].write_bytes(_pem_key(key))
        paths[f"{who}_cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    # Kafka's PEM keystore: the private key, then the certificate chain.
    paths["broker_keystore"] = directory / "broker-keystore.pem"
    paths["broker_keystore"].write_bytes(paths["broker_key"].read_bytes() + paths["broker_cert"].read_bytes())
    return paths


def server_properties(directory: Path, ports: list[int], certs: dict[str, Path]) -> str:
    plain, sasl_ssl, mtls, controller = ports
    jaas = (
        "org.apache.kafka.common.security.plain.PlainLoginModule required "
        f'username="{USER}" password="{PASSWORD}" user_{USER}="{PASSWORD}";'
    )
    return f"""
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{controller}
listeners=SASL_PLAINTEXT://127.0.0.1:{plain},SASL_SSL://127.0.0.1:{sasl_ssl},SSL://127.0.0.1:{mtls},CONTROLLER://127.0.0.1:{controller}
advertised.listeners=SASL_PLAINTEXT://127.0.0.1:{plain},SASL_SSL://127.0.0.1:{sasl_ssl},SSL://127.0.0.1:{mtls}
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL
inter.broker.listener.name=SASL_PLAINTEXT
sasl.enabled.mechanisms=PLAIN
sasl.mechanism.inter.broker.protocol=PLAIN
listener.name.sasl_plaintext.plain.sasl.jaas.config={jaas}
listener.name.sasl_ssl.plain.sasl.jaas.config={jaas}
ssl.keystore.type=PEM
ssl.keystore.location={certs["broker_keystore"]}
ssl.truststore.type=PEM
ssl.truststore.location={certs["ca"]}
listener.name.ssl.ssl.client.auth=required
log.dirs={directory / "data"}
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
num.network.threads=2
num.io.threads=2
"""


def java(libs: Path, *args: str) -> list[str]:
    return ["java", "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true", "-cp", f"{libs}/*", *args]  # fmt: skip


def start(directory: Path) -> tuple[subprocess.Popen[bytes], SecureBroker]:
    libs = kafka_libs()
    ports = free_ports(4)
    certs = write_certificates(directory)
    props = directory / "server.properties"
    props.write_text(server_properties(directory, ports, certs))
    cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
    subprocess.run(
        java(libs, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(props)),
        check=True,
        capture_output=True,
    )
    with (directory / "kafka.out").open("wb") as out:
        process = subprocess.Popen(
            java(libs, "kafka.Kafka", str(props)), stdout=out, stderr=subprocess.STDOUT
        )
    broker = SecureBroker(
        sasl_plaintext=f"127.0.0.1:{ports[0]}",
        sasl_ssl=f"127.0.0.1:{ports[1]}",
        mutual_tls=f"127.0.0.1:{ports[2]}",
        ca_file=str(certs["ca"]),
        client_cert=str(certs["client_cert"]),
        client_key=str(certs["client_key"]),
    )
    return process, broker


def wait_listening(process: subprocess.Popen[bytes], address: str, log: Path, timeout: float = 90) -> None:
    host, port = address.split(":")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the test broker exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"the test broker did not listen on {address} within {timeout}s")
