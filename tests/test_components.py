"""The markers for real components: a missing one skips the test, and fails it under CI=true."""

from __future__ import annotations

import components
import pytest


@pytest.fixture
def gone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(components.MARKERS, "needs_browser", lambda: "no Chromium at /nowhere")


@pytest.mark.usefixtures("gone")
def test_a_missing_component_skips_outside_ci() -> None:
    with pytest.raises(pytest.skip.Exception) as exc:
        components.require("needs_browser", {})
    assert str(exc.value) == "needs_browser: no Chromium at /nowhere"


@pytest.mark.usefixtures("gone")
@pytest.mark.parametrize("value", ["true", "TRUE", "1", "yes"])
def test_a_missing_component_fails_under_ci(value: str) -> None:
    with pytest.raises(pytest.fail.Exception) as exc:
        components.require("needs_browser", {"CI": value})
    assert str(exc.value) == (
        "needs_browser: no Chromium at /nowhere; under CI=true a missing component fails the test"
    )


@pytest.mark.usefixtures("gone")
@pytest.mark.parametrize("value", ["", "false", "0"])
def test_ci_must_say_true(value: str) -> None:
    with pytest.raises(pytest.skip.Exception):
        components.require("needs_browser", {"CI": value})


def test_a_present_component_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(components.MARKERS, "needs_java", lambda: None)
    components.require("needs_java", {"CI": "true"})


def test_the_markers_are_registered(pytestconfig: pytest.Config) -> None:
    registered = {line.split(":")[0] for line in pytestconfig.getini("markers")}
    assert set(components.MARKERS) <= registered
