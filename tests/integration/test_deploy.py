"""docs/deploy.md followed on loopback: a fresh PostgreSQL database with the owner and
application roles and their grants, a Redis of its own, `migrate` as the owner,
`collectstatic`, gunicorn with 2 workers, a Celery worker and exactly one beat, all with
the production settings (config.settings, DEBUG off, keys set) and the application role.

The test plays the reverse proxy: it sends `X-Forwarded-Proto: https`, which the
production settings trust only because TRUST_X_FORWARDED_PROTO=1.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import httpx
import psycopg
import pytest
from psycopg import sql

from tests import processes
from tests.integration.conftest import Child, eventually, unavailable

pytestmark = pytest.mark.postgres

SERVER = os.environ.get("CADENCE_IT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
START_TIMEOUT = 40
PROXY = {"X-Forwarded-Proto": "https"}

# docs/deploy.md, section 3, as the superuser and then as the owner.
CREATE = [
    "CREATE ROLE {owner} LOGIN PASSWORD {owner_password}",
    "CREATE ROLE {app} LOGIN PASSWORD {app_password}",
    "CREATE DATABASE {db} OWNER {owner} ENCODING 'UTF8'",
    "REVOKE ALL ON DATABASE {db} FROM PUBLIC",
    "GRANT CONNECT ON DATABASE {db} TO {app}",
]
GRANTS = [
    "GRANT USAGE ON SCHEMA public TO {app}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
    "REVOKE UPDATE, DELETE, TRUNCATE ON editorial_auditentry FROM {app}",
    "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
    " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
    "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
    " GRANT USAGE, SELECT ON SEQUENCES TO {app}",
]


def _run(statements: list[str], url: str, names: dict[str, str]) -> None:
    with psycopg.connect(url, autocommit=True, connect_timeout=3) as conn:
        for statement in statements:
            conn.execute(
                sql.SQL(statement).format(
                    **{
                        key: sql.Literal(value)
                        if key.endswith("password")
                        else sql.Identifier(value)
                        for key, value in names.items()
                    }
                )
            )


class Database:
    """The roles and database of docs/deploy.md under fresh names, dropped afterwards."""

    def __init__(self):
        suffix = secrets.token_hex(4)
        self.names = {
            "db": f"cadence_deploy_{suffix}",
            "owner": f"cadence_owner_{suffix}",
            "app": f"cadence_app_{suffix}",
            "owner_password": secrets.token_hex(12),
            "app_password": secrets.token_hex(12),
        }

    def url(self, role: str) -> str:
        n = self.names
        return f"postgres://{n[role]}:{n[role + '_password']}@127.0.0.1:5432/{n['db']}"

    def create(self) -> None:
        _run(CREATE, f"{SERVER}/postgres", self.names)

    def grant(self) -> None:
        _run(GRANTS, self.url("owner"), self.names)

    def drop(self) -> None:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=3) as conn:
            names = {
                k: sql.Identifier(v) for k, v in self.names.items() if k in {"db", "owner", "app"}
            }
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {db} WITH (FORCE)").format(**names))
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {app}").format(**names))
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {owner}").format(**names))


@pytest.fixture
def database():
    try:
        with psycopg.connect(f"{SERVER}/postgres", connect_timeout=2) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        unavailable(f"needs PostgreSQL at {SERVER} (superuser, to create roles): {exc}")
    db = Database()
    db.create()
    yield db
    db.drop()


def production_env(tmp_path, database_url: str, redis_url: str) -> dict[str, str]:
    """The environment file of docs/deploy.md, section 1, with loopback values."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "CADENCE_", "PUBLISHING_"))
        and key not in {"DEBUG", "SECRET_KEY", "HEALTHZ_TOKEN", "DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        TRUST_X_FORWARDED_PROTO="1",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CADENCE_CREDENTIALS_KEYS="dGVzdC1vbmx5LWNyZWRlbnRpYWxzLWtleS0zMmJ5dGU=",
        CADENCE_AUDIT_KEYS=secrets.token_urlsafe(48),
        HEALTHZ_TOKEN=secrets.token_urlsafe(32),
        CADENCE_VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "var" / "media"),
        STATIC_ROOT=str(tmp_path / "static"),
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="INFO",
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=processes.REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"


