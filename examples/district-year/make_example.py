"""Write the example district's year: a roster of 60 agencies and their sheets for rubrics/district.toml.

Run from anywhere: ``python examples/district-year/make_example.py [OUT]`` (default: beside this
script). The output is deterministic
(each agency's answers come from a random generator seeded with its roster number) and is
committed; tests/test_rollup_example.py checks it against the figures in docs/district-year.md.

Each agency's sheet is built to score the total in the table below: every leaf starts at full
points and leaves are dropped, in an order shuffled per agency, until the total is reached. A
verified sheet starts from the agency's own answers and drops (or restores) leaves from there,
as a verifier who disagrees with a few items would.
"""

from __future__ import annotations

import csv
import datetime
import random
import shutil
import sys
from pathlib import Path
from typing import Any

import tomli_w

from conserv_rubric import Rubric, Sheet, SheetInfo, load_rubric, score
from conserv_rubric.model import Each, Flag, Parts

HERE = Path(__file__).resolve().parent
RUBRIC = HERE.parent.parent / "rubrics" / "district.toml"
YEAR = 2024

# 区级党政机关: name, type, self-assessed total and date (None: 未申报), verified total and date.
Row = tuple[str, str, int | None, str | None, int | None, str | None]
AGENCIES: list[Row] = [
    ("XX区委办公室", "党的机关", 86, "10-28", None, None),
    ("XX区委组织部", "党的机关", 82, "10-25", None, None),
    ("XX区委宣传部", "党的机关", 90, "10-30", None, None),
    ("XX区委统战部", "党的机关", 74, "10-29", None, None),
    ("XX区委政法委员会", "党的机关", 81, "10-21", None, None),
    ("XX区纪委监委机关", "监察机关", 88, "10-18", None, None),
    ("XX区人大常委会办公室", "人大机关", 84, "10-24", None, None),
    ("XX区政协办公室", "政协机关", 69, "10-30", None, None),
    ("XX区人民法院", "审判机关", 80, "10-22", None, None),
    ("XX区人民检察院", "检察机关", 83, "10-23", None, None),
    ("XX区人民政府办公室", "行政机关", 95, "10-15", None, None),
    ("XX区发展和改革委员会", "行政机关", 92, "10-16", 90, "11-06"),
    ("XX区教育局", "行政机关", 85, "10-26", 78, "11-08"),
    ("XX区科学技术局", "行政机关", 77, "10-29", None, None),
    ("XX区工业和信息化局", "行政机关", 81, "10-27", None, None),
    ("XX区公安分局", "行政机关", 72, "10-31", None, None),
    ("XX区民政局", "行政机关", 87, "10-20", None, None),
    ("XX区司法局", "行政机关", 82, "11-02", None, None),
    ("XX区财政局", "行政机关", 88, "10-17", 88, "11-05"),
    ("XX区人力资源和社会保障局", "行政机关", 84, "10-25", None, None),
    ("XX区自然资源局", "行政机关", 79, "10-28", None, None),
    ("XX区生态环境分局", "行政机关", 93, "10-19", None, None),
    ("XX区住房和城乡建设局", "行政机关", 79, "10-29", 81, "11-12"),
    ("XX区交通运输局", "行政机关", 65, "10-30", None, None),
    ("XX区水利局", "行政机关", 84, "10-27", None, None),  # its sheet is broken below
    ("XX区农业农村局", "行政机关", 76, "10-31", None, None),
    ("XX区商务局", "行政机关", 83, "11-04", None, None),
    ("XX区文化和旅游局", "行政机关", 80, "10-24", None, None),
    ("XX区卫生健康局", "行政机关", 83, "10-27", 80, "11-13"),
    ("XX区退役军人事务局", "行政机关", None, None, None, None),
    ("XX区应急管理局", "行政机关", 86, "10-22", None, None),
    ("XX区审计局", "行政机关", 81, "10-26", None, None),
    ("XX区市场监督管理局", "行政机关", 90, "10-23", 86, "11-18"),
    ("XX区统计局", "行政机关", None, None, None, None),
    ("XX区医疗保障局", "行政机关", 71, "10-30", None, None),
    ("XX区城市管理局", "行政机关", 78, "10-31", None, None),
    ("XX区信访局", "行政机关", None, None, None, None),
    ("XX区机关事务服务中心", "参照公务员法管理的事业单位", 97, "10-14", None, None),
    ("XX区总工会", "人民团体", 84, "10-28", None, None),
    ("团XX区委", "人民团体", 75, "10-29", None, None),
    ("XX区妇女联合会", "人民团体", 80, "10-30", None, None),
    ("XX区残疾人联合会", "人民团体", None, None, None, None),
]

