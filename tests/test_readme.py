from pathlib import Path

from editorial.diagram import render_all

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_shows_the_state_machine_as_the_code_defines_it():
    assert render_all() in README.read_text(encoding="utf-8")