def test_the_deploy_guide_brings_up_a_healthy_site_on_loopback(
    database, own_redis, children, tmp_path
):
    port = processes.free_port()
    base = f"http://127.0.0.1:{port}"
    owner_env = production_env(tmp_path, database.url("owner"), own_redis.url)
    env = {**owner_env, "DATABASE_URL": database.url("app")}
    (tmp_path / "var").mkdir()
    manage(env, "check", "--deploy", "--fail-level", "WARNING")

    # migrate as the owner and collectstatic side by side: neither needs the other.
    collect = subprocess.Popen(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=processes.REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    manage(owner_env, "migrate", "--noinput", "-v", "0")
    database.grant()
    collected = collect.communicate(timeout=120)[0].decode(errors="replace")
    assert collect.returncode == 0, f"collectstatic:\n{collected}"

    def start(name: str, args: list[str], **extra: str) -> Child:
        child = Child(name, args, {**env, **extra}, tmp_path / f"{name}.log")
        children.append(child)
        return child

    bin_dir = os.path.dirname(sys.executable)
    web = start(
        "gunicorn",
        [
            os.path.join(bin_dir, "gunicorn"), "config.wsgi",
            "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60",
            "--access-logfile", "-", "--forwarded-allow-ips", "127.0.0.1",
        ],
    )  # fmt: skip
    start(
        "worker",
        [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "threads",
            "--concurrency", "4", "--without-mingle", "--without-gossip",
            "-n", "deploy@%h", "--loglevel", "INFO",
        ],
        DATABASE_POOL_MAX_SIZE="4",  # the worker unit's own setting
    )  # fmt: skip
    start(
        "beat",
        [
            sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO",
            "-s", str(tmp_path / "var" / "celerybeat-schedule"),
        ],
    )  # fmt: skip
    web.wait_for_log(r"Booting worker with pid", timeout=START_TIMEOUT)

    client = httpx.Client(base_url=base, headers=PROXY, timeout=10)
    monitor = {"Authorization": f"Bearer {env['HEALTHZ_TOKEN']}"}

    def health() -> dict | None:
        for child in children:
            if not child.alive():
                pytest.fail(f"{child.name} exited ({child.proc.returncode}):\n{child.log_tail()}")
        try:
            answer = client.get("/healthz.json", headers=monitor)
        except httpx.TransportError:
            return None
        body = answer.json()
        return body if answer.status_code == 200 else None

    body = eventually(health, START_TIMEOUT, "/healthz.json to answer 200", interval=0.25)
    checks = body["checks"]
    for part in ("database", "broker", "scheduler", "workers", "sweep"):
        assert checks[part]["ok"], f"{part}: {checks[part]}"
    assert checks["workers"]["names"] == [f"deploy@{os.uname().nodename}"]
    # Without the token a monitor learns the verdict alone.
    assert client.get("/healthz.json").json() == {"status": body["status"]}

    # Plain HTTP that did not come through the proxy is sent to HTTPS.
    assert httpx.get(f"{base}/login/", timeout=10).status_code == 301

    login = client.get("/login/")
    assert login.status_code == 200
    assert "script-src 'self'" in login.headers["content-security-policy"]
    assert login.headers["x-content-type-options"] == "nosniff"
    assert login.headers["x-frame-options"] == "DENY"
    assert login.headers["referrer-policy"] == "same-origin"
    assert "camera=()" in login.headers["permissions-policy"]
    assert login.headers["strict-transport-security"].startswith("max-age=31536000")

    # The page links its stylesheet under a hashed name WhiteNoise serves for a year.
    match = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', login.text)
    assert match, "no hashed stylesheet in the login page"
    static = client.get(match.group(1), headers={"Accept-Encoding": "gzip"})
    assert static.status_code == 200
    assert static.headers["cache-control"] == "max-age=315360000, public, immutable"
    assert static.headers["content-encoding"] == "gzip"
    assert static.headers["content-type"].startswith("text/css")

    # The application's role only adds to the audit trail.
    app_url = database.url("app").replace("postgres://", "postgresql://")
    with psycopg.connect(app_url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("DELETE FROM editorial_auditentry")
