"""The rule algebra, one module per kind of rule, found through one registry.

`compile_rule`, `explain`, `leaves`, `maximum` and `reachable` work on any rule by asking its
kind; the kinds register themselves when this package is imported.
"""

from . import cases, composite, each, measured, simple
from ._base import (
    REGISTRY,
    ZERO,
    Answers,
    Blank,
    Deduction,
    Evaluate,
    Kind,
    Leaf,
    Num,
    Report,
    Severity,
    Shape,
    compile_rule,
    count,
    explain,
    fast,
    integral,
    kind_of,
    leaves,
    maximum,
    plain_flags,
    positive,
    reachable,
)

__all__ = [
    "REGISTRY",
    "ZERO",
    "Answers",
    "Blank",
    "Deduction",
    "Evaluate",
    "Kind",
    "Leaf",
    "Num",
    "Report",
    "Severity",
    "Shape",
    "cases",
    "compile_rule",
    "composite",
    "count",
    "each",
    "explain",
    "fast",
    "integral",
    "kind_of",
    "leaves",
    "maximum",
    "measured",
    "plain_flags",
    "positive",
    "reachable",
    "simple",
]
