import re
from pathlib import Path

from editorial.diagram import render_all

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_shows_the_state_machine_as_the_code_defines_it():
    assert render_all() in README.read_text(encoding="utf-8")


def test_the_readme_points_only_to_files_a_clone_has():
    text = README.read_text(encoding="utf-8")
    # Paths with a folder (bare names in the layout table are relative to their folder).
    paths = re.findall(r"`([\w.-]*/[\w./-]+\.(?:md|py|html|toml|json))`", text)
    assert "docs/performance.md" in paths
    for path in paths:
        assert not path.startswith("../"), path
        assert (README.parent / path).exists(), path


def test_the_readme_says_what_the_language_middleware_does():
    from django.conf import settings

    text = README.read_text(encoding="utf-8")
    assert "is in French, as institutions expect, whatever the browser's language" in text
    assert "accounts.middleware.ChosenLanguageMiddleware" in settings.MIDDLEWARE
    assert "django.middleware.locale.LocaleMiddleware" not in settings.MIDDLEWARE
