"""Shared fixtures. Prefect runs against one temporary server for the whole session."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Prefect's state never goes into the repo or the user's home during tests.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="kaohe-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def prefect_server():
    """One temporary Prefect server per test session (starting one takes ~5 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield
