"""A blank answer sheet (自评打分表) for a rubric, with every item's text as comments.

A TOML comment may hold no control character, and the sheet must load: every text written into
a comment shows its control characters as escapes (``\\x1b``, ``\\n``), as the reports do.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Final

import tomli_w

from ._answers import check_answer
from ._compiled import compiled
from ._exact import exactly
from ._gates import describe_figure, stated_consequence
from ._kinds import ZERO, Leaf, compile_rule, kind_of, maximum
from ._labels import stages_comment
from ._text import GATE_NAMES, fmt, show, visible, wrap
from ._totals import group_max
from ._tree import Node, walk
from .model import Check, Flag, Level, Project, Rubric, Tiers, Unit

__all__ = ["template"]

#: Display width of a wrapped comment, after its "# ".
COMMENT_WIDTH: Final = 96
#: The answer written for each shape: each is valid, and most award nothing.
NEUTRAL: Final[dict[str, object]] = {
    "bool": False,
    "count": 0,
    "count_or_names": 0,
    "number": Decimal(0),
    "ratio": {"value": Decimal(0), "ref": Decimal(1)},
    "judged": Decimal(0),
}


#: What the commented-out line of an N/A clause says, for an item's and for a deduction's.
NOT_APPLICABLE: Final = "不适用时删去下一行行首的 #，并删去本项的其他答案行；未填写即为适用"
NOT_APPLICABLE_DEDUCTION: Final = "不适用时删去下一行行首的 #，并删去此扣分项的答案行；未填写即为适用"
#: What the template says an unanswered leaf counts for (the table in docs/scoring.md).
UNSET: Final[dict[str, str]] = {
    "zero": "未填写按0分计",
    "none": "未填写则不扣分",
    "void": "未填写则无法计算扣分，本项0分",
}


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return tomli_w.dumps({"x": value})[len("x = ") : -1]  # a string or an int, as tomli-w writes it


def _comment(text: str, lead: str = "") -> list[str]:
    lines = wrap(visible(lead + text), COMMENT_WIDTH)
    return [f"# {line}" for line in lines] or [visible(f"# {lead}").rstrip()]


def _points(points: Decimal | None) -> str:
    return f"（{fmt(points)}分）" if points is not None else ""


def _hint(leaf: Leaf, deduction: bool) -> str:
    if leaf.rule is None:  # a condition, a zero or an N/A clause: always yes or no
        return "填写 true 或 false"
    return kind_of(leaf.rule).hint(leaf, deduction)


def _label(leaf: Leaf, node: Node | None) -> str:
    """What a leaf inside an item is: a part, a deduction, a condition, a zero or N/A clause."""
    if leaf.address.endswith(".zero"):
        return "（符合则本项不得分，填 true）"
    if leaf.address.endswith(".na"):
        owner = leaf.address[: -len(".na")]
        if owner != leaf.item:  # a deduction's own condition ("有食堂的…扣4分")
            return "（不适用则填 true，不扣此项）"
        return "（不适用则填 true，本项不评分）"
    if node is None:
        return "（条件）"
    rule = node.obj
    assert not isinstance(rule, Unit | Project)
    if ".deductions[" in node.path:
        top = maximum(rule)
        return f"（扣分项，最多扣{fmt(top)}分）" if top is not None else "（扣分项）"
    return f"（加分{fmt(maximum(rule) or ZERO)}分）" if rule.bonus else _points(maximum(rule))


def _item_title(node: Node, levels: Sequence[Level]) -> str:
    rule = node.obj
    assert not isinstance(rule, Unit | Project)
    stated = stated_consequence(rule, levels)
    if isinstance(rule, Check):
        return f"{rule.text}（必须满足{'' if stated is None else f'；否则{stated}'}）"
    declared = getattr(rule, "points", None)
    points = _points(declared if declared is not None else maximum(rule))
    marks = []
    if rule.gate is not None:
        marks.append(GATE_NAMES[rule.gate])
    if rule.nonzero:
        marks.append("★条目不得为0分")
    if rule.gate_figure is not None:
        what = getattr(rule, "measure", None) or "数值"
        marks.append(f"{what}须{describe_figure(rule.gate_figure, getattr(rule, 'unit', None) or '')}")
    if stated is not None:
        marks.append(f"否则{stated}")
    if rule.verifier_only:
        marks.append("由核查方评分，自评不填")
    gate = f"（{'；'.join(marks)}）" if marks else ""
    # A text that already ends in its points, "台账完善（5分）", is not told them twice.
    return rule.text + ("" if rule.text.endswith(points) else points) + gate


def _answer(leaf: Leaf, deduction: bool) -> tuple[str, bool]:
    """The neutral answer of *leaf* as TOML, and whether it scores as leaving the leaf out does."""
    raw = _tier_neutral(leaf) if leaf.shape == "tier" else NEUTRAL[leaf.shape]
    if leaf.shape == "count_or_names" and leaf.options:
        raw = []
    value, error = check_answer(leaf, raw)
    assert error is None, error
    if leaf.blank == "void":  # a figure a deduction needs: no answer scores as its absence does
        return _toml(raw), False
    if leaf.rule is None:
        return _toml(raw), True
    # An unanswered leaf awards nothing; where the neutral answer would award (a band holding 0,
    # a linear rule counting downwards), the line is left commented out, i.e. unanswered.
    award = compile_rule(leaf.rule, leaf.address, penalty=deduction)
    return _toml(raw), award({leaf.address: value}) == ZERO


def _in_item_order(leaves: Iterable[Leaf]) -> list[Leaf]:
    """*leaves* item by item, an item's own answer first, its clauses (N/A, zero, conditions) after:
    an answer written under a clause would read as the clause's."""
    by_item: dict[str, list[Leaf]] = {}
    for leaf in leaves:
        by_item.setdefault(leaf.item, []).append(leaf)
    return [
        leaf
        for item, group in by_item.items()
        for leaf in sorted(group, key=lambda leaf: leaf.address != item)
    ]


