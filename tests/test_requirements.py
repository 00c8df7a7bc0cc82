"""The lock files (`make lock`) hold what requirements.in and requirements-dev.in ask for.

`make run` and `make test` install from the locks alone, so a requirement added or narrowed in an
``.in`` file without `make lock` would never be installed; this fails first.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def requirements(name: str) -> list[Requirement]:
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    return [Requirement(line.split("#")[0].strip()) for line in lines if line.strip() and line[0] not in "#-"]


def pins(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text(encoding="utf-8")
    return {canonicalize_name(n): v for n, v in re.findall(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s\\]+)", text, re.M)}


@pytest.mark.parametrize(
    ("source", "lock"),
    [("requirements.in", "requirements.lock"), ("requirements-dev.in", "requirements-dev.lock")],
)
def test_every_requirement_is_pinned_in_its_lock_within_its_bounds(source, lock):
    pinned = pins(lock)
    wrong = []
    for requirement in requirements(source):
        version = pinned.get(canonicalize_name(requirement.name))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            wrong.append(f"{requirement} (locked: {version})")
    assert wrong == [], f"run `make lock`: {lock} does not satisfy {source}: {wrong}"


def test_the_dev_lock_pins_the_apps_requirements_as_the_app_lock_does():
    app, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    differ = {name: (version, dev.get(name)) for name, version in app.items() if dev.get(name) != version}
    assert differ == {}, f"run `make lock`: the two locks disagree on {differ}"