# 二级单位 by parent; they are part of the parent's application (纳入整体创建).
SECONDARY: dict[str, list[str]] = {
    "XX区发展和改革委员会": ["XX区价格认证中心", "XX区粮食和物资储备中心"],
    "XX区教育局": ["XX区教育考试中心", "XX区教师发展中心"],
    "XX区民政局": ["XX区社会福利中心"],
    "XX区财政局": ["XX区财政国库支付中心", "XX区政府采购中心"],
    "XX区人力资源和社会保障局": ["XX区社会保险服务中心", "XX区劳动人事争议仲裁院"],
    "XX区自然资源局": ["XX区不动产登记中心"],
    "XX区住房和城乡建设局": ["XX区建设工程质量安全监督站"],
    "XX区交通运输局": ["XX区公路事业发展中心"],
    "XX区农业农村局": ["XX区农业技术推广中心"],
    "XX区卫生健康局": ["XX区疾病预防控制中心", "XX区卫生健康综合监督执法大队"],
    "XX区市场监督管理局": ["XX区市场监管综合执法大队"],
    "XX区城市管理局": ["XX区环境卫生服务中心", "XX区园林绿化服务中心"],
}

# How some sheets name their agency: a short name with the roster's code (matched by code), and
# full-width letters with a trailing space (matched by the NFKC-normalised name).
WRITTEN_AS: dict[str, str] = {"XX区人民政府办公室": "XX区政府办", "XX区审计局": "ＸＸ区审计局 "}
WITH_CODE: tuple[str, ...] = ("XX区人民政府办公室",)
# The 人民团体 send one CSV file together.
IN_CSV: tuple[str, ...] = ("XX区总工会", "团XX区委", "XX区妇女联合会")
BROKEN = "XX区水利局"

# A leaf and the points each step of it is worth: a flag is one step, a counter one step per entry.
Step = tuple[str, int]


def _code(number: int) -> str:
    return f"XQ{number:03d}"


def _leaves(rubric: Rubric) -> list[tuple[str, Any, list[Step]]]:
    """Every leaf of the district rubric with its full answer and the steps that can be dropped."""
    out: list[tuple[str, Any, list[Step]]] = []
    for u, unit in enumerate(rubric.units, 1):
        for p, project in enumerate(unit.projects, 1):
            for i, item in enumerate(project.items, 1):
                address = f"{u}.{p}.{i}"
                rules = [(address, item)]
                if isinstance(item, Parts):
                    rules = [(f"{address}.{chr(ord('a') + k)}", part) for k, part in enumerate(item.parts)]
                for leaf, rule in rules:
                    if isinstance(rule, Flag):
                        out.append((leaf, True, [(leaf, int(rule.points))]))
                    elif isinstance(rule, Each) and rule.max is not None:
                        n = int(rule.max / rule.per)
                        full: Any = list(rule.options[:n]) if len(rule.options) >= n else n
                        out.append((leaf, full, [(leaf, int(rule.per))] * n))
                    else:  # pragma: no cover - the district rubric has only flags and counters
                        raise SystemExit(f"{leaf}: {rule.kind} is not generated by this script")
    return out


def _answers(leaves: list[tuple[str, Any, list[Step]]], dropped: dict[str, int]) -> dict[str, Any]:
    """The answers with *dropped* steps taken off each leaf."""
    answers: dict[str, Any] = {}
    for leaf, full, _ in leaves:
        k = dropped.get(leaf, 0)
        if full is True:
            answers[leaf] = not k
        elif isinstance(full, list):
            answers[leaf] = full[: len(full) - k]
        else:
            answers[leaf] = full - k
    return answers


def _drop(
    leaves: list[tuple[str, Any, list[Step]]], deficit: int, rng: random.Random, dropped: dict[str, int]
) -> None:
    """Drop steps, in a shuffled order, until *deficit* points are gone."""
    steps = [step for _, _, own in leaves for step in own]
    rng.shuffle(steps)
    room = {leaf: len(own) for leaf, _, own in leaves}
    for leaf, points in steps:
        if deficit == 0:
            break
        if points <= deficit and dropped.get(leaf, 0) < room[leaf]:
            dropped[leaf] = dropped.get(leaf, 0) + 1
            deficit -= points
    if deficit:  # pragma: no cover - the district rubric has seven 1-point flags
        raise SystemExit(f"could not drop {deficit} more points")


def _restore(
    leaves: list[tuple[str, Any, list[Step]]], surplus: int, rng: random.Random, dropped: dict[str, int]
) -> None:
    """Give back dropped steps until *surplus* points are restored."""
    worth = {leaf: own[0][1] for leaf, _, own in leaves}
    order = sorted(dropped)
    rng.shuffle(order)
    for leaf in order:
        while surplus >= worth[leaf] and dropped[leaf]:
            dropped[leaf] -= 1
            surplus -= worth[leaf]
    if surplus:  # pragma: no cover - totals in the table are reachable
        raise SystemExit(f"could not restore {surplus} more points")


