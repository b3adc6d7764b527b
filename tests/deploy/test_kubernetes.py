"""Kubernetes manifests under ``deploy/k8s``: ``kubectl kustomize`` piped into
``kubernetes-validate --strict`` (schemas bundled with the package, offline). KEDA's
custom resources are not in those schemas (it warns and skips them), so they are checked
here against a strict schema of the fields KEDA's CRDs define for them."""

from __future__ import annotations

import sys
from typing import Any

import jsonschema
import pytest
import yaml

from tests.deploy.tools import DEPLOY, require, run

K8S = DEPLOY / "k8s"
VARIANTS = {"keda": K8S, "hpa": K8S / "overlays" / "hpa"}
KEDA_KINDS = {"ScaledObject", "TriggerAuthentication"}
QUERY = "SELECT count(*) FROM procrastinate_jobs WHERE status='todo' AND queue_name='default'"


def kustomize(path: Any) -> str:
    result = run([require("kubectl"), "kustomize", str(path)])
    assert result.returncode == 0, result.stderr
    return result.stdout


def validate(manifests: str) -> Any:
    # the venv's kubernetes-validate (dev extras), as `kubernetes-validate --strict -`
    command = [sys.executable, "-m", "kubernetes_validate", "--strict", "-"]
    return run(command, stdin=manifests)


def objects(manifests: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(manifests) if doc]


@pytest.fixture(scope="module", params=list(VARIANTS))
def rendered(request: pytest.FixtureRequest) -> tuple[str, str]:
    return request.param, kustomize(VARIANTS[request.param])


def test_manifests_validate_strictly(rendered: tuple[str, str]) -> None:
    variant, manifests = rendered
    result = validate(manifests)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERROR" not in result.stdout
    passed = result.stdout.count(" passed for resource ")
    kinds = [doc["kind"] for doc in objects(manifests)]
    assert passed == len([k for k in kinds if k not in KEDA_KINDS])
    # the only objects without a bundled schema are KEDA's (checked below)
    skipped = [line for line in result.stdout.splitlines() if line.startswith("WARN")]
    assert len(skipped) == len([k for k in kinds if k in KEDA_KINDS])
    assert all("keda.sh/v1alpha1" in line for line in skipped)


def test_strict_validation_rejects_unknown_fields() -> None:
    manifests = kustomize(K8S / "overlays" / "hpa").replace(
        "  revisionHistoryLimit: 5\n", "  revisionHistoryLimit: 5\n  replica: 3\n", 1
    )
    result = validate(manifests)
    assert result.returncode != 0 and "replica" in result.stdout


def test_one_autoscaler_per_variant(rendered: tuple[str, str]) -> None:
    variant, manifests = rendered
    kinds = {doc["kind"] for doc in objects(manifests)}
    if variant == "keda":
        assert kinds >= KEDA_KINDS and "HorizontalPodAutoscaler" not in kinds
    else:
        assert "HorizontalPodAutoscaler" in kinds and not KEDA_KINDS & kinds
        (hpa,) = [d for d in objects(manifests) if d["kind"] == "HorizontalPodAutoscaler"]
        (metric,) = hpa["spec"]["metrics"]
        assert metric["external"]["metric"]["name"] == "matdiscover_queue_depth"
        assert hpa["spec"]["scaleTargetRef"]["name"] == "matdiscover-worker"


