"""The words reports use for a sheet's stage and agency, the same in every report and template.

The seed calls the office's check of a self-assessment 核查 (核查 11月1日–15日), so a verified
sheet is labelled 核查 everywhere; a stage the rubric declares under another name (``initial``,
``final`` …) is labelled by that name.
"""

from __future__ import annotations

from typing import Final

from .errors import Problem

#: The Chinese labels of the default stages (DESIGN §9).
STAGE_LABELS: Final = {"self": "自评", "verified": "核查"}
#: The labels read back as the stages they name (a workbook's 阶段 list, a CSV's 阶段 cells); 核定,
#: the label of earlier templates, still reads as the verified stage.
STAGE_NAMES: Final = {"核定": "verified", **{label: name for name, label in STAGE_LABELS.items()}}
#: What a report says where a sheet leaves its agency blank, as a template does.
NO_AGENCY: Final = "未填写单位名称"


def stage_label(stage: str) -> str:
    """The label of *stage*: 自评, 核查, or the stage's own name."""
    return STAGE_LABELS.get(stage, stage)


def stages_comment(stages: tuple[str, ...]) -> str:
    """A template's note on the stages a rubric declares: ``"self" 自评，"verified" 核查``."""
    return "，".join(f'"{s}" {STAGE_LABELS[s]}' if s in STAGE_LABELS else f'"{s}"' for s in stages)


def agency_label(agency: str | None) -> str:
    """*agency* as a report names it: the name, or `NO_AGENCY` when it is blank."""
    return agency if agency is not None and agency.strip() else NO_AGENCY


def blank_agency(agency: str, file: str | None, line: int | None) -> Problem | None:
    """The warning for a sheet that names no agency (a blank template scored as is), or None."""
    if agency.strip():
        return None
    message = f'the sheet names no agency (agency = ""); the report says {NO_AGENCY}'
    return Problem(file=file, line=line, path="sheet.agency", message=message, severity="warning")
