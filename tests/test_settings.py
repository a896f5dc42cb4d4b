"""Settings come from the environment and fail loudly on values that make no sense."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parent.parent


def test_a_boolean_accepts_the_usual_spellings(monkeypatch):
    for value, expected in [
        ("1", True),
        ("yes", True),
        ("On", True),
        ("0", False),
        ("false", False),
        ("", False),
    ]:
        monkeypatch.setenv("FLAG", value)
        assert env_bool("FLAG", not expected) is expected


def test_a_misspelt_boolean_stops_the_start(monkeypatch):
    monkeypatch.setenv("FLAG", "flase")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG", False)


def test_a_number_that_is_not_one_stops_the_start(monkeypatch):
    monkeypatch.setenv("N", "ten")
    with pytest.raises(ImproperlyConfigured, match="N='ten'"):
        env_int("N", 1)
    monkeypatch.setenv("N", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("N", 1, minimum=1)


def test_a_required_variable_that_is_missing_is_named(monkeypatch):
    monkeypatch.delenv("NOPE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="NOPE"):
        env_str("NOPE")


def test_a_list_is_comma_separated(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example,")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]


# The environment a freshly started process would have: none of the test run's own.
_TEST_ONLY = {
    "DEBUG",
    "SECRET_KEY",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "CADENCE_CREDENTIALS_KEYS",
}
PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "cadence.example.org",
}


def _manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in _TEST_ONLY}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_web_server_refuses_to_start_without_a_secret_key():
    clean = {k: v for k, v in os.environ.items() if k not in _TEST_ONLY}
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_commands_that_sign_nothing_run_without_a_secret_key():
    result = _manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        CADENCE_CREDENTIALS_KEYS="cHJvZHVjdGlvbi1jcmVkZW50aWFscy1rZXktMzJieXQ=",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deployment_checks_refuse_production_without_a_credentials_key():
    result = _manage("check", "--deploy", **PRODUCTION)
    assert result.returncode != 0
    assert "CADENCE_CREDENTIALS_KEYS is not set" in result.stderr


def test_signed_in_pages_are_never_stored_and_ask_for_no_device(client, cm):
    client.force_login(cm)
    response = client.get("/calendar/")
    assert response["Cache-Control"] == "no-store, private"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_client_claiming_https_is_not_believed_unless_a_proxy_is_declared(client, db):
    from django.conf import settings

    assert getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is None
    request = client.get("/healthz", headers={"X-Forwarded-Proto": "https"}).wsgi_request
    assert not request.is_secure()


def test_every_page_forbids_inline_script_and_style_attributes(client, cm):
    client.force_login(cm)
    policy = client.get("/calendar/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src-attr"] == "'none'"
    assert "'unsafe-inline'" not in policy
    assert directives["frame-ancestors"] == "'none'"


def test_the_demos_two_factor_exemption_is_refused_in_production():
    result = _manage(
        "check",
        CADENCE_CREDENTIALS_KEYS="cHJvZHVjdGlvbi1jcmVkZW50aWFscy1rZXktMzJieXQ=",
        TWO_FACTOR_EXEMPT_USERNAMES="director",
        **PRODUCTION,
    )
    assert result.returncode != 0
    assert "TWO_FACTOR_EXEMPT_USERNAMES is for the local demo" in result.stderr
