"""docker-compose.yml and the Dockerfile agree with the code and with each other.

No Docker engine is needed: the files are read as YAML and text, `${VAR:-default}`
is resolved to its default, and the API's environment is fed to `Settings`.
"""

import json
import os
import re
import shlex
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase
from pydantic import BaseModel

from gql_media import startup
from gql_media.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

APP_SERVICES = ("api", "worker")
# `$$` is a literal dollar; `${NAME...}` and `$NAME` are interpolated by Compose.
INTERPOLATION = re.compile(
    r"\$\$|\$\{(?P<braced>\w+)(?P<op>:?-(?P<default>[^}]*))?\}|\$(?P<bare>\w+)"
)
ENV_NAME = re.compile(r"\bGQL_MEDIA_[A-Za-z0-9_]+")
# Example values for settings the compose file passes through from the shell
# (`NAME:` with no value), so that they too are shown to reach `Settings`.
PASS_THROUGH_SAMPLES = {
    "GQL_MEDIA_IMPORT__ALLOW_NETWORKS": "10.0.0.0/8,fd00::/8",
    "GQL_MEDIA_WEBHOOKS__REPLICATE_SECRET": "whsec_c2FtcGxl",
}


def _resolve(text: str) -> str:
    """Interpolate as Compose does with an empty shell: every variable's default."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("braced") or match.group("bare")
        assert match.group("op"), f"${{{name}}} has no default in {COMPOSE_FILE.name}"
        return match.group("default")

    return INTERPOLATION.sub(replace, text)


def _settings_env_names() -> dict[str, tuple[str, ...]]:
    """Every env var `Settings` reads, mapped to the attribute path it sets."""
    prefix = Settings.model_config.get("env_prefix", "")
    delimiter = Settings.model_config.get("env_nested_delimiter") or ""
    names: dict[str, tuple[str, ...]] = {}

    def walk(annotation: Any, env_name: str, path: tuple[str, ...]) -> None:
        names[env_name.upper()] = path
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return
        if not delimiter:
            return
        for name, field in annotation.model_fields.items():
            alias = field.validation_alias
            key = alias if isinstance(alias, str) else name
            walk(field.annotation, f"{env_name}{delimiter}{key}", (*path, name))

    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        # pydantic-settings reads an aliased field from the alias itself, unprefixed
        # (`import_` is read from GQL_MEDIA_IMPORT).
        env_name = alias if isinstance(alias, str) else f"{prefix}{name}"
        walk(field.annotation, env_name, (name,))
    return names


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    instructions = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def _as_argv(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else list(command)


def _shell_expand(text: str, env: dict[str, str]) -> str:
    """Expand `$NAME` and `${NAME}` in a container's shell command."""
    return re.sub(
        r"\$\{?(\w+)\}?", lambda match: env.get(match.group(1), match.group(0)), text
    )


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def _environment(service: dict[str, Any]) -> dict[str, str]:
    """The service's resolved environment; pass-through (valueless) names left out."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = {
            item.partition("=")[0]: item.partition("=")[2] if "=" in item else None
            for item in raw
        }
    return {
        name: _resolve(str(value)) for name, value in raw.items() if value is not None
    }


def _pass_through(service: dict[str, Any]) -> set[str]:
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        return {item for item in raw if "=" not in item}
    return {name for name, value in raw.items() if value is None}


def _published_container_ports(service: dict[str, Any]) -> set[int]:
    ports = set()
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            ports.add(int(entry["target"]))
        else:
            ports.add(int(str(entry).split("/")[0].rsplit(":", 1)[-1]))
    return ports


def _depends_on(service: dict[str, Any]) -> dict[str, str]:
    depends_on = service.get("depends_on", {})
    assert isinstance(depends_on, dict), "depends_on needs the long form (conditions)"
    return {name: spec.get("condition") for name, spec in depends_on.items()}


def _app_envs(
    services: dict[str, dict[str, Any]],
) -> Iterator[tuple[str, dict[str, str]]]:
    for name in APP_SERVICES:
        yield name, _environment(services[name])


def test_services_exist(services: dict[str, dict[str, Any]]) -> None:
    expected = {"api", "worker", "postgres", "redis", "minio", "minio-setup"}
    assert expected <= set(services)


def test_compose_has_no_version_key(compose: dict[str, Any]) -> None:
    assert "version" not in compose


def test_every_interpolation_has_a_default() -> None:
    # `docker compose up` must work with no .env file; _resolve fails otherwise.
    _resolve(COMPOSE_FILE.read_text())


def test_app_services_build_from_the_repo_dockerfile(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in APP_SERVICES:
        build = services[name]["build"]
        if isinstance(build, str):
            build = {"context": build}
        context = (ROOT / build["context"]).resolve()
        assert context == ROOT, name
        assert (context / build.get("dockerfile", "Dockerfile")).resolve() == (
            DOCKERFILE
        ), name
    assert DOCKERFILE.is_file()


def test_dockerfile() -> None:
    instructions = _dockerfile_instructions()
    by_keyword: dict[str, list[str]] = {}
    for keyword, rest in instructions:
        by_keyword.setdefault(keyword, []).append(rest)

    assert by_keyword["FROM"][0].startswith("python:3.11-slim")
    assert any(
        "apt-get install" in run and re.search(r"\bffmpeg\b", run)
        for run in by_keyword["RUN"]
    ), "ffmpeg (with ffprobe) is not installed"

    healthchecks = by_keyword.get("HEALTHCHECK", [])
    assert len(healthchecks) == 1
    assert "http://127.0.0.1:8000/healthz" in healthchecks[0]

    # The last USER wins; it must exist (created in a RUN) and must not be root.
    users = by_keyword.get("USER", [])
    assert users, "the image runs as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    assert any(
        re.search(rf"\b(useradd|adduser)\b.*\b{re.escape(user)}\b", run)
        for run in by_keyword["RUN"]
    ), f"user {user} is never created"

    assert "8000" in " ".join(by_keyword.get("EXPOSE", []))
    cmd = by_keyword["CMD"][-1]
    assert cmd.index("gql-media migrate") < cmd.index("gql-media serve")
    assert "0.0.0.0" in cmd and "8000" in cmd


def test_worker_module_is_in_the_image(services: dict[str, dict[str, Any]]) -> None:
    argv = _as_argv(services["worker"]["command"])
    assert argv == ["arq", "worker.WorkerSettings"]
    # arq imports `worker` from the working directory, so worker.py must be there.
    instructions = _dockerfile_instructions()
    workdir = [rest for kw, rest in instructions if kw == "WORKDIR"][-1]
    copies = [rest.split() for kw, rest in instructions if kw == "COPY"]
    assert any(
        parts[-2] == "worker.py"
        and parts[-1].rstrip("/") in {".", workdir, f"{workdir}/worker.py"}
        for parts in copies
    ), "worker.py is not copied into the working directory"


def test_env_names_are_real_settings(services: dict[str, dict[str, Any]]) -> None:
    valid = _settings_env_names()
    used = set(ENV_NAME.findall(COMPOSE_FILE.read_text()))
    used |= set(ENV_NAME.findall(DOCKERFILE.read_text()))
    for service in services.values():
        used |= {name for name in _environment(service) if name.startswith("GQL_")}
        used |= {name for name in _pass_through(service) if name.startswith("GQL_")}
    assert used, "no GQL_MEDIA_* names found"
    unknown = {name for name in used if name.upper() not in valid}
    assert not unknown, f"not settings (renamed?): {sorted(unknown)}"


def test_api_and_worker_share_one_configuration(
    services: dict[str, dict[str, Any]],
) -> None:
    api, worker = (dict(env) for _, env in _app_envs(services))
    assert api == worker
    assert _pass_through(services["api"]) == _pass_through(services["worker"])


def test_distributed_mode_essentials(services: dict[str, dict[str, Any]]) -> None:
    postgres = _environment(services["postgres"])
    minio = _environment(services["minio"])
    for name, env in _app_envs(services):
        db = urlsplit(env["GQL_MEDIA_DATABASE_URL"])
        assert db.scheme in {"postgres", "postgresql"}, name
        assert (db.hostname, db.port or 5432) == ("postgres", 5432), name
        assert db.username == postgres["POSTGRES_USER"], name
        assert db.password == postgres["POSTGRES_PASSWORD"], name
        assert db.path == f"/{postgres['POSTGRES_DB']}", name

        redis = urlsplit(env["GQL_MEDIA_REDIS_URL"])
        assert redis.scheme == "redis", name
        assert (redis.hostname, redis.port or 6379) == ("redis", 6379), name

        assert env["GQL_MEDIA_STORAGE__BACKEND"] == "s3", name
        endpoint = urlsplit(env["GQL_MEDIA_STORAGE__ENDPOINT_URL"])
        assert (endpoint.hostname, endpoint.port) == ("minio", 9000), name
        assert env["GQL_MEDIA_STORAGE__BUCKET"], name
        assert env["GQL_MEDIA_STORAGE__ACCESS_KEY_ID"] == minio["MINIO_ROOT_USER"]
        assert (
            env["GQL_MEDIA_STORAGE__SECRET_ACCESS_KEY"] == minio["MINIO_ROOT_PASSWORD"]
        )
        assert env["GQL_MEDIA_DATA_DIR"] == "/data", name


def test_minio_setup_creates_the_configured_bucket(
    services: dict[str, dict[str, Any]],
) -> None:
    setup = services["minio-setup"]
    assert setup.get("restart") == "no"
    assert _depends_on(setup) == {"minio": "service_healthy"}

    env = _environment(setup)
    argv = _as_argv(setup.get("entrypoint", [])) + _as_argv(setup["command"])
    script = _shell_expand(_resolve(" ".join(argv)), env).replace('"', "")
    alias = re.search(r"\bmc alias set (\S+) (\S+) (\S+) (\S+)", script)
    assert alias, script
    mc_alias, url, user, password = alias.groups()
    assert urlsplit(url).hostname == "minio" and urlsplit(url).port == 9000
    minio = _environment(services["minio"])
    assert (user, password) == (minio["MINIO_ROOT_USER"], minio["MINIO_ROOT_PASSWORD"])

    made = re.search(rf"\bmc mb\b[^&;|]*?\s{re.escape(mc_alias)}/([\w.-]+)", script)
    assert made, script
    for name, app_env in _app_envs(services):
        assert made.group(1) == app_env["GQL_MEDIA_STORAGE__BUCKET"], name


def test_redis_keeps_jobs(services: dict[str, dict[str, Any]]) -> None:
    argv = _as_argv(services["redis"]["command"])
    pairs = dict(pairwise(argv))
    assert pairs.get("--appendonly") == "yes"
    assert pairs.get("--maxmemory-policy") == "noeviction"


def test_healthchecks(services: dict[str, dict[str, Any]]) -> None:
    for name in ("api", "postgres", "redis", "minio"):
        check = services[name].get("healthcheck")
        assert check and not check.get("disable") and check.get("test"), name
    text = {
        name: " ".join(_as_argv(services[name]["healthcheck"]["test"]))
        for name in ("api", "postgres", "redis")
    }
    assert "http://127.0.0.1:8000/healthz" in text["api"]
    assert "pg_isready" in text["postgres"]
    assert "redis-cli ping" in text["redis"]
    # The image's HEALTHCHECK asks the HTTP server, which a worker does not run.
    worker_check = services["worker"].get("healthcheck", {})
    assert worker_check.get("disable") is True or worker_check.get("test") == ["NONE"]


def test_depends_on_conditions(services: dict[str, dict[str, Any]]) -> None:
    for name in APP_SERVICES:
        depends_on = _depends_on(services[name])
        assert depends_on["postgres"] == "service_healthy", name
        assert depends_on["redis"] == "service_healthy", name
        assert depends_on["minio-setup"] == "service_completed_successfully", name
    # Waiting for health only works on a service that has a health check.
    for name, service in services.items():
        for target, condition in _depends_on(service).items():
            assert target in services, (name, target)
            if condition == "service_healthy":
                check = services[target].get("healthcheck")
                assert check and not check.get("disable"), (name, target)


def test_worker_is_scalable_and_api_is_published(
    services: dict[str, dict[str, Any]],
) -> None:
    worker = services["worker"]
    assert not worker.get("ports")
    assert "container_name" not in worker
    assert 8000 in _published_container_ports(services["api"])
    assert "container_name" not in services["api"]


def test_settings_accept_the_api_environment(
    services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.upper().startswith("GQL_MEDIA_"):
            monkeypatch.delenv(name)
    env = _environment(services["api"])
    passed = _pass_through(services["api"])
    missing = passed - set(PASS_THROUGH_SAMPLES)
    assert not missing, f"add a sample value to PASS_THROUGH_SAMPLES: {missing}"
    env |= {name: PASS_THROUGH_SAMPLES[name] for name in passed}
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    settings = Settings()

    assert settings.storage.backend == "s3"
    assert settings.storage.endpoint_url == "http://minio:9000"
    assert settings.db_url.startswith("postgres://")
    assert settings.redis_url and settings.redis_url.startswith("redis://")
    # Each variable landed where its name says: none was ignored as unknown.
    paths = _settings_env_names()
    for name, raw in env.items():
        if not name.startswith("GQL_MEDIA_"):
            continue
        value: Any = settings
        for attribute in paths[name.upper()]:
            value = getattr(value, attribute)
        if isinstance(value, list):
            value = ",".join(str(item) for item in value)
        if isinstance(value, bool):
            value = str(value).lower()
        assert str(value) == raw, name
    # The API binds 0.0.0.0 in the distributed mode: it requires tokens, so
    # `gql-media serve` starts instead of refusing.
    assert settings.auth.allow_anonymous is False
    assert startup.check_access(settings, "0.0.0.0") == ""


# --- Optional observability services (Prometheus, Grafana) -------------------

DEPLOY = ROOT / "deploy"
METRIC_NAME = re.compile(r"\bgql_media_[a-z_]+")
_HISTOGRAM_PARTS = ("_bucket", "_count", "_sum")


def _known_metrics() -> set[str]:
    """Every sample name gql_media.kit.metrics exposes (histogram parts too)."""
    from gql_media.kit import metrics

    names = set()
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):
            for family in value.describe():
                names.add(family.name)
                if family.type == "counter":
                    names.add(family.name + "_total")
                if family.type == "histogram":
                    names.update(family.name + part for part in _HISTOGRAM_PARTS)
    return names


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """Container path -> host path of the service's bind mounts from the repo."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("./"):
            mounts[target] = source
    return mounts


