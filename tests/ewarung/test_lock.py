"""The hash-checked locks (requirements/, written by scripts/lock.sh) agree with pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)(?: ;.*?)? \\$")


def _project() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)


def _pins(name: str) -> dict[str, tuple[str, int]]:
    """Each locked package: its version and how many file hashes it has."""
    pins: dict[str, tuple[str, int]] = {}
    current = ""
    for line in (ROOT / "requirements" / name).read_text().splitlines():
        if match := PIN.match(line):
            current = canonicalize_name(match[1])
            pins[current] = (match[2], 0)
        elif line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def _wanted(lock: str) -> list[Requirement]:
    project = _project()
    names = list(project["project"]["dependencies"])
    names += project["build-system"]["requires"]
    if lock == "test.txt":
        extras = project["project"]["optional-dependencies"]
        names += extras["test"] + extras["lock"]
    return [Requirement(n) for n in names]


@pytest.mark.parametrize("lock", ["run.txt", "test.txt"])
def test_every_declared_dependency_is_locked_within_its_range(lock):
    pins = _pins(lock)
    for req in _wanted(lock):
        name = canonicalize_name(req.name)
        assert name in pins, f"{req} is not in requirements/{lock}: run bash scripts/lock.sh"
        assert req.specifier.contains(pins[name][0], prereleases=True), (str(req), pins[name])


@pytest.mark.parametrize("lock", ["run.txt", "test.txt"])
def test_every_locked_package_is_pinned_with_hashes(lock):
    pins = _pins(lock)
    assert len(pins) > 20
    assert [name for name, (_v, hashes) in pins.items() if hashes == 0] == []
    text = (ROOT / "requirements" / lock).read_text()
    # no editable or unpinned lines, no index of one machine
    assert not re.search(r"^(-e|--index-url|--extra-index-url|--find-links)", text, re.M)


def test_the_tests_run_the_versions_the_shop_runs():
    shop, tests = _pins("run.txt"), _pins("test.txt")
    assert {n: tests.get(n, ("missing", 0))[0] for n in shop} == \
        {n: v for n, (v, _h) in shop.items()}
