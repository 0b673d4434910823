"""The benchmark scripts measure the same work as the library: their generators and hand-written
scorers checked against `conserv_rubric.score` (never timed; the figures come from bench/)."""

from __future__ import annotations

import io
import random
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the bench package

import conserv_rubric as cr
from bench import district, gap_scaling, hand_stream, national
from conserv_rubric import cli

ROOT = district.ROOT
RUBRIC = cr.load_rubric(district.RUBRIC)
SHEETS = district.sheets(300)


def in_decimal(want: district.IntResult) -> district.DecimalResult:
    u1, u2, u3, u4, u5, total, passed = want
    return Decimal(u1), Decimal(u2), Decimal(u3), Decimal(u4), Decimal(u5), Decimal(total), passed


def figures(card: cr.ScoreCard) -> tuple[Decimal, ...]:
    return (*(u.points for u in card.units), card.total)


def test_the_tables_are_the_rubrics_leaves() -> None:
    assert cr.score(RUBRIC, {}).unanswered == district.LEAVES
    for address, points in district.FLAGS.items():
        assert cr.score(RUBRIC, {address: True}).total == points, address
    for address, (per, cap, names) in district.COUNTERS.items():
        assert cr.score(RUBRIC, {address: 1}).total == per, address
        assert cr.score(RUBRIC, {address: 100}).total == cap, address
        if names:  # every listed name is accepted as an entry
            assert cr.score(RUBRIC, {address: list(names)}).total == min(per * len(names), cap), address


@pytest.mark.parametrize(
    ("example", "want"),
    [
        # By hand in each example's header comment.
        ("pass.toml", (6, 25, 22, 22, 17, 92, True)),
        ("at-80.toml", (9, 19, 20, 18, 14, 80, True)),
        ("fail.toml", (6, 13, 17, 16, 12, 64, False)),
    ],
)
def test_hand_written_scorers_on_the_examples(example: str, want: district.IntResult) -> None:
    answers = cr.load_sheet(ROOT / "examples" / "district" / example).answers
    assert district.score_int(answers) == want
    assert district.score_decimal(answers) == in_decimal(want)


@pytest.mark.parametrize(
    ("answers", "want"),
    [
        ({}, (0, 0, 0, 0, 0, 0, False)),
        ({"2.2.2": 3}, (0, 3, 0, 0, 0, 3, False)),
        ({"2.2.2": 9}, (0, 5, 0, 0, 0, 5, False)),  # 每项得1分，最高得5分
        ({"5.1.1": ["全国低碳日"]}, (0, 0, 0, 0, 2, 2, False)),  # 2 points an entry
        ({"5.1.1": ["全国低碳日", "世界水日", "中国水周"]}, (0, 0, 0, 0, 4, 4, False)),  # capped at 4
        ({"5.1.2": 5, "5.1.3": 1, "5.2.2": 1, "5.2.1": True}, (0, 0, 0, 0, 4 + 1 + 2 + 3, 10, False)),
        ({"1.1.1.a": True, "1.1.1.b": False, "3.2.2": True}, (3, 0, 3, 0, 0, 6, False)),
    ],
)
def test_hand_written_scorers_by_hand(answers: dict[str, Any], want: district.IntResult) -> None:
    assert district.score_int(answers) == want
    assert district.score_decimal(answers) == in_decimal(want)


def test_the_generated_sheets_exercise_every_shape() -> None:
    values = [a.get(address) for a in SHEETS for address in district.LEAVES]
    assert None in values  # unanswered leaves
    assert True in values
    assert False in values
    assert any(type(v) is int for v in values)
    assert any(isinstance(v, list) and district.OTHER in v for v in values)
    passed = [district.score_int(a)[6] for a in SHEETS]
    assert 0.3 < sum(passed) / len(passed) < 0.7
    assert district.sheets(20) == SHEETS[:20]
    assert district.sheets(20, seed=1) != SHEETS[:20]


def test_hand_written_scorers_agree_with_score_from_a_dict() -> None:
    for answers in SHEETS:
        card = cr.score(RUBRIC, answers)
        assert district.score_int(answers) == (*figures(card), card.passed), answers
        decimal_figures = district.score_decimal(answers)
        assert decimal_figures == (*figures(card), card.passed), answers
        assert all(type(x) is Decimal for x in decimal_figures[:6])


def test_hand_written_scorer_agrees_with_score_from_loaded_sheets(tmp_path: Path) -> None:
    path = tmp_path / "sheets.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        district.write_csv(f, len(SHEETS))
    loaded = cr.load_sheets(path)
    assert [s.info.agency for s in loaded] == [district.agency(i) for i in range(len(SHEETS))]
    for answers, sheet in zip(SHEETS, loaded, strict=True):
        card = cr.score(RUBRIC, sheet)
        assert district.score_int(answers) == (*figures(card), card.passed), answers


def test_hand_stream_writes_what_the_cli_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sheets.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        district.write_csv(f, 200)
    cli.main(["score", "district", str(path), "--format", "csv"])
    from_cli = capsys.readouterr().out
    out = io.StringIO()
    with path.open(encoding="utf-8", newline="") as lines:
        hand_stream.stream(lines, out, str(path))
    assert out.getvalue() == from_cli
    assert from_cli.count("\n") == 201


def test_national_writes_every_size_in_one_pass(tmp_path: Path) -> None:
    paths = {3: tmp_path / "3.csv", 7: tmp_path / "7.csv"}
    national.write_files(paths)
    whole = io.StringIO()
    district.write_csv(whole, 7)
    want = whole.getvalue().splitlines(keepends=True)
    assert paths[7].read_text(encoding="utf-8").splitlines(keepends=True) == want
    assert paths[3].read_text(encoding="utf-8").splitlines(keepends=True) == want[:4]


@pytest.mark.parametrize("items", [5, 47, 400])
def test_gap_scaling_generates_valid_rubrics_of_the_size_asked(items: int) -> None:
    generated = gap_scaling.generate(items)
    assert generated.text == gap_scaling.generate(items).text
    rubric = cr.loads_rubric(generated.text)
    assert [p for p in cr.validate(rubric) if p.severity == "error"] == []
    card = cr.score(rubric, {})
    assert len(card.items) == items
    assert sorted(card.unanswered) == sorted([*generated.flags, *(a for a, _ in generated.counters)])
    assert [lv.min for lv in rubric.levels] == [int(rubric.total * Decimal("0.8"))]
    full = {a: True for a in generated.flags} | {a: n for a, n in generated.counters}
    assert cr.score(rubric, full).total == rubric.total
    if items == 400:  # the benchmark's sheets stay below the level, so gap() plans the way up
        sheet = gap_scaling.answers(generated, random.Random(gap_scaling.SEED))
        assert not cr.score(rubric, sheet).passed
