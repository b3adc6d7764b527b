"""Dockerfiles and compose.yaml. Images cannot be built here (no registry for base images),
so the Dockerfiles are parsed and checked, and compose validates the stack per profile."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.tools import DEPLOY, ROOT, require, run

DOCKERFILES = [ROOT / "Dockerfile", ROOT / "Dockerfile.gpu", DEPLOY / "mlflow" / "Dockerfile"]
SECRET_WORDS = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|PRIVATE", re.IGNORECASE)


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def parse_dockerfile(text: str) -> list[Stage]:
    """Stages of a Dockerfile: instructions with continuation lines joined, comments dropped."""
    logical: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    assert not pending, "dangling line continuation"
    stages: list[Stage] = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = [w for w in args.split() if not w.startswith("--platform")]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(image=words[0], name=name))
        elif keyword != "ARG" or stages:
            assert stages, f"{keyword} before FROM"
            stages[-1].instructions.append((keyword, args.strip()))
    return stages


def env_pairs(args: str) -> dict[str, str]:
    words = shlex.split(args)
    if len(words) >= 2 and "=" not in words[0]:  # legacy `ENV KEY value`
        return {words[0]: " ".join(words[1:])}
    return dict(word.split("=", 1) for word in words)


def problems(text: str) -> list[str]:
    """What is wrong with a Dockerfile by our rules (empty list: fine)."""
    found: list[str] = []
    stages = parse_dockerfile(text)
    names = {s.name for s in stages if s.name}
    for stage in stages:
        if stage.image in names:
            continue
        ref = stage.image.split("@", 1)
        digest = len(ref) == 2 and re.fullmatch(r"sha256:[0-9a-f]{64}", ref[1])
        tag = ref[0].rsplit("/", 1)[-1].partition(":")[2]
        if not digest and (not tag or tag == "latest" or "$" in tag):
            found.append(f"unpinned base image {stage.image}")
        for keyword in ("ENV", "ARG"):
            for args in stage.all(keyword):
                pairs = env_pairs(args) if keyword == "ENV" else dict([args.partition("=")[::2]])
                for key, value in pairs.items():
                    if SECRET_WORDS.search(key) and value.strip():
                        found.append(f"secret in {keyword} {key}")
    final = stages[-1]
    users = final.all("USER")
    user = users[-1].split(":")[0] if users else "root"
    if user in {"root", "0"}:
        found.append("final stage runs as root")
    checks = final.all("HEALTHCHECK")
    if not checks or not checks[-1].startswith(("CMD", "--")) or "CMD" not in checks[-1]:
        found.append("no HEALTHCHECK in the final stage")
    return found


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_dockerfile_rules(path: Path) -> None:
    assert problems(path.read_text()) == []


def test_dockerfile_rules_catch_bad_files() -> None:
    bad = """
