"""Every module of the project can be imported first, as a worker or a script would:
no import cycle can come back unseen.

A cycle often hides behind import order: it breaks only when one particular module is
the first to be imported (the publisher's `holds` before the workflow package, say),
and the admin's autodiscovery usually imports things in an order that works. So one
process sets Django up with the admin's autodiscovery off (SimpleAdminConfig) and then,
for each module, forks a child that imports that module and nothing else first: each
child is a fresh start with the apps ready, at the cost of a fork.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["config", "accounts", "editorial"]
# Apps added beside editorial (notifications, api, reports, workspace…) are found by
# their apps.py: each new capability is checked without editing this list.
PACKAGES += sorted(
    path.parent.name
    for path in ROOT.glob("*/apps.py")
    if path.parent.name not in PACKAGES and path.parent.name not in ("tests", "bench")
)


def project_modules() -> list[str]:
    modules = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).with_suffix("")
            parts = list(relative.parts)
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules.append(".".join(parts))
    return modules


MODULES = project_modules()

SCRIPT = textwrap.dedent(
    """
    import importlib, json, os, sys, traceback
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    from django.conf import settings
    from django.apps import apps
    def is_admin(app):
        return app == "django.contrib.admin" or app.endswith("AdminConfig")
    installed = [
        "django.contrib.admin.apps.SimpleAdminConfig" if is_admin(app) else app
        for app in settings.INSTALLED_APPS
    ]
    assert installed != list(settings.INSTALLED_APPS), "the admin app was not found"
    apps.populate(installed)
    results = {}
    for name in json.loads(sys.argv[1]):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            try:
                importlib.import_module(name)
                message = ""
            except BaseException:
                message = traceback.format_exc(limit=-6)
            os.write(write, message.encode())
            os._exit(0)
        os.close(write)
        chunks = []
        while chunk := os.read(read, 65536):
            chunks.append(chunk)
        os.close(read)
        os.waitpid(pid, 0)
        results[name] = b"".join(chunks).decode()
    print(json.dumps(results))
    """
)


@pytest.fixture(scope="module")
def import_errors() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(MODULES)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_the_list_covers_the_publisher_the_workflow_and_the_apps_beside_them():
    assert {
        "editorial.publishing.holds",
        "editorial.workflow",
        "config.supervisor",
        "workspace.views",
        "demo.build",
        "demo.management.commands.seed_demo",
    } <= set(MODULES)


def imported_names(path: Path) -> set[str]:
    """The absolute module names a file imports (`import a.b`, `from a.b import c`)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", ["accounts", "editorial"])
def test_the_product_never_imports_the_apps_beside_it(package):
    """The apps beside editorial (workspace, demo…) depend on it, never the reverse."""
    beside = set(PACKAGES) - {"config", "accounts", "editorial"}
    assert {"workspace", "demo", "notifications"} <= beside
    found = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in imported_names(path)
        if name.split(".")[0] in beside
    ]
    assert found == []


@pytest.mark.parametrize("module", MODULES)
def test_the_module_imports_first_without_a_cycle(module, import_errors):
    assert import_errors[module] == "", import_errors[module]