def test_workloads(rendered: tuple[str, str]) -> None:
    _, manifests = rendered
    docs = objects(manifests)
    by_kind: dict[str, dict[str, dict[str, Any]]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
        assert doc["metadata"].get("namespace", "matdiscover") == "matdiscover"
    deployments = by_kind["Deployment"]
    assert set(deployments) == {"matdiscover-api", "matdiscover-worker", "matdiscover-gpu-worker"}
    assert set(by_kind["Service"]) == {"matdiscover-api"}
    assert set(by_kind["Ingress"]) == {"matdiscover"}
    assert len(by_kind["PodDisruptionBudget"]) == 2 and len(by_kind["NetworkPolicy"]) >= 2
    assert "Secret" not in by_kind  # referenced by name, created by the operator
    secret_keys = set()
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == 10001
        assert pod["automountServiceAccountToken"] is False
        (container,) = pod["containers"]
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] is True
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"]["drop"] == ["ALL"]
        assert container["resources"]["requests"] and container["resources"]["limits"]
        assert container["livenessProbe"] and container["startupProbe"]
        assert "/tmp" in {m["mountPath"] for m in container["volumeMounts"]}
        for env in container.get("env", []):
            assert "value" not in env or not any(
                w in env["name"] for w in ("SECRET", "PASSWORD", "TOKEN", "DATABASE_URL")
            ), f"{name}: {env['name']} embedded"
            if "valueFrom" in env:
                ref = env["valueFrom"]["secretKeyRef"]
                assert ref["name"] == "matdiscover-secrets"
                secret_keys.add(ref["key"])
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert secret_keys == {"database-url", "secret-key", "metrics-token"}

    api = deployments["matdiscover-api"]["spec"]["template"]["spec"]["containers"][0]
    assert (
        api["args"][0] == "serve" and api["readinessProbe"]["httpGet"]["path"] == "/api/v1/health"
    )
    worker = deployments["matdiscover-worker"]["spec"]["template"]["spec"]["containers"][0]
    assert worker["args"][:3] == ["worker", "--queue", "default"]
    gpu_pod = deployments["matdiscover-gpu-worker"]["spec"]["template"]["spec"]
    assert gpu_pod["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    gpu = gpu_pod["containers"][0]
    assert gpu["args"][:3] == ["worker", "--queue", "gpu"]
    assert gpu["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert gpu["image"].startswith("matdiscover-gpu:")
    config = by_kind["ConfigMap"]["matdiscover-config"]["data"]
    assert config["MATDISCOVER_WORKER_METRICS_PORT"] == "9101"
    assert not any(w in k for k in config for w in ("SECRET", "PASSWORD", "TOKEN"))


# Strict schemas of the KEDA fields we use (from KEDA 2.x's CRDs keda.sh_scaledobjects and
# keda.sh_triggerauthentications; unknown fields are refused, as in kubernetes-validate --strict).
_OBJECT_META = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
        "namespace": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "additionalProperties": False,
}
_INT = {"type": "integer", "minimum": 0}
KEDA_SCHEMAS: dict[str, dict[str, Any]] = {
    "ScaledObject": {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "additionalProperties": False,
        "properties": {
            "apiVersion": {"const": "keda.sh/v1alpha1"},
            "kind": {"const": "ScaledObject"},
            "metadata": _OBJECT_META,
            "spec": {
                "type": "object",
                "required": ["scaleTargetRef", "triggers"],
                "additionalProperties": False,
                "properties": {
                    "scaleTargetRef": {
                        "type": "object",
                        "required": ["name"],
                        "additionalProperties": False,
                        "properties": {
                            "apiVersion": {"type": "string"},
                            "kind": {"type": "string"},
                            "name": {"type": "string"},
                            "envSourceContainerName": {"type": "string"},
                        },
                    },
                    "minReplicaCount": _INT,
                    "maxReplicaCount": _INT,
                    "idleReplicaCount": _INT,
                    "pollingInterval": _INT,
                    "cooldownPeriod": _INT,
                    "advanced": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "restoreToOriginalReplicaCount": {"type": "boolean"},
                            "horizontalPodAutoscalerConfig": {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {
                                    "name": {"type": "string"},
                                    "behavior": {"type": "object"},
                                },
                            },
                        },
                    },
                    "triggers": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["type", "metadata"],
                            "additionalProperties": False,
                            "properties": {
                                "type": {"type": "string"},
                                "name": {"type": "string"},
                                "metricType": {"enum": ["AverageValue", "Value", "Utilization"]},
                                "useCachedMetrics": {"type": "boolean"},
                                "metadata": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                },
                                "authenticationRef": {
                                    "type": "object",
                                    "required": ["name"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "name": {"type": "string"},
                                        "kind": {
                                            "enum": [
                                                "TriggerAuthentication",
                                                "ClusterTriggerAuthentication",
                                            ]
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
    "TriggerAuthentication": {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "additionalProperties": False,
        "properties": {
            "apiVersion": {"const": "keda.sh/v1alpha1"},
            "kind": {"const": "TriggerAuthentication"},
            "metadata": _OBJECT_META,
            "spec": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "secretTargetRef": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["parameter", "name", "key"],
                            "additionalProperties": False,
                            "properties": {
                                "parameter": {"type": "string"},
                                "name": {"type": "string"},
                                "key": {"type": "string"},
                            },
                        },
                    },
                    "env": {"type": "array"},
                },
            },
        },
    },
}


def keda_objects() -> list[dict[str, Any]]:
    return [d for d in objects(kustomize(K8S)) if d["kind"] in KEDA_KINDS]


def test_keda_objects_match_their_crd_fields() -> None:
    docs = keda_objects()
    assert sorted(d["kind"] for d in docs) == sorted(KEDA_KINDS)
    for doc in docs:
        jsonschema.validate(doc, KEDA_SCHEMAS[doc["kind"]])
    scaled = next(d for d in docs if d["kind"] == "ScaledObject")
    auth = next(d for d in docs if d["kind"] == "TriggerAuthentication")
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "postgresql"
    assert trigger["metadata"]["query"] == QUERY
    assert float(trigger["metadata"]["targetQueryValue"]) > 0
    assert trigger["authenticationRef"]["name"] == auth["metadata"]["name"]
    assert scaled["spec"]["scaleTargetRef"]["name"] == "matdiscover-worker"
    assert auth["spec"]["secretTargetRef"] == [
        {"parameter": "connection", "name": "matdiscover-secrets", "key": "keda-connection"}
    ]


def test_keda_schema_rejects_a_misspelt_field() -> None:
    scaled = next(d for d in keda_objects() if d["kind"] == "ScaledObject")
    scaled["spec"]["maxReplicas"] = 10  # HPA spelling, not KEDA's maxReplicaCount
    with pytest.raises(jsonschema.ValidationError, match="maxReplicas"):
        jsonschema.validate(scaled, KEDA_SCHEMAS["ScaledObject"])
