"""Headless Chromium for tests: load a page as a browser would, dump its DOM, photograph it.

Parsing HTML in Python says the markup is well formed; only a browser says the page
actually loads, lays out and keeps its inline SVG. Chromium is run once per call, with a
throw-away profile, on local files only.

Which Chromium: ``$ECOCLUSTER_CHROMIUM`` if set, else ``chromium``, ``chromium-browser``
or ``google-chrome`` on the PATH (``.ci/chromium.sh`` installs Debian's ``chromium``).
Without one, tests that need it are skipped, except on CI (``CI=true``), where they fail,
as the PostgreSQL tests do, so that the browser checks cannot silently go untested.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CHROMIUM_VARIABLE = "ECOCLUSTER_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_SECONDS = 60


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def find_chromium() -> str | None:
    """Path of a Chromium executable, or None."""
    configured = os.environ.get(CHROMIUM_VARIABLE, "").strip()
    if configured:
        return shutil.which(configured)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """Chromium's path; skip the test without one, or fail on CI."""
    found = find_chromium()
    if found is None:
        configured = os.environ.get(CHROMIUM_VARIABLE, "").strip()
        if configured:
            message = f"{CHROMIUM_VARIABLE}={configured} is not an executable"
        else:
            message = (
                f"no Chromium found (set {CHROMIUM_VARIABLE} or install it: "
                "`apt-get install chromium`, or source .ci/chromium.sh)"
            )
        if _on_ci():
            pytest.fail(f"CI must run the browser tests: {message}")
        pytest.skip(message)
    return found


def _run(arguments: list[str], *, timeout: float = TIMEOUT_SECONDS) -> str:
    """Run Chromium headless with a private profile; return its standard output."""
    chromium = require_chromium()
    with tempfile.TemporaryDirectory(prefix="ecocluster-chromium-") as profile:
        command = [
            chromium,
            "--headless=new",
            # The sandbox needs user namespaces, which containers and root users lack;
            # only local files written by the test itself are opened.
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            f"--user-data-dir={profile}",
            *arguments,
        ]
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
    if completed.returncode != 0:
        raise RuntimeError(
            f"Chromium exited with {completed.returncode}: {completed.stderr[-2000:]}"
        )
    return completed.stdout


def dump_dom(html_path: Path) -> str:
    """The page's DOM after loading, serialised by the browser."""
    return _run(["--virtual-time-budget=5000", "--dump-dom", Path(html_path).resolve().as_uri()])


def screenshot(html_path: Path, png_path: Path, *, width: int = 1280, height: int = 6000) -> Path:
    """A PNG of the page's first `height` pixels at a window `width` pixels wide."""
    png_path = Path(png_path).resolve()
    png_path.parent.mkdir(parents=True, exist_ok=True)
    _run(
        [
            "--hide-scrollbars",
            "--virtual-time-budget=5000",
            f"--window-size={width},{height}",
            f"--screenshot={png_path}",
            Path(html_path).resolve().as_uri(),
        ]
    )
    if not png_path.is_file():
        raise RuntimeError(f"Chromium wrote no screenshot at {png_path}")
    return png_path


def print_pdf(html_path: Path, pdf_path: Path) -> Path:
    """The page printed to PDF, as a reader's "Print" would (print styles, A4 from @page)."""
    pdf_path = Path(pdf_path).resolve()
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    _run(
        [
            "--no-pdf-header-footer",
            "--virtual-time-budget=5000",
            f"--print-to-pdf={pdf_path}",
            Path(html_path).resolve().as_uri(),
        ]
    )
    if not pdf_path.is_file():
        raise RuntimeError(f"Chromium wrote no PDF at {pdf_path}")
    return pdf_path
