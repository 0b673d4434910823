"""What a rule's text says of its own figures, for the validator's warnings: "得2分", "每项得1分",
"最高得3分", "每降低1%得0.5分".

A transcription copies the standard's wording into `text` and its figures into keys; the two
drift apart when one is edited and the other is not. Full-width digits, point and ％ are read as
their ASCII forms, since a standard pasted from a web page or a Word file often writes
them so ("得２分", "最高１.５分"), and those say the same figure.

Every rubric is validated when it is loaded, so these run on every load: each pattern is
compiled on its first use (the quick tests below, which are short, at import), and a text
without the words a pattern needs is not searched.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from typing import Final

#: A figure as a rule's text writes it, no longer than a rubric's own figures may be (12 digits,
#: 10 places): a longer run of digits is no figure, and is not read (nor searched quadratically).
_NUMBER: Final = r"(?<![0-9.])([0-9]{1,12}(?:\.[0-9]{1,10})?)(?![0-9.])"
#: A clause stops at a Chinese or ASCII comma, full stop or semicolon.
_CLAUSE: Final = "，。；,;"
_SAID: Final = rf"[得扣加]{_NUMBER}分"
#: What a counter's text says one counted thing is worth: "每项得1分", "每差1人扣0.2分".
_PER: Final = rf"每[^{_CLAUSE}]{{0,60}}?[得扣加]{_NUMBER}分"
#: The cap a text states: "最高得3分", "最多加5分", "最多扣2分", "满分8分", "上限3分", "封顶3分".
_CAP: Final = rf"(?:最高|最多|满分|上限|封顶)(?:为|可)?(?:得|加|扣|计)?{_NUMBER}分"
#: One step of a linear rule and what it is worth: "每降低1%得0.5分", "每低1个百分点扣2分",
#: "每再降低10%再得5分", "每超额完成10%加3分". The words around the figures are left free (at
#: most eight characters each, within one clause), since standards vary them endlessly.
_RATE: Final = rf"每[^0-9{_CLAUSE}]{{0,8}}?{_NUMBER}[^0-9{_CLAUSE}]{{0,8}}?[得扣加]{_NUMBER}分"
#: A count threshold: "全年不少于4次", "少于3次扣2分" (figures only: "至少组织一次" is not read).
_AT_LEAST: Final = (
    r"(?:不少于|至少|不低于|少于|不足|低于)([0-9]{1,12})(?:次|项|个|处|人|期|场|篇|份|家|类|种|条|名)"
)
#: Full-width digits, point and per cent sign, and their ASCII forms.
_WIDE: Final = re.compile("[０-９．％]")
_NARROW: Final = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
#: Quick tests, before a pattern is searched: the words or signs it cannot match without.
_CAP_WORDS: Final = re.compile("最高|最多|满分|上限|封顶")
_AT_LEAST_WORDS: Final = re.compile("少于|至少|低于|不足")
_RANGE_SIGNS: Final = re.compile("[~～〜\\-－—–至到]")
#: A range of points the assessor chooses in: "酌情扣1~5分", "（0～3分）", "1-3分".
_RANGE: Final = rf"{_NUMBER}\s*[~～〜\-－—–至到]\s*{_NUMBER}\s*分"
#: A subtotal in brackets, as a standard heads a clause with its points: "用水台账（4分）".
_SUBTOTAL: Final = rf"[（(]\s*{_NUMBER}\s*分\s*[)）]"


@functools.cache
def _pattern(source: str) -> re.Pattern[str]:
    return re.compile(source)


def plain(text: str) -> str:
    """*text* with its figures in ASCII: "２．５％" is "2.5%" (the patterns take the Chinese
    punctuation around them as it is)."""
    return text.translate(_NARROW) if _WIDE.search(text) else text


def _one(found: set[Decimal]) -> Decimal | None:
    return found.pop() if len(found) == 1 else None


def said_points(text: str) -> Decimal | None:
    """The one figure of points *text* states ("…扣5分", "得２分"), or None when it states none
    or several different ones."""
    if "分" not in text:
        return None
    return _one({Decimal(x) for x in _pattern(_SAID).findall(plain(text))})


def said_per(text: str) -> tuple[str, Decimal] | None:
    """The first "每…得N分" clause of *text* and its N, or None when it has none."""
    found = _pattern(_PER).search(plain(text)) if "每" in text and "分" in text else None
    return None if found is None else (found.group(0), Decimal(found.group(1)))


def said_cap(text: str) -> tuple[str, Decimal] | None:
    """The cap *text* states ("最高得3分") and its figure, or None when it states none, or
    several different ones."""
    found = list(_pattern(_CAP).finditer(plain(text))) if _CAP_WORDS.search(text) else []
    figures = {Decimal(m.group(1)) for m in found}
    if len(figures) != 1:
        return None
    return found[0].group(0), figures.pop()


def said_rate(text: str) -> tuple[str, Decimal, Decimal] | None:
    """The one step clause of *text* ("每降低1%得0.5分"): the clause, its step and the points
    per step; None when it has none, or several that differ."""
    found = list(_pattern(_RATE).finditer(plain(text))) if "每" in text and "分" in text else []
    rates = {(Decimal(m.group(1)), Decimal(m.group(2))) for m in found}
    if len(rates) != 1:
        return None
    step, per = rates.pop()
    return found[0].group(0), step, per


def said_at_least(text: str) -> tuple[str, int] | None:
    """The one count threshold *text* states ("不少于4次") and its figure, or None."""
    found = list(_pattern(_AT_LEAST).finditer(plain(text))) if _AT_LEAST_WORDS.search(text) else []
    figures = {int(m.group(1)) for m in found}
    return (found[0].group(0), figures.pop()) if len(figures) == 1 else None


def said_range(text: str) -> tuple[str, Decimal, Decimal] | None:
    """The one range of points *text* states ("酌情扣1~5分"): the phrase and its ends, or None."""
    found = list(_pattern(_RANGE).finditer(plain(text))) if "分" in text and _RANGE_SIGNS.search(text) else []
    ranges = {(Decimal(m.group(1)), Decimal(m.group(2))) for m in found}
    if len(ranges) != 1:
        return None
    low, high = ranges.pop()
    return found[0].group(0), low, high


def said_subtotal(text: str) -> tuple[str, Decimal] | None:
    """The one bracketed subtotal *text* states ("（4分）") and its figure, or None."""
    found = (
        list(_pattern(_SUBTOTAL).finditer(plain(text)))
        if "分" in text and ("（" in text or "(" in text)
        else []
    )
    figures = {Decimal(m.group(1)) for m in found}
    return (found[0].group(0), figures.pop()) if len(figures) == 1 else None
