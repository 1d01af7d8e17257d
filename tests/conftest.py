"""Shared fixtures: example files and a fresh copy of their data."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest

from schemas import address_schema, inspection_schema, shipped_norm_sets

EXAMPLES = resources.files("schemas").joinpath("examples")


def example(name: str) -> dict[str, Any]:
    """Return a fresh copy of an example file's raw JSON."""
    return copy.deepcopy(json.loads(EXAMPLES.joinpath(name).read_text(encoding="utf-8")))


@pytest.fixture
def aalsmeer() -> dict[str, Any]:
    """The shipped Aalsmeer norm set."""
    return next(s for s in shipped_norm_sets() if s["id"] == "aalsmeer")


@pytest.fixture
def compliant() -> tuple[dict[str, Any], dict[str, Any]]:
    """The compliant example, loaded through the schemas."""
    raw = example("compliant.json")
    return address_schema.load(raw["address"]), inspection_schema.load(raw["inspection"])
