"""The deploy files an operator applies are checked here, not on a cluster: the k8s manifests
by kubeconform against the Kubernetes schemas and by what Frontdesk needs of them (every
topic, shared attachment storage, secrets, disruption budgets, network policies, metrics
off the public port), docker-compose.yml against the compose-spec schema.

kubeconform and the compose-spec schema come from the Go module proxy through
`deploy/local/stack.sh deploy-checks-install` (`make test` runs it first)."""

from __future__ import annotations

import copy
import functools
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from frontdesk_contracts import topics
from frontdesk_gateway.config import GatewaySettings

from .k8s_schemas import KUBERNETES_VERSION, LOCATION, write_standalone

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"
LOCAL = Path(os.environ.get("FRONTDESK_LOCAL_DIR", ROOT / ".local"))
KUBECONFORM = LOCAL / "bin" / "kubeconform"
COMPOSE_SCHEMA = LOCAL / "schemas" / "compose-spec.json"
INSTALL = "run `bash deploy/local/stack.sh deploy-checks-install` (make test does)"
# Strimzi publishes no JSON schemas in any registry reachable here: its kinds are skipped by
# name (never by -ignore-missing-schemas, which would pass a misspelled built-in kind too),
# and the topics, the part Frontdesk depends on, are checked below.
STRIMZI_KINDS = ("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser")
SERVICES = ("gateway", "messaging", "booking", "notify", "ai-assist")


@functools.cache
def manifests() -> list[dict[str, Any]]:
    """Parsed once: callers that change a manifest change a copy."""
    return [
        doc
        for path in sorted(K8S.glob("*.yaml"))
        for doc in yaml.load_all(path.read_text(), yaml.CSafeLoader)
        if doc
    ]


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for doc in manifests() if doc["kind"] == kind]


def named(kind: str, name: str) -> dict[str, Any]:
    [doc] = [doc for doc in of_kind(kind) if doc["metadata"]["name"] == name]
    return doc


def container(service: str) -> dict[str, Any]:
    [only] = named("Deployment", service)["spec"]["template"]["spec"]["containers"]
    return only


def env(service: str) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in container(service).get("env", [])}


def secrets_read_whole(service: str) -> set[str]:
    return {source["secretRef"]["name"] for source in container(service)["envFrom"] if "secretRef" in source}


# ------------------------------------------------------------------ kubeconform


def kubeconform(paths: list[Path], schemas: Path) -> list[dict[str, Any]]:
    assert KUBECONFORM.exists(), f"no kubeconform at {KUBECONFORM}: {INSTALL}"
    run = subprocess.run(
        [
            str(KUBECONFORM),
            "-strict",
            "-kubernetes-version",
            KUBERNETES_VERSION,
            "-schema-location",
            f"{schemas}/{LOCATION}",
            "-skip",
            ",".join(STRIMZI_KINDS),
            "-output",
            "json",
            "-verbose",
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    results: list[dict[str, Any]] = json.loads(run.stdout)["resources"]
    return results


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    kinds = {(doc["kind"], doc["apiVersion"]) for doc in manifests() if doc["kind"] not in STRIMZI_KINDS}
    return write_standalone(kinds, tmp_path_factory.mktemp("k8s-schemas"))


def test_every_kubernetes_resource_is_valid_for_kubeconform(schemas: Path) -> None:
    results = kubeconform(sorted(K8S.glob("*.yaml")), schemas)
    verdicts = {(r["kind"], r["name"]): r["status"] for r in results}
    problems = {
        key: r["msg"] for r in results if (key := (r["kind"], r["name"])) and r["status"] != "statusValid"
    }
    assert {key: msg for key, msg in problems.items() if key[0] not in STRIMZI_KINDS} == {}
    assert ("Deployment", "gateway") in verdicts and ("NetworkPolicy", "frontdesk-deny-ingress") in verdicts


def test_kubeconform_refuses_a_misspelled_field(schemas: Path, tmp_path: Path) -> None:
    gateway = copy.deepcopy(named("Deployment", "gateway"))
    gateway["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {"httpGet": {"path": "/health"}}
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(gateway))
    [result] = kubeconform([broken], schemas)
    assert result["status"] == "statusInvalid"
    assert "readinesProbe" in result["msg"]


# ------------------------------------------------------------------ what Frontdesk needs


def test_every_contract_topic_and_its_dead_letter_topic_is_a_kafka_topic() -> None:
    declared = {topic["metadata"]["name"]: topic["spec"] for topic in of_kind("KafkaTopic")}
    expected = set(topics.ALL) | {topics.dead_letter(topic) for topic in topics.ALL}
    assert set(declared) == expected
    # A service's consumers scale to the partition count, and replicas 3 / min ISR 2 survive a broker.
    assert {declared[topic]["partitions"] for topic in topics.ALL} == {12}
    assert all(
        spec["replicas"] == 3 and spec["config"]["min.insync.replicas"] == 2 for spec in declared.values()
    )


def test_no_topic_keeps_personal_text_longer_than_an_erasure_promises() -> None:
    declared = {topic["metadata"]["name"]: topic["spec"]["config"] for topic in of_kind("KafkaTopic")}
    bound_ms = topics.ERASURE_DAYS * 24 * 3600 * 1000
    too_long = {name: config.get("retention.ms") for name, config in declared.items()}
    assert {name: ms for name, ms in too_long.items() if ms is None or int(ms) > bound_ms} == {}
    assert max(int(ms) for ms in too_long.values()) == bound_ms  # dead letters: the longest kept


def test_more_than_one_gateway_keeps_attachments_in_s3_with_keys_from_a_secret() -> None:
    hpa = named("HorizontalPodAutoscaler", "gateway")
    assert hpa["spec"]["minReplicas"] > 1
    gateway = env("gateway")
    literal = {name: item["value"] for name, item in gateway.items() if "value" in item}
    settings = GatewaySettings(
        **{name.removeprefix("FRONTDESK_").lower(): value for name, value in literal.items()}
    )
    assert settings.attachments_storage == "s3"
    assert settings.attachments_s3_bucket
    for key in ("FRONTDESK_ATTACHMENTS_S3_ACCESS_KEY_ID", "FRONTDESK_ATTACHMENTS_S3_SECRET_ACCESS_KEY"):
        assert gateway[key]["valueFrom"]["secretKeyRef"]["name"] == "frontdesk-attachments-s3"


def test_provider_and_model_credentials_come_from_secrets() -> None:
    assert "frontdesk-notify-providers" in secrets_read_whole("notify")
    assert "frontdesk-llm" in secrets_read_whole("ai-assist")
    for service in SERVICES:
        literal = {name for name, item in env(service).items() if "value" in item}
        assert not {name for name in literal if name.endswith(("_KEY", "_TOKEN", "_PASSWORD", "_SECRET"))}


def test_every_service_has_a_disruption_budget_that_selects_its_pods() -> None:
    budgets = {doc["metadata"]["name"]: doc["spec"] for doc in of_kind("PodDisruptionBudget")}
    for service in SERVICES:
        pod_labels = named("Deployment", service)["spec"]["template"]["metadata"]["labels"]
        selector = budgets[service]["selector"]["matchLabels"]
        assert selector.items() <= pod_labels.items()
        assert budgets[service]["maxUnavailable"] == 1


def test_frontdesk_pods_take_no_traffic_a_network_policy_does_not_allow() -> None:
    policies = {doc["metadata"]["name"]: doc["spec"] for doc in of_kind("NetworkPolicy")}
    deny = policies["frontdesk-deny-ingress"]
    assert deny["podSelector"]["matchLabels"] == {"app.kubernetes.io/part-of": "frontdesk"}
    assert deny["policyTypes"] == ["Ingress"] and "ingress" not in deny
    for service in SERVICES:
        labels = named("Deployment", service)["spec"]["template"]["metadata"]["labels"]
        assert labels["app.kubernetes.io/part-of"] == "frontdesk"
    # The ops port opens to the monitoring namespace only, and no other rule names it.
    [ops_rule] = policies["ops-from-monitoring"]["ingress"]
    assert ops_rule["from"] == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
    ]
    other_ports = [
        port["port"]
        for name, spec in policies.items()
        if name != "ops-from-monitoring"
        for rule in spec.get("ingress", [])
        for port in rule.get("ports", [])
    ]
    assert other_ports and set(other_ports) == {"http"}


def test_metrics_are_served_on_the_ops_port_which_no_service_exposes() -> None:
    config = named("ConfigMap", "frontdesk-config")["data"]
    ops_port = int(config["FRONTDESK_OPS_PORT"])
    for service in SERVICES:
        ports = {port["name"]: port["containerPort"] for port in container(service)["ports"]}
        assert ports["ops"] == ops_port != ports["http"]
        annotations = named("Deployment", service)["spec"]["template"]["metadata"]["annotations"]
        assert int(annotations["prometheus.io/port"]) == ops_port
    for public in of_kind("Service"):
        for port in public["spec"]["ports"]:
            assert port["targetPort"] == "http", f"Service {public['metadata']['name']} exposes {port}"


# ------------------------------------------------------------------ docker-compose.yml


def compose_validator() -> jsonschema.protocols.Validator:
    assert COMPOSE_SCHEMA.exists(), f"no compose-spec schema at {COMPOSE_SCHEMA}: {INSTALL}"
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def compose_errors(document: dict[str, Any]) -> Iterator[str]:
    for error in compose_validator().iter_errors(document):
        yield f"{'/'.join(map(str, error.absolute_path))}: {error.message}"


def test_docker_compose_file_follows_the_compose_spec() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert list(compose_errors(compose)) == []
    assert set(SERVICES) <= set(compose["services"])


def test_the_compose_check_catches_a_misspelled_key() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    compose["services"]["gateway"]["restrat"] = compose["services"]["gateway"].pop("restart")
    assert any("restrat" in error for error in compose_errors(compose))


def test_compose_publishes_the_ops_port_on_loopback_only() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    ops_port = compose["x-frontdesk-env"]["FRONTDESK_OPS_PORT"]
    published = [port for service in compose["services"].values() for port in service.get("ports", [])]
    assert any(port.endswith(f":{ops_port}") for port in published)
    assert all(port.startswith("127.0.0.1:") for port in published if port.endswith(f":{ops_port}"))


def test_the_gateway_signs_turn_credentials_with_the_secret_the_turn_server_checks() -> None:
    [turn] = named("DaemonSet", "turn")["spec"]["template"]["spec"]["containers"]
    turn_env = {item["name"]: item for item in turn["env"]}
    secret = env("gateway")["FRONTDESK_TURN_SECRET"]["valueFrom"]["secretKeyRef"]
    assert turn_env["TURN_SECRET"]["valueFrom"]["secretKeyRef"] == secret
    assert {"--use-auth-secret", "--static-auth-secret=$(TURN_SECRET)"} <= set(turn["args"])
    config = named("ConfigMap", "frontdesk-config")["data"]
    assert GatewaySettings(turn_urls=config["FRONTDESK_TURN_URLS"]).turn_urls[0].startswith("turn:")

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    gateway_secret = compose["services"]["gateway"]["environment"]["FRONTDESK_TURN_SECRET"]
    assert f"--static-auth-secret={gateway_secret}" in compose["services"]["turn"]["command"]
