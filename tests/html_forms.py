"""A page's form as a browser would send it, for tests that must not guess its fields
(a pre-checked radio, the image slots, hidden tokens)."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, marker: str):
        super().__init__(convert_charrefs=True)
        self.marker, self.inside, self.data, self.template = marker, False, [], 0
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.marker in attrs:
            self.inside = True
        if tag == "template":  # inert: a slot for scripts to copy, never sent
            self.template += 1
        if not self.inside or self.template or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file"):
                self.data.append((name, attrs.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.append((name, ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            name, text = self.data[-1]
            self.data[-1] = (name, text + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "template":
            self.template -= 1
        elif tag == "textarea" and self._textarea is not None:
            name, text = self.data[-1]
            # A newline right after <textarea> is not part of its value (HTML parsing rule).
            self.data[-1] = (name, text.removeprefix("\n"))
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_data(page: str, marker: str = "data-editor") -> dict:
    """The fields of the form carrying the attribute `marker`, as the browser would
    submit it unchanged (lists for repeated names, like the channel checkboxes)."""
    parser = _FormParser(marker)
    parser.feed(page)
    data: dict[str, list[str]] = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}
