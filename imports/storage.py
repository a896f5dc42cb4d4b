"""The uploaded file, kept between the preview and the confirmation.

In a private folder under a random key that only the uploader's session holds, with
its SHA-256 beside it in the session: a key guessed or a file swapped meanwhile is no
file. Files older than a day are swept at each upload.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import tempfile
import time
from pathlib import Path

from django.conf import settings

SESSION_KEY = "imports.pending"
KEY = re.compile(r"^[A-Za-z0-9_-]{32}$")
MAX_AGE = 24 * 3600


def _folder() -> Path:
    folder = Path(
        getattr(settings, "CADENCE_IMPORTS_DIR", "")
        or Path(tempfile.gettempdir()) / "cadence-imports"
    )
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    limit = time.time() - MAX_AGE
    for path in folder.glob("*.upload"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


def keep(session, name: str, data: bytes) -> str:
    folder = _folder()
    _sweep(folder)
    forget(session)
    key = secrets.token_urlsafe(24)
    (folder / f"{key}.upload").write_bytes(data)
    session[SESSION_KEY] = {
        "key": key,
        "name": name,
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    return key


def claim(session, key: str) -> tuple[str, bytes] | None:
    """The kept file, taken for one confirmation only: it is renamed away first (atomic),
    so that a double click or two tabs confirming at once import it once."""
    pending = session.get(SESSION_KEY)
    if not pending or pending.get("key") != key or not KEY.match(key):
        return None
    folder = _folder()
    claimed = folder / f"{key}.claimed"
    try:
        (folder / f"{key}.upload").rename(claimed)
        data = claimed.read_bytes()
    except OSError:
        return None
    finally:
        claimed.unlink(missing_ok=True)
    if hashlib.sha256(data).hexdigest() != pending.get("sha256"):
        return None
    return pending["name"], data


def forget(session) -> None:
    pending = session.pop(SESSION_KEY, None)
    if pending and KEY.match(pending.get("key", "")):
        (_folder() / f"{pending['key']}.upload").unlink(missing_ok=True)
