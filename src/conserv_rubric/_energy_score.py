"""Flags bound to an energy indicator, answered from a sheet's ``[energy]`` before it is scored."""

from __future__ import annotations

import functools
from collections.abc import Mapping

import attrs

from ._energy_coefficients import DEFAULT_COEFFICIENTS, load_coefficients
from ._energy_compute import indicators
from ._energy_judge import judge
from ._energy_model import Coefficients
from ._kinds import Leaf
from ._sheet import Sheet
from ._text import fmt
from .errors import Problem, SheetError
from .model import Flag


@attrs.frozen
class Derived:
    """The answers a sheet's ``[energy]`` gives to the bound flags, and the reason for each."""

    answers: dict[str, bool]
    reasons: dict[str, str]
    coefficients: Coefficients


def bound(leaves: Mapping[str, Leaf]) -> dict[str, str]:
    """Leaf address → the energy indicator its flag is bound to."""
    return {
        a: leaf.rule.indicator
        for a, leaf in leaves.items()
        if isinstance(leaf.rule, Flag) and leaf.rule.indicator is not None
    }


@functools.cache
def _default() -> Coefficients:
    return load_coefficients(DEFAULT_COEFFICIENTS)


def derive(
    leaves: Mapping[str, Leaf], sheet: Sheet, coefficients: Coefficients | None, title: str
) -> tuple[Derived | None, list[Problem]]:
    """The bound flags of a rubric (its *leaves*) answered from *sheet*'s ``[energy]``.

    A bound flag the sheet also answers yes or no is a problem naming both; so is an
    ``[energy]`` section for a rubric (titled *title*) that binds nothing, since its figures
    would otherwise be read and then silently ignored.
    """
    data = sheet.energy
    if data is None:
        return None, []
    file, line = sheet.file, sheet.row
    binding = bound(leaves)
    if not binding:
        message = (
            f"the rubric '{title}' binds no item to an energy indicator, so [energy] would go unused;"
            " answer its items yes or no instead"
        )
        return None, [Problem(file=file, line=line, path="energy", message=message)]
    problems: list[Problem] = []
    for address, name in binding.items():
        if address in sheet.answers:
            message = (
                f"answered yes or no, and also from [energy] (indicator {name}, energy.targets.{name});"
                " give one of them"
            )
            problems.append(Problem(file=file, line=line, path=f'answers."{address}"', message=message))
    if problems:
        return None, problems
    table = coefficients if coefficients is not None else _default()
    try:
        result = indicators(data, table)
        judged = {name: judge(name, result) for name in dict.fromkeys(binding.values())}
    except SheetError as exc:
        # The data's own location (the CSV line it came from) is the sheet's.
        return None, [attrs.evolve(p, file=p.file or file, line=p.line or line) for p in exc.problems]
    answers: dict[str, bool] = {}
    reasons: dict[str, str] = {}
    for address, name in binding.items():
        judgement = judged[name]
        rule = leaves[address].rule
        assert isinstance(rule, Flag)
        answers[address] = judgement.met
        # "… → 达标" becomes "… → 3分": the award, explained by the figures.
        head = judgement.reason.rsplit("→", 1)[0]
        reasons[address] = f"{head}→ {fmt(rule.points)}分" if judgement.met else f"{head}→ 未达标，0分"
    return Derived(answers, reasons, table), []