def _tier_neutral(leaf: Leaf) -> str:
    """A valid answer naming a tier: the one worth 0 where there is one (it scores as blank)."""
    rule = leaf.rule
    assert isinstance(rule, Tiers)
    first = rule.tiers[0]
    nothing = next((t for t in rule.tiers if t.points == 0), None)
    if nothing is not None:
        return nothing.name
    if first.range is not None:
        return f"{first.name} {fmt(first.range[1])}"
    return first.name


@exactly
def template(rubric: Rubric, *, year: int | None = None) -> str:
    """A blank TOML answer sheet for *rubric*: every leaf address with the item's text.

    Each answer line holds a valid answer that scores as the leaf left out would (``false``,
    ``0``, ``[]``), so the sheet scores after editing only the answers. A leaf whose every
    valid answer may award points (a number falling into a scoring band) is written commented
    out, so it stays unanswered until filled in.

    Args:
        rubric: the rubric.
        year: the sheet's year; by default the current year.

    Returns:
        The sheet as TOML text, loadable with `loads_sheet` and valid for *rubric*.
    """
    c = compiled(rubric)
    nodes = {n.address: n for n in walk(rubric)}
    levels = "；".join(f"{lv.name} ≥ {fmt(lv.min)}分" for lv in rubric.levels)
    out = _comment(f"{rubric.title} — 自评打分表")
    if rubric.issuer or rubric.version:
        out += _comment("，".join(x for x in (rubric.issuer, rubric.version) if x))
    published = f"（原标准{fmt(rubric.published)}分，本表为部分转录）" if rubric.published is not None else ""
    out += _comment(f"总分{fmt(rubric.total)}分{published}" + (f"；认定：{levels}" if levels else ""))
    out += _comment("按每个答案上方的注释填写。默认值（false、0、[]）表示不符合或没有；")
    out += _comment("扣分项的默认值表示没有扣分情形。")
    body: list[str] = []
    unit_seen: str | None = None
    project_seen: str | None = None
    item_seen: str | None = None
    commented = False
    for leaf in _in_item_order(c.leaves.values()):
        item = nodes[leaf.item]
        unit_address, unit = c.unit_nodes[item.unit]
        if unit_address != unit_seen:
            tag = "，附加评价单元" if unit.bonus else ""
            tag += f"，原标准{fmt(unit.published)}分" if unit.published is not None else ""
            points = unit.points if unit.points is not None else group_max(unit)
            body += ["", visible(f"# ═══ {unit_address} {unit.title}（{show(points)}分{tag}）")]
            unit_seen, project_seen = unit_address, None
        if item.project is not None:
            project_address = item.address.rsplit(".", 1)[0]
            project = unit.projects[item.project]
            if project_address != project_seen:
                points = project.points if project.points is not None else group_max(project)
                gap = [] if body[-1].startswith("# ═══") else [""]
                tag = f"（原标准{fmt(project.published)}分）" if project.published is not None else ""
                body += [*gap, visible(f"# ─── {project_address} {project.title}" + _points(points) + tag)]
                project_seen = project_address
        if leaf.item != item_seen:
            body += ["", *_comment(_item_title(item, rubric.levels), f"{leaf.item} ")]
            note = item.obj.note
            if note:
                body += _comment(note, "说明：")
            item_seen = leaf.item
        if leaf.address != leaf.item:
            node = nodes.get(leaf.address)
            body += _comment(leaf.text + _label(leaf, node), f"· {leaf.address} ")
        deduction = leaf.address in nodes and ".deductions[" in nodes[leaf.address].path
        verifier = getattr(item.obj, "verifier_only", False)
        if leaf.address.endswith(".na") and not verifier:
            # Left out, the item applies: a written false would be an answer the agency never gave.
            what = NOT_APPLICABLE if leaf.address == f"{leaf.item}.na" else NOT_APPLICABLE_DEDUCTION
            body += [*_comment(what), f"# {_toml(leaf.address)} = true"]
            commented = True
            continue
        text, active = _answer(leaf, deduction)
        line = f"{_toml(leaf.address)} = {text}"
        if active and not verifier:
            body += [*_comment(_hint(leaf, deduction)), line]
        else:
            # The verifier's items stay unanswered on a self-assessment: the line is left out.
            unset = "由核查方填写，自评不计分" if verifier else UNSET[leaf.blank]
            body += [*_comment(f"{_hint(leaf, deduction)}；{unset}，填写时删去下一行行首的 #"), f"# {line}"]
            commented = True
    if commented:
        out += _comment("行首为 # 的答案行尚未填写；填写时删去行首的 #。")
    year = year if year is not None else datetime.date.today().year
    info = [
        "[sheet]",
        f"rubric = {_toml(rubric.title)}",
        'agency = ""          # 被评价单位名称',
        f"year = {year if year is not None else datetime.date.today().year}",
        f"stage = {_toml(rubric.stages[0])}       # " + visible(stages_comment(rubric.stages)),
        'assessor = ""        # 填表人',
        "",
        "[answers]",
    ]
    first = c.items[0].address if c.items else "1.1.1"
    tail = [
        "",
        "[evidence]",
        "# 佐证材料：条目或答案地址 = [文件名, …]，例如：",
        visible(f'# "{first}" = ["《……》"]'),
    ]
    bound = [a for a, leaf in c.leaves.items() if isinstance(leaf.rule, Flag) and leaf.rule.indicator]
    if bound:
        tail += _energy_section(bound, year)
    return "\n".join([*out, "", *info, *body, *tail]) + "\n"


