"""Assessment stages (自评, 核查 …): the rubric declares them in order, and each sheet names one."""

from __future__ import annotations

from ._text import describe, suggest
from .errors import Problem
from .model import Rubric


def stage_problem(rubric: Rubric, stage: str, file: str | None, line: int | None) -> Problem | None:
    """Why *stage* is not one of *rubric*'s stages, or None when it is."""
    if stage in rubric.stages:
        return None
    choices = ", ".join(f'"{s}"' for s in rubric.stages)
    message = f"expected one of {choices}, got {describe(stage)}{suggest(stage, rubric.stages)}"
    return Problem(file=file, line=line, path="sheet.stage", message=message)


def check_stages(rubric: Rubric) -> list[Problem]:
    """What is wrong with *rubric*'s list of stages: empty, blank or repeated names."""
    problems = []
    if not rubric.stages:
        problems.append(Problem(path="stages", message='expected at least one stage, such as ["self"]'))
    seen: set[str] = set()
    for i, stage in enumerate(rubric.stages):
        if not stage.strip():
            problems.append(Problem(path=f"stages[{i}]", message="a stage needs a name"))
        elif stage in seen:
            problems.append(Problem(path=f"stages[{i}]", message=f'"{stage}" is listed twice'))
        seen.add(stage)
    return problems