FROM python:latest AS build
ENV MATDISCOVER_SECRET_KEY=abc123
FROM debian
USER root
"""
    assert problems(bad) == [
        "unpinned base image python:latest",
        "secret in ENV MATDISCOVER_SECRET_KEY",
        "unpinned base image debian",
        "final stage runs as root",
        "no HEALTHCHECK in the final stage",
    ]
    assert (
        problems("FROM postgres:16@sha256:" + "a" * 64 + "\nUSER 1000\nHEALTHCHECK CMD true\n")
        == []
    )
    assert problems("FROM node:${NODE_VERSION}\nUSER 1000\nHEALTHCHECK CMD true\n") == [
        "unpinned base image node:${NODE_VERSION}"
    ]


def test_main_image() -> None:
    stages = parse_dockerfile((ROOT / "Dockerfile").read_text())
    assert [s.name for s in stages] == ["frontend", "python", "runtime"]
    assert stages[0].image.startswith("node:")
    runtime = stages[-1]
    assert runtime.image.startswith("python:3.11") and runtime.image.endswith("-slim-bookworm")
    assert runtime.all("USER") == ["10001:10001"]
    assert json.loads(runtime.all("ENTRYPOINT")[-1]) == ["matdiscover"]
    assert json.loads(runtime.all("CMD")[-1])[:1] == ["serve"]
    assert "/api/v1/health" in runtime.all("HEALTHCHECK")[-1]
    # the frontend build lands where the API serves it from (frontend/dist beside src/)
    assert "--from=frontend /build/frontend/dist /app/frontend/dist" in runtime.all("COPY")
    installs = " ".join(stages[1].all("RUN"))
    assert '"torch==2.13.0"' in installs and "download.pytorch.org/whl/cpu" in installs


def test_gpu_image() -> None:
    (stage,) = parse_dockerfile((ROOT / "Dockerfile.gpu").read_text())
    assert stage.image.startswith("nvidia/cuda:")
    assert stage.all("USER") == ["10001:10001"]
    assert json.loads(stage.all("CMD")[-1]) == ["worker", "--queue", "gpu"]


def test_copied_paths_exist_and_are_not_ignored() -> None:
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for dockerfile in (ROOT / "Dockerfile", ROOT / "Dockerfile.gpu"):
        for stage in parse_dockerfile(dockerfile.read_text()):
            for args in stage.all("COPY"):
                if args.startswith("--from"):
                    continue
                for source in args.split()[:-1]:
                    assert (ROOT / source).exists(), f"{dockerfile.name}: COPY {source}"
                    top = source.rstrip("/").split("/")[0]
                    assert top not in ignored and source.rstrip("/") not in ignored, source


# --- compose -------------------------------------------------------------------------------

PROFILES = {
    "": {"postgres", "api", "worker"},
    "gpu": {"postgres", "api", "worker", "gpu-worker"},
    "monitoring": {"postgres", "api", "worker", "prometheus", "grafana"},
    "mlflow": {"postgres", "api", "worker", "mlflow-db", "mlflow"},
}


def compose_config(tmp_path: Path, profile: str, env: dict[str, str]) -> Any:
    env_file = tmp_path / "test.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    cmd = [require("docker-compose"), "--env-file", str(env_file), "-f", "compose.yaml"]
    if profile:
        cmd += ["--profile", profile]
    return run([*cmd, "config"])


TEST_ENV = {"POSTGRES_PASSWORD": "pw-for-config-test", "MATDISCOVER_SECRET_KEY": "k" * 48}


@pytest.mark.parametrize("profile", list(PROFILES), ids=lambda p: p or "default")
def test_compose_profile(profile: str, tmp_path: Path) -> None:
    result = compose_config(tmp_path, profile, TEST_ENV)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    services = config["services"]
    # docker-compose 1.29 prints every service with its profiles; `up` starts these:
    active = {
        name
        for name, svc in services.items()
        if not svc.get("profiles") or profile in svc["profiles"]
    }
    assert active == PROFILES[profile]
    for name in active:
        for dependency in services[name].get("depends_on", {}):
            assert dependency in active, f"{name} depends on {dependency}, not in {profile}"
        for published in services[name].get("ports", []):
            assert str(published).startswith("127.0.0.1:"), (name, published)

    postgres = services["postgres"]
    assert re.fullmatch(r"pgvector/pgvector:[0-9.]+-pg16", postgres["image"])
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert any(v.startswith("pgdata:") or v.get("source") == "pgdata" for v in _volumes(postgres))
    for name in ("api", "worker"):
        assert services[name]["environment"]["MATDISCOVER_DATABASE_URL"] == (
            "postgresql://matdiscover:pw-for-config-test@postgres:5432/matdiscover"
        )
        assert services[name]["healthcheck"]["test"]
    assert services["api"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["worker"]["depends_on"]["api"]["condition"] == "service_healthy"
    assert services["worker"]["command"][:3] == ["worker", "--queue", "default"]
    assert "api/v1/health" in " ".join(services["api"]["healthcheck"]["test"])

    if profile == "gpu":
        gpu = services["gpu-worker"]
        assert gpu["command"][:3] == ["worker", "--queue", "gpu"]
        (device,) = gpu["deploy"]["resources"]["reservations"]["devices"]
        assert device["capabilities"] == ["gpu"] and device["driver"] == "nvidia"
        assert gpu["build"]["dockerfile"] == "Dockerfile.gpu"
    if profile == "monitoring":
        mounts = " ".join(str(v) for s in ("prometheus", "grafana") for v in _volumes(services[s]))
        for source in (
            "deploy/prometheus",
            "deploy/grafana/provisioning",
            "deploy/grafana/dashboards",
        ):
            assert str(ROOT / source) in mounts
        assert "/run/matdiscover/metrics_token" in " ".join(services["prometheus"]["command"])
    if profile == "mlflow":
        command = services["mlflow"]["command"]
        store = command[command.index("--backend-store-uri") + 1]
        assert store == "postgresql://matdiscover:pw-for-config-test@postgres:5432/mlflow"
        assert services["mlflow"]["depends_on"]["mlflow-db"]["condition"] == (
            "service_completed_successfully"
        )


def _volumes(service: dict[str, Any]) -> list[Any]:
    return service.get("volumes", [])


def test_compose_refuses_to_run_without_secrets(tmp_path: Path) -> None:
    result = compose_config(tmp_path, "", {"POSTGRES_PASSWORD": "pw"})
    assert result.returncode != 0
    assert "MATDISCOVER_SECRET_KEY" in result.stderr


def test_env_example_documents_every_variable() -> None:
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", (ROOT / "compose.yaml").read_text()))
    lines = (DEPLOY / "env.example").read_text().splitlines()
    documented = {}
    for i, line in enumerate(lines):
        if m := re.fullmatch(r"([A-Z0-9_]+)=(.*)", line):
            documented[m[1]] = m[2]
            assert lines[i - 1].startswith("#") or lines[i - 1][:1].isupper(), m[1]
    assert used == set(documented)
    for key, value in documented.items():
        if SECRET_WORDS.search(key):
            assert value == "", f"{key} must be blank in env.example"