#: The ``[energy]`` section, commented out so that a blank template scores from its yes/no answers.
_ENERGY: Final = (
    "[energy]",
    "year = {data_year}                # 数据年度：本表年度的上一年",
    "area = 0                   # 建筑面积，m²",
    "energy_users = 0           # 用能人数，人（含编外人员）",
    "water = 0                  # 用水总量，t",
    "# water_users = 0          # 用水人数，人（不填时按用能人数计）",
    "",
    "[energy.use]               # 年度能源消耗总量，按品种",
    "electricity = {{ kwh = 0 }}  # 电力，kWh",
    "natural_gas = {{ m3 = 0 }}   # 天然气，m³",
    "gasoline = {{ litres = 0 }}  # 汽油，L（或 kg）",
    "heat = {{ gj = 0 }}          # 热力，GJ",
    "",
    "[energy.vehicles]          # 公务用车能源消耗量（上面的一部分）：没有时填 0，不可不填",
    "gasoline = {{ litres = 0 }}  # 汽油，L",
    "",
    "[energy.targets]           # 上级主管部门下达的年度指标",
    "area_energy = 0            # 单位建筑面积能耗，kgce/m²",
    "per_capita_energy = 0      # 人均能耗，kgce/人",
    "per_capita_water = 0       # 人均水耗，t/人",
)


def _energy_section(bound: list[str], year: int) -> list[str]:
    head = [
        "",
        "# ═══ 能源资源消耗数据（说明五）",
        *_comment(
            f"{'、'.join(bound)} 也可由上一年度的能源资源消耗数据评分：删去下面各行行首的 # 并填写，"
            "同时删去 [answers] 中这些地址的答案行（两者只填其一）。折标准煤按当量值（docs/energy.md）。"
        ),
    ]
    return head + [f"# {line}".rstrip() for line in "\n".join(_ENERGY).format(data_year=year - 1).split("\n")]
