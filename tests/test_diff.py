"""Comparing a self-assessed card with the verified one."""

from __future__ import annotations

import decimal
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import conserv_rubric as cr
from conserv_rubric import RubricError, ScoreCard, load_rubric, load_sheet, loads_rubric, loads_sheet, score
from conserv_rubric._provenance import rubric_hash
from conserv_rubric.diffs import ItemDiff, diff
from conserv_rubric.reports import render_diff

ROOT = Path(__file__).resolve().parent.parent

RUBRIC = """\
title = "对比测试"
total = 6

[[levels]]
name = "合格"
min = 4

[[units]]
title = "管理"
points = 6

[[units.items]]
kind = "flag"
text = "制定方案，得2分。"
points = 2

[[units.items]]
kind = "each"
text = "每项制度得0.5分，最高得2分。"
per = 0.5
max = 2

[[units.items]]
kind = "parts"
text = "开展宣传，得1分；组织培训，得1分。"
points = 2

[[units.items.parts]]
kind = "flag"
text = "开展宣传"
points = 1

[[units.items.parts]]
kind = "flag"
text = "组织培训"
points = 1
"""

# Self: 2 + 3 × 0.5 + (1 + 1) = 5.5 → 合格.
SELF = """\
[sheet]
agency = "甲局"
stage = "self"

[answers]
"1.1" = true
"1.2" = 3
"1.3.a" = true
"1.3.b" = true
"""

# Verified: 2 + 1 × 0.5 + (1 + 0) = 3.5 → no level. 1.1 unchanged.
VERIFIED = """\
[sheet]
agency = "甲局"
stage = "verified"

[answers]
"1.1" = true
"1.2" = 1
"1.3.a" = true
"1.3.b" = false
"""


def _cards(self_text: str = SELF, verified_text: str = VERIFIED) -> tuple[ScoreCard, ScoreCard]:
    rubric = loads_rubric(RUBRIC)
    return score(rubric, loads_sheet(self_text)), score(rubric, loads_sheet(verified_text))


def test_lists_exactly_the_items_that_differ() -> None:
    d = diff(*_cards())
    assert d.items == (
        ItemDiff(
            "1.2",
            "每项制度得0.5分，最高得2分。",
            Decimal(2),
            Decimal("1.5"),
            Decimal("0.5"),
            Decimal(-1),
            "3项 × 0.5分 = 1.5分（最高2分）",
            "1项 × 0.5分 = 0.5分（最高2分）",
        ),
        ItemDiff(
            "1.3",
            "开展宣传，得1分；组织培训，得1分。",
            Decimal(2),
            Decimal(2),
            Decimal(1),
            Decimal(-1),
            "a 1分 + b 1分 = 2分",
            "a 1分 + b 0分 = 1分",
        ),
    )


def test_totals_and_levels_of_both() -> None:
    d = diff(*_cards())
    assert (d.agency, d.max, d.self_total, d.verified_total, d.difference) == (
        "甲局",
        Decimal(6),
        Decimal("5.5"),
        Decimal("3.5"),
        Decimal(-2),
    )
    assert (d.self_level, d.verified_level, d.self_passed, d.verified_passed) == ("合格", None, True, False)


def test_diff_subtracts_exactly_whatever_context_the_caller_has_set() -> None:
    # 64 − 92 is −28, not −3E+1 as a one-digit context would round it: diff runs in the
    # library's own decimal context.
    rubric = load_rubric(ROOT / "rubrics" / "district.toml")
    mine = load_sheet(ROOT / "examples" / "district" / "pass.toml")
    later = load_sheet(ROOT / "examples" / "district" / "fail.toml")
    later = attrs.evolve(later, info=attrs.evolve(mine.info, stage="verified"))
    cards = score(rubric, mine), score(rubric, later)
    with decimal.localcontext(decimal.Context(prec=1)):
        d = diff(*cards)
    assert (d.self_total, d.verified_total, d.difference) == (Decimal(92), Decimal(64), Decimal(-28))


def test_identical_cards_have_no_differences() -> None:
    d = diff(*_cards(SELF, SELF.replace('"self"', '"verified"')))
    assert d.items == ()
    assert d.difference == 0
    assert render_diff(d, "text") == (
        "对比测试 — 甲局 自评与核查对比\n\n"
        "自评 5.5分：达到“合格”（4分）；核查 5.5分：达到“合格”（4分）；相差 0 分\n\n"
        "自评与核查各条目得分一致\n\n"
        f"{_footer()}\n"
    )


