"""Scenario tests for rubric authors (``conserv-rubric test``): example sheets against their ``[expect]``.

An author keeps example sheets beside a rubric, each with the result it should score. This module
scores each sheet, compares the card with the sheet's `Expectation` and reports every difference
located by file and address, with the expected and the actual figure; then, when the
``hypothesis`` extra is installed, it runs the property checks of `conserv_rubric.testing`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from os import PathLike
from typing import Final, Literal

import attrs

from ._energy_model import Coefficients
from ._expect import Expectation
from ._inputs import gather
from ._score import ScoreCard, score
from ._sheet import Sheet
from ._text import fmt, suggest, suggest_address
from .errors import Problem, RubricError
from .model import Rubric

#: How to install the property checks, for the message shown without them.
INSTALL_HYPOTHESIS: Final = "pip install 'conserv-rubric[hypothesis]'"


@attrs.frozen
class SheetOutcome:
    """One example sheet checked against its expectation.

    Attributes:
        file: where the sheet was read from (``row N`` for a CSV row, if any).
        card: its score card, or None when it could not be scored.
        differences: every way the card differs from the expectation, each a `Problem` whose
            ``expected`` and ``actual`` hold the two figures.
        errors: what stopped the check: the sheet does not fit the rubric, or its ``[expect]``
            names an address or a level the rubric lacks.
        unchecked: the sheet has no ``[expect]`` (or an empty one), so nothing was compared.
    """

    file: str
    card: ScoreCard | None
    differences: tuple[Problem, ...] = ()
    errors: tuple[Problem, ...] = ()
    unchecked: bool = False


@attrs.frozen
class Properties:
    """What became of the property checks.

    Attributes:
        status: ``"held"``, ``"failed"``, ``"unavailable"`` (no hypothesis) or ``"skipped"``.
        examples: how many generated sheets were checked.
        count: how many properties were checked.
        failure: the failure's message, when one failed.
    """

    status: Literal["held", "failed", "unavailable", "skipped"]
    examples: int = 0
    count: int = 0
    failure: str | None = None


@attrs.frozen
class ScenarioRun:
    """The result of ``conserv-rubric test``: the properties, the example sheets, the broken inputs."""

    properties: Properties
    sheets: tuple[SheetOutcome, ...]
    broken: tuple[Problem, ...]

    @property
    def failed(self) -> bool:
        """Whether a property failed, a sheet differs from its expectation, or one checks nothing."""
        return self.properties.status == "failed" or any(s.differences or s.unchecked for s in self.sheets)

    @property
    def input_error(self) -> bool:
        """Whether an input could not be read or checked."""
        return bool(self.broken) or any(s.errors for s in self.sheets)


def _mismatch(file: str, path: str, expected: str, actual: str, label: str | None = None) -> Problem:
    return Problem(
        file=file,
        path=path,
        label=label,
        message=f"expected {expected}, got {actual}",
        expected=expected,
        actual=actual,
    )


def _unknown(file: str, path: str, what: str, address: str, known: Mapping[str, str]) -> Problem:
    """*known*: each address of that kind and its title ("" for items), so that a unit or a
    project named by its title is pointed to its address."""
    return Problem(
        file=file,
        path=path,
        message=f"the rubric has no {what} '{address}'{suggest_address(address, list(known.items()), what)}",
    )


def compare(card: ScoreCard, expect: Expectation, file: str) -> tuple[list[Problem], list[Problem]]:
    """The differences between *card* and *expect*, and the expectations the rubric cannot meet.

    Args:
        card: the sheet's score card.
        expect: its ``[expect]`` table.
        file: the sheet's file, for the problems.

    Returns:
        The differences (expected against got), then the errors: an address that is no unit,
        project or item of the rubric, a level it does not have.
    """
    rubric = card.rubric
    differences: list[Problem] = []
    errors: list[Problem] = []
    if expect.total is not None and expect.total != card.total:
        differences.append(_mismatch(file, "expect.total", fmt(expect.total), fmt(card.total)))
    if expect.level is not None:
        names = [lv.name for lv in rubric.levels]
        if expect.level not in names:
            known = f"its levels are {'、'.join(names)}" if names else "it has no levels"
            hint = suggest(expect.level, names)
            message = f"'{expect.level}' is not a level of the rubric{hint}; {known}"
            errors.append(Problem(file=file, path="expect.level", message=message))
        elif expect.level != card.level:
            got = card.level if card.level is not None else "no level"
            differences.append(_mismatch(file, "expect.level", expect.level, got))
    if expect.passed is not None and expect.passed != card.passed:
        shown = {True: "true", False: "false"}
        differences.append(_mismatch(file, "expect.passed", shown[expect.passed], shown[card.passed]))
    groups = (
        ("units", "unit", {g.address: g for g in card.units}),
        ("projects", "project", {g.address: g for g in card.projects}),
    )
    for key, what, found in groups:
        for address, points in getattr(expect, key).items():
            path = f'expect.{key}."{address}"'
            group = found.get(address)
            if group is None:
                titles = {a: g.title for a, g in found.items()}
                errors.append(_unknown(file, path, what, address, titles))
            elif group.points != points:
                label = f"{what} {address} {group.title}"
                differences.append(_mismatch(file, path, fmt(points), fmt(group.points), label))
    for address, points in expect.items.items():
        path = f'expect.items."{address}"'
        item = card.items.get(address)
        if item is None:
            errors.append(_unknown(file, path, "item", address, dict.fromkeys(card.items, "")))
        elif item.points != points:
            mismatch = _mismatch(file, path, fmt(points), fmt(item.points), f"item {address}")
            differences.append(attrs.evolve(mismatch, message=f"{mismatch.message}: {item.reason}"))
    return differences, errors


def _where(sheet: Sheet) -> str:
    file = sheet.file or "<sheet>"
    return f"{file}:{sheet.row}" if sheet.row is not None else file


def check_sheet_expectation(
    rubric: Rubric, sheet: Sheet, coefficients: Coefficients | None = None
) -> SheetOutcome:
    """Score *sheet* against *rubric* and compare the card with its ``[expect]``."""
    file = _where(sheet)
    try:
        card = score(rubric, sheet, coefficients=coefficients)
    except RubricError as exc:
        return SheetOutcome(file, None, errors=exc.problems)
    expect = sheet.expect
    if expect is None or expect.is_empty():
        return SheetOutcome(file, card, unchecked=True)
    differences, errors = compare(card, expect, file)
    return SheetOutcome(file, card, tuple(differences), tuple(errors))


def _properties(rubric: Rubric, examples: int) -> Properties:
    try:
        # Kept off the path of the examples: the property kit needs the hypothesis extra.
        import hypothesis  # noqa: PLC0415

        from . import testing  # noqa: PLC0415
    except ImportError:
        return Properties("unavailable")
    # Derandomized and without an example database: a run repeats exactly and leaves no files.
    settings = hypothesis.settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        verbosity=hypothesis.Verbosity.quiet,
    )
    try:
        report = testing.check_rubric(rubric, settings=settings)
    except testing.PropertyFailure as exc:
        return Properties("failed", failure=str(exc))
    return Properties("held", report.examples, len(report.properties))


def run_test(
    rubric: Rubric,
    inputs: Iterable[Sheet | str | PathLike[str]],
    *,
    examples: int = 100,
    properties: bool = True,
    coefficients: Coefficients | None = None,
) -> ScenarioRun:
    """Check *rubric*'s example sheets against their expectations, then its properties.

    Args:
        rubric: the rubric.
        inputs: sheets, sheet files, or folders of them.
        examples: how many generated sheets the property checks score.
        properties: whether to run the property checks at all.
        coefficients: the standard-coal table for sheets with ``[energy]`` (default 当量值).
    """
    gathered = gather(inputs, {})
    outcomes = tuple(check_sheet_expectation(rubric, sheet, coefficients) for sheet in gathered.sheets)
    checked = _properties(rubric, examples) if properties else Properties("skipped")
    return ScenarioRun(checked, outcomes, gathered.problems)


def _summary(outcome: SheetOutcome) -> str:
    card = outcome.card
    assert card is not None
    parts = [f"total {fmt(card.total)}"]
    if card.level is not None:
        parts.append(card.level)
    parts.append("passed" if card.passed else "not passed")
    return ", ".join(parts)


def render_test(run: ScenarioRun, rubric: Rubric) -> tuple[str, str]:
    """The report of *run* (for standard output) and its input errors (for standard error)."""
    out: list[str] = []
    p = run.properties
    if p.status == "held":
        out.append(f"properties: all {p.count} hold on {p.examples} generated sheets of {rubric.title}")
    elif p.status == "failed":
        out.append(f"properties: {p.failure}")
    elif p.status == "unavailable":
        out.append(f"properties: not checked: they need hypothesis ({INSTALL_HYPOTHESIS})")
    else:
        out.append("properties: not checked (--no-properties)")
    for outcome in run.sheets:
        if outcome.card is None:
            out.append(f"{outcome.file}: could not be scored (see the errors)")
        elif outcome.unchecked:
            out.append(
                f"{outcome.file}: nothing to compare: add an [expect] table with what it should score "
                f"(it scores {_summary(outcome)})"
            )
        elif outcome.differences or outcome.errors:
            out.extend(str(d) for d in outcome.differences)
            if outcome.errors:
                out.append(f"{outcome.file}: its [expect] names what the rubric lacks (see the errors)")
        else:
            out.append(f"{outcome.file}: as expected ({_summary(outcome)})")
    total = len(run.sheets)
    good = sum(1 for s in run.sheets if not (s.errors or s.unchecked or s.differences))
    if total == 0 and not run.broken:
        out.append("no example sheets given")
    else:
        count = total + len({p.file for p in run.broken})
        out.append(f"{good} of {count} example sheets as expected")
    errors = [str(p) for p in run.broken] + [str(p) for s in run.sheets for p in s.errors]
    return "\n".join(out) + "\n", "".join(f"{line}\n" for line in errors)