def _sheet_doc(
    agency: str, code: str | None, stage: str, date: str, assessor: str, answers: dict[str, Any]
) -> dict[str, Any]:
    info: dict[str, Any] = {"rubric": "XX区节约型机关评价标准", "agency": agency}
    if code is not None:
        info["code"] = code
    info |= {
        "year": YEAR,
        "stage": stage,
        "assessor": assessor,
        "date": datetime.date.fromisoformat(f"{YEAR}-{date}"),
    }
    doc: dict[str, Any] = {"sheet": info, "answers": answers}
    if answers.get("2.1.1") is True:
        doc["evidence"] = {"2.1.1": [f"《关于成立{agency.strip()}节约型机关创建工作领导小组的通知》"]}
    return doc


def _check(rubric: Rubric, doc: dict[str, Any], total: int) -> None:
    got = score(rubric, Sheet(info=SheetInfo(agency=doc["sheet"]["agency"]), answers=doc["answers"])).total
    if got != total:  # pragma: no cover - the generator is exact
        raise SystemExit(f"{doc['sheet']['agency']}: generated {got}, wanted {total}")


def _write_toml(path: Path, doc: dict[str, Any], note: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"# {note}\n# Generated by examples/district-year/make_example.py.\n\n" + tomli_w.dumps(doc),
        encoding="utf-8",
    )


def _write_csv(path: Path, docs: list[dict[str, Any]]) -> None:
    meta = ["agency", "code", "year", "stage", "assessor", "date"]
    leaves = list(docs[0]["answers"])
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*meta, *leaves])
        for doc in docs:
            info = doc["sheet"]
            cells = [str(info.get(k, "")) for k in meta]
            for leaf in leaves:
                value = doc["answers"][leaf]
                cells.append(";".join(value) if isinstance(value, list) else str(value).lower())
            writer.writerow(cells)


def main(out: Path = HERE) -> None:
    """Write roster.csv and sheets/ into *out* (by default, beside this script)."""
    rubric = load_rubric(RUBRIC)
    leaves = _leaves(rubric)
    sheets = out / "sheets"
    if sheets.exists():
        shutil.rmtree(sheets)
    (sheets / "自评").mkdir(parents=True)

    with (out / "roster.csv").open("w", encoding="utf-8", newline="") as roster:
        writer = csv.writer(roster, lineterminator="\n")
        writer.writerow(["agency", "parent", "type", "code"])
        for n, (name, kind, *_) in enumerate(AGENCIES, 1):
            writer.writerow([name, "", kind, _code(n)])
            writer.writerows([child, name, "事业单位", ""] for child in SECONDARY.get(name, []))

    batch = []
    for n, (name, _, own, own_date, verified, verified_date) in enumerate(AGENCIES, 1):
        if own is None or own_date is None:
            continue
        rng = random.Random(n)
        dropped: dict[str, int] = {}
        _drop(leaves, 100 - own, rng, dropped)
        written = WRITTEN_AS.get(name, name)
        doc = _sheet_doc(
            written,
            _code(n) if name in WITH_CODE else None,
            "self",
            own_date,
            "办公室",
            _answers(leaves, dropped),
        )
        _check(rubric, doc, own)
        if name in IN_CSV:
            batch.append(doc)
        else:
            path = sheets / "自评" / f"{name}-自评打分表.toml"
            _write_toml(path, doc, f"{name} 自评打分表（自评 {own} 分）")
            if name == BROKEN:
                # A typo as offices make them: a closing quote left out.
                text = path.read_text(encoding="utf-8").replace('assessor = "办公室"', 'assessor = "办公室')
                path.write_text(text, encoding="utf-8")
        if verified is not None and verified_date is not None:
            if verified < own:
                _drop(leaves, own - verified, rng, dropped)
            elif verified > own:
                _restore(leaves, verified - own, rng, dropped)
            doc = _sheet_doc(
                name, _code(n), "verified", verified_date, "区节能办核查组", _answers(leaves, dropped)
            )
            _check(rubric, doc, verified)
            title = f"{name} 核查打分表（核查得分 {verified} 分）"
            _write_toml(sheets / "核查" / f"{name}-核查打分表.toml", doc, title)
    _write_csv(sheets / "自评" / "人民团体-自评打分表.csv", batch)

    # A 二级单位 that sent its own sheet, and an office that is not on the roster.
    for name, total, date, seed in (
        ("XX区不动产登记中心", 92, "10-27", 101),
        ("XX区人民防空办公室", 85, "10-29", 102),
    ):
        dropped = {}
        _drop(leaves, 100 - total, random.Random(seed), dropped)
        doc = _sheet_doc(name, None, "self", date, "办公室", _answers(leaves, dropped))
        _check(rubric, doc, total)
        _write_toml(sheets / "自评" / f"{name}-自评打分表.toml", doc, f"{name} 自评打分表（自评 {total} 分）")

    # 佐证材料 and an Excel lock file sit beside the sheets; the roll-up lists them as skipped.
    (sheets / "佐证材料.pdf").write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    (sheets / "自评" / "~$XX区财政局-自评打分表.xlsx").write_bytes(b"\x08Office\x00" + b"\x00" * 40)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