def test_a_raised_score_shows_a_plus_sign() -> None:
    d = diff(*_cards(VERIFIED.replace('"verified"', '"self"'), SELF.replace('"self"', '"verified"')))
    assert [(i.address, i.difference) for i in d.items] == [("1.2", Decimal(1)), ("1.3", Decimal(1))]
    assert "相差 +2 分" in render_diff(d, "text")


DIFF_TEXT = """\
对比测试 — 甲局 自评与核查对比

自评 5.5分：达到“合格”（4分）；核查 3.5分：未达到“合格”（4分），还差0.5分；相差 -2 分

序号  内容                            分值  自评  核查  差值  说明
1.2   每项制度得0.5分，最高得2分。       2   1.5   0.5    -1  自评：3项 × 0.5分 = 1.5分（最高2分）；核查：1项 × 0.5分 = 0.5分（最高2分）
1.3   开展宣传，得1分；组织培训，得…     2     2     1    -1  自评：a 1分 + b 1分 = 2分；核查：a 1分 + b 0分 = 1分

共 2 项得分不同

{footer}
"""  # noqa: E501 - the table's rows are as wide as the reasons


def _footer(rubric: str = RUBRIC) -> str:
    digest = rubric_hash(loads_rubric(rubric))
    return f"评价标准：对比测试，{digest[:19]}…，conserv_rubric {cr.__version__}"


def test_render_text() -> None:
    assert render_diff(diff(*_cards()), "text") == DIFF_TEXT.format(footer=_footer())


def test_render_markdown() -> None:
    assert render_diff(diff(*_cards()), "markdown") == (
        "## 对比测试 — 甲局 自评与核查对比\n\n"
        "自评 5.5分：达到“合格”（4分）；核查 3.5分：未达到“合格”（4分），还差0.5分；相差 -2 分\n\n"
        "| 序号 | 内容 | 分值 | 自评 | 核查 | 差值 | 说明 |\n"
        "| --- | --- | ---: | ---: | ---: | ---: | --- |\n"
        "| 1.2 | 每项制度得0.5分，最高得2分。 | 2 | 1.5 | 0.5 | -1 | "
        "自评：3项 × 0.5分 = 1.5分（最高2分）；核查：1项 × 0.5分 = 0.5分（最高2分） |\n"
        "| 1.3 | 开展宣传，得1分；组织培训，得… | 2 | 2 | 1 | -1 | "
        "自评：a 1分 + b 1分 = 2分；核查：a 1分 + b 0分 = 1分 |\n"
        "\n"
        "共 2 项得分不同\n"
        "\n"
        + _footer().replace("conserv_rubric", "conserv\\_rubric")  # Markdown escapes the _
        + "\n"
    )


def test_other_stages_are_labelled_by_their_names() -> None:
    # A rubric of 自评/初评/评审 declares its stages; the report names the two compared.
    staged = 'stages = ["self", "initial", "final"]\n' + RUBRIC
    first = score(loads_rubric(staged), loads_sheet(SELF.replace('"self"', '"initial"')))
    second = score(loads_rubric(staged), loads_sheet(VERIFIED.replace('"verified"', '"final"')))
    d = diff(first, second)
    assert (d.self_stage, d.verified_stage) == ("initial", "final")
    lines = render_diff(d, "text").splitlines()
    assert lines[0] == "对比测试 — 甲局 initial与final对比"
    assert lines[2] == (
        "initial 5.5分：达到“合格”（4分）；final 3.5分：未达到“合格”（4分），还差0.5分；相差 -2 分"
    )
    assert lines[4].split() == ["序号", "内容", "分值", "initial", "final", "差值", "说明"]
    assert lines[5].endswith("initial：3项 × 0.5分 = 1.5分（最高2分）；final：1项 × 0.5分 = 0.5分（最高2分）")
    assert lines[-1] == _footer(staged)


def test_render_json_is_versioned_and_names_the_rubric() -> None:
    own, theirs = _cards()
    data = json.loads(render_diff(diff(own, theirs), "json"), parse_float=Decimal)
    assert list(data)[:3] == ["schema_version", "provenance", "rubric"]
    assert data["schema_version"] == 1
    assert data["provenance"] == {
        "rubric": "对比测试",
        "version": None,
        "hash": rubric_hash(own.rubric),
        "hash_version": 1,
        "library": cr.__version__,
    }
    assert (data["self_stage"], data["verified_stage"]) == ("self", "verified")


def test_render_json_has_exact_numbers() -> None:
    text = render_diff(diff(*_cards()), "json")
    data = json.loads(text, parse_float=Decimal)
    assert (data["self_total"], data["verified_total"], data["difference"]) == (
        Decimal("5.5"),
        Decimal("3.5"),
        -2,
    )
    assert data["items"][0]["self_points"] == Decimal("1.5")
    assert '"verified_points": 0.5,' in text
    assert [i["address"] for i in data["items"]] == ["1.2", "1.3"]


