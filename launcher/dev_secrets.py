"""Per-checkout development secrets for `make run`, `make shell` and the end-to-end tests.

Each secret is a random value created once in ``<var>/secrets/<VARIABLE>`` (folder 0700, file
0600) and reused by every later run, so staff sessions survive a restart and the action server
and the intake sign with the same key.  Nothing here is a constant in the source: a production
deployment sets its own INTAKE_API_SECRET, INTAKE_SECRET_KEY and INTAKE_DELIVERY_KEY (the intake
refuses to start without them outside development mode).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Dict

#: The secrets the launcher provides, by the environment variable that carries each one.
SECRET_VARIABLES = ("INTAKE_API_SECRET", "INTAKE_SECRET_KEY", "INTAKE_DELIVERY_KEY")


def _read_or_create(path: Path) -> str:
    if path.exists():
        value = path.read_text(encoding="ascii").strip()
        if value:
            os.chmod(path, 0o600)
            return value
        path.unlink()  # an empty file (a crash while it was first written): make it again
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_urlsafe(32) + "\n")
    try:
        os.link(tmp, path)  # atomic and never overwrites: a concurrent first run keeps one value
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text(encoding="ascii").strip()


def load_or_create(var_dir: Path) -> Dict[str, str]:
    """The development secrets of this checkout (``var_dir``), created on first use."""
    folder = Path(var_dir) / "secrets"
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return {name: _read_or_create(folder / name) for name in SECRET_VARIABLES}