def test_observability_services_are_optional_and_on_loopback(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in ("prometheus", "grafana"):
        service = services[name]
        assert service.get("profiles") == ["observability"], name
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)
        for target, source in _mounts(service).items():
            assert (ROOT / source).exists(), (name, source, target)
    # Without the profile, nothing depends on them.
    for name in APP_SERVICES:
        assert not {"prometheus", "grafana"} & set(_depends_on(services[name]))


def test_prometheus_scrapes_the_api_with_its_metrics_token(
    services: dict[str, dict[str, Any]],
) -> None:
    mounts = _mounts(services["prometheus"])
    config_file = ROOT / mounts["/etc/prometheus/prometheus.yml"]
    config = yaml.safe_load(config_file.read_text())
    (job,) = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    assert job["static_configs"][0]["targets"] == ["api:8000"]
    api_port = 8000
    assert api_port in _published_container_ports(services["api"])
    token = _environment(services["api"])["GQL_MEDIA_METRICS__TOKEN"]
    assert job["authorization"] == {"type": "Bearer", "credentials": token}


def test_grafana_provisions_the_prometheus_source_and_the_dashboard(
    services: dict[str, dict[str, Any]],
) -> None:
    mounts = _mounts(services["grafana"])
    provisioning = ROOT / mounts["/etc/grafana/provisioning"]
    dashboards_dir = ROOT / mounts["/var/lib/grafana/dashboards"]
    (source,) = yaml.safe_load(
        (provisioning / "datasources" / "prometheus.yml").read_text()
    )["datasources"]
    assert source["type"] == "prometheus"
    assert source["url"] == "http://prometheus:9090"
    assert "9090" in " ".join(str(p) for p in services["prometheus"].get("ports", []))
    (provider,) = yaml.safe_load(
        (provisioning / "dashboards" / "gql-media.yml").read_text()
    )["providers"]
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"
    dashboards = list(dashboards_dir.glob("*.json"))
    assert [d.name for d in dashboards] == ["gql-media.json"]


def test_the_dashboard_shows_requests_jobs_and_queue_depth_with_real_metrics() -> None:
    dashboard = json.loads((DEPLOY / "grafana/dashboards/gql-media.json").read_text())
    assert dashboard["uid"] == "gql-media"
    known = _known_metrics()
    used = set()
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == "prometheus", panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            names = set(METRIC_NAME.findall(target["expr"]))
            assert names, target["expr"]
            assert names <= known, (panel["title"], names - known)
            assert target["expr"].count("(") == target["expr"].count(")")
            used |= names
    assert "gql_media_graphql_requests_total" in used
    assert "gql_media_jobs" in used
    assert "gql_media_queue_depth" in used