def test_cards_of_different_rubrics_are_refused() -> None:
    own, _ = _cards()
    district = score(load_rubric(ROOT / "rubrics" / "district.toml"), {})
    with pytest.raises(RubricError) as exc:
        diff(own, district)
    assert (
        str(exc.value)
        == "the two score cards were scored against different rubrics; compare cards of one rubric"
    )


def test_district_examples() -> None:
    # pass.toml (92) against at-80.toml (80): nine items differ; 1.1.1 is the only one raised (6 → 9).
    rubric = load_rubric(ROOT / "rubrics" / "district.toml")
    examples = ROOT / "examples" / "district"
    # at-80.toml as the verifier's sheet of the agency of pass.toml.
    mine = load_sheet(examples / "pass.toml")
    theirs = load_sheet(examples / "at-80.toml")
    theirs = attrs.evolve(theirs, info=attrs.evolve(theirs.info, agency=mine.agency, stage="verified"))
    d = diff(score(rubric, mine), score(rubric, theirs))
    assert (d.self_total, d.verified_total, d.difference) == (Decimal(92), Decimal(80), Decimal(-12))
    assert sum((i.difference for i in d.items), Decimal(0)) == -12
    assert [i.address for i in d.items if i.difference > 0] == ["1.1.1"]
    assert len(d.items) == 9


def _sheet(text: str, file: str, **info: Any) -> ScoreCard:
    sheet = loads_sheet(text, file=file)
    return score(loads_rubric(RUBRIC), attrs.evolve(sheet, info=attrs.evolve(sheet.info, **info)))


def test_the_agency_is_matched_after_nfkc_and_trimming() -> None:
    mine = _sheet(SELF, "self.toml", agency=" ＸＸ区财政局 ")
    theirs = _sheet(VERIFIED, "verified.toml", agency="XX区财政局")
    assert diff(mine, theirs).agency == " ＸＸ区财政局 "


@pytest.mark.parametrize(
    ("mine", "theirs", "expected"),
    [
        (
            {"agency": "甲局"},
            {"agency": "乙局"},
            "verified.toml: sheet.agency: the agency is '乙局', the first sheet's (self.toml) is '甲局'; "
            "diff compares two stages of one agency",
        ),
        (
            {"year": 2024},
            {"year": 2023},
            "verified.toml: sheet.year: the year is 2023, the first sheet's (self.toml) is 2024; "
            "diff compares two stages of one year",
        ),
        (
            {"year": 2024},
            {},
            "verified.toml: sheet.year: the year is not given, the first sheet's (self.toml) is 2024; "
            "diff compares two stages of one year",
        ),
        (
            {},
            {"stage": "self"},
            "verified.toml: sheet.stage: both sheets are at stage 'self' (the first: self.toml); "
            "diff takes an earlier stage, then a later one: 'self', then 'verified'",
        ),
        (
            {"stage": "verified"},
            {},
            "verified.toml: sheet.stage: both sheets are at stage 'verified' (the first: self.toml); "
            "diff takes an earlier stage, then a later one: 'self', then 'verified'",
        ),
        (
            {"stage": "verified"},
            {"stage": "self"},
            "self.toml: sheet.stage: stage 'verified' comes after the second sheet's 'self' "
            "(verified.toml); give the 'self' sheet first",
        ),
    ],
)
def test_a_pair_that_is_not_two_stages_of_one_assessment_is_refused(
    mine: dict[str, Any], theirs: dict[str, Any], expected: str
) -> None:
    with pytest.raises(RubricError) as exc:
        diff(_sheet(SELF, "self.toml", **mine), _sheet(VERIFIED, "verified.toml", **theirs))
    assert str(exc.value) == expected


def test_every_mismatch_is_listed_at_once() -> None:
    with pytest.raises(RubricError) as exc:
        diff(
            _sheet(SELF, "self.toml", stage="verified", year=2024),
            _sheet(VERIFIED, "verified.toml", agency="乙局", stage="self"),
        )
    assert [p.path for p in exc.value.problems] == ["sheet.agency", "sheet.year", "sheet.stage"]


def test_an_edition_with_the_same_items_but_other_points_is_another_rubric() -> None:
    other = loads_rubric(RUBRIC.replace("per = 0.5\nmax = 2", "per = 1\nmax = 2"))
    with pytest.raises(RubricError) as exc:
        diff(score(loads_rubric(RUBRIC), loads_sheet(SELF)), score(other, loads_sheet(VERIFIED)))
    assert (
        str(exc.value)
        == "the two score cards were scored against different rubrics; compare cards of one rubric"
    )
