"""The 自评打分表 template's table, as data: its rows and their texts, the energy rows, and what
each answer cell asks for (its input message) and lets through (its data validation).

`conserv_rubric._xlsx_write` writes it into a workbook with openpyxl; nothing here needs openpyxl.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Final, Literal, TypeAlias

import attrs

from ._compiled import compiled
from ._gates import stated_consequence
from ._kinds import Leaf, maximum
from ._limits import MAX_NUMBER
from ._text import GATE_NAMES, fmt
from ._totals import group_max
from ._tree import Node, walk
from ._xlsx_layout import NAME_SEPARATOR
from .model import Bands, Check, Level, Linear, Project, Rubric, Tiers, Unit

#: The kinds of data validation used, and their operators.
Validation: TypeAlias = Literal["whole", "decimal", "list", "date"]
Operator: TypeAlias = Literal["between", "greaterThan"]
#: The longest list Excel takes in a data validation (its formula, quotes included).
LIST_LIMIT: Final = 255
#: The largest number an answer cell's validation lets through (the library's own limit).
TOP: Final = str(MAX_NUMBER - 1)


@attrs.frozen
class Accepts:
    """What an answer cell's data validation lets through: a kind with its formulas, or (kind
    None) anything, for the reader to check."""

    kind: Validation | None = None
    first: str | None = None
    second: str | None = None
    operator: Operator | None = None
    #: Whether the cell is formatted as text, so that Excel keeps what is typed as typed: a
    #: ratio's "3/4" would otherwise become a date, and "85%" the fraction 0.85, read back as 85.
    text: bool = False


@attrs.frozen
class EnergyRow:
    """One row of the energy section: its address, what it is, and its unit."""

    address: str
    label: str
    unit: str
    note: str = ""


#: The energy section (说明五): the sheet's ``[energy]`` keys as dotted addresses, as a wide CSV has them.
ENERGY_ROWS: Final = (
    EnergyRow("energy.year", "统计年度", "年", "上一日历年，如 2023"),
    EnergyRow("energy.area", "建筑面积", "m²"),
    EnergyRow("energy.energy_users", "用能人数", "人", "含编外人员"),
    EnergyRow("energy.water_users", "用水人数", "人", "未填写时按用能人数计"),
    EnergyRow("energy.water", "用水总量", "t"),
    EnergyRow("energy.use.electricity.kwh", "电力", "kWh"),
    EnergyRow("energy.use.natural_gas.m3", "天然气", "m³"),
    EnergyRow("energy.use.gasoline.litres", "汽油", "L"),
    EnergyRow("energy.use.diesel.litres", "柴油", "L"),
    EnergyRow("energy.use.lpg.kg", "液化石油气", "kg"),
    EnergyRow("energy.use.heat.gj", "热力", "GJ"),
    EnergyRow("energy.vehicles.gasoline.litres", "公务用车汽油", "L", "已含在上面的汽油中；未使用填 0"),
    EnergyRow("energy.vehicles.diesel.litres", "公务用车柴油", "L", "已含在上面的柴油中；未使用填 0"),
    EnergyRow("energy.targets.area_energy", "单位建筑面积能耗目标", "kgce/m²", "上级下达的年度指标"),
    EnergyRow("energy.targets.per_capita_energy", "人均能耗目标", "kgce/人", "上级下达的年度指标"),
    EnergyRow("energy.targets.per_capita_water", "人均用水目标", "t/人", "上级下达的年度指标"),
)


def leaf_label(leaf: Leaf, node: Node | None, node_of: Callable[[str], Node | None]) -> str:
    """What a leaf inside an item is, where the 分值 column cannot say it: a deduction, a bonus,
    a condition, a zero or N/A clause."""
    if leaf.address.endswith(".zero"):
        return "（符合则本项不得分，填“是”）"
    if leaf.address.endswith(".na"):
        owner = node_of(leaf.address.removesuffix(".na"))
        if owner is not None and owner.penalty:  # a deduction that applies only to some agencies
            return "（不适用则填“是”，不扣此项）"
        return "（不适用则填“是”，本项不评分）"
    if node is None:
        return "（条件）"
    rule = node.rule
    top = maximum(rule)
    if node.penalty:
        return f"（扣分项，最多扣{fmt(top)}分）" if top is not None else "（扣分项）"
    return "（加分项）" if rule.bonus else ""


def item_text(item: Node, levels: Sequence[Level]) -> str:
    """An item as the standard numbers it (``2.明确…``), with its gate and, where it withholds
    only the upper of *levels*, which ones."""
    rule = item.rule
    gate = "（必须满足）" if isinstance(rule, Check) else ""
    if rule.gate is not None:
        gate += f"（{GATE_NAMES[rule.gate]}）"
    stated = stated_consequence(rule, levels)
    if stated is not None:
        gate += f"（否则{stated}）"
    if rule.verifier_only:
        gate += "（由核查方评分，自评不计分）"
    star = "★" if rule.nonzero else ""
    return f"{item.address.rsplit('.', 1)[-1]}.{star}{rule.text}{gate}"


def tier_hint(leaf: Leaf) -> str:
    """How a ``tiers`` answer is written: a tier's name, a ranged one with its points."""
    rule = leaf.rule
    assert isinstance(rule, Tiers)
    shown = []
    for tier in rule.tiers:
        if tier.range is None:
            shown.append(f"{tier.name}（{fmt(tier.points or 0)}分）")
        else:
            lo, hi = tier.range
            shown.append(f"{tier.name}（{fmt(lo)}~{fmt(hi)}分，如“{tier.name} {fmt(hi)}”）")
    if all(t.range is None for t in rule.tiers):  # else the ranged tier's example shows the form
        return f"填写一个等级：{'、'.join(shown)}，如“{rule.tiers[0].name}”。"
    return f"填写一个等级：{'、'.join(shown)}。"


def tier_list(leaf: Leaf) -> str | None:
    """The names of a ``tiers`` leaf as a list validation, when every tier has fixed points and
    the list is one Excel can hold; None otherwise (the reader checks the text)."""
    rule = leaf.rule
    assert isinstance(rule, Tiers)
    names = [t.name for t in rule.tiers]
    if any(t.range is not None for t in rule.tiers) or any("," in n or '"' in n for n in names):
        return None
    listed = '"' + ",".join(names) + '"'
    return listed if len(listed) <= LIST_LIMIT else None


def figure_example(leaf: Leaf) -> Decimal:
    """A figure to show in the input message of a number or ratio leaf: the rule's first edge
    (a band's bound; a linear rule's threshold one step on), within its declared range."""
    rule = leaf.rule
    figure: Decimal | None = None
    if isinstance(rule, Bands):
        figure = next(
            (e for band in rule.bands for e in (band.ge, band.gt, band.le, band.lt) if e is not None), None
        )
    elif isinstance(rule, Linear):
        figure = rule.start - rule.step if rule.direction == "down" else rule.start + rule.step
    if (
        leaf.low is not None
        and leaf.high is not None
        and (figure is None or not leaf.low <= figure <= leaf.high)
    ):
        figure = leaf.high
    return figure if figure is not None else Decimal(100)


def _number_hint(leaf: Leaf, unit: str | None) -> str:
    """A number's message: the range and unit, and an example as it may be typed. A percentage may
    be typed with its sign, which Excel stores as a fraction shown as a percentage, and the
    reader reads as shown; a fraction (a range of [0, 1]) may not."""
    span = (
        f" {fmt(leaf.low)}~{fmt(leaf.high)} 之间的" if leaf.low is not None and leaf.high is not None else ""
    )
    example = fmt(figure_example(leaf))
    if unit == "%":
        return f"填写{span}数值（单位：%），如“{example}”或“{example}%”。"
    tail = f"（单位：{unit}）" if unit else ""
    if leaf.low == 0 and leaf.high == 1:
        return f"填写{span}数值{tail}，如“{example}”（小数，不填百分数）。"
    return f"填写{span}数值{tail}，如“{example}”。"


def _ratio_hint(leaf: Leaf, unit: str | None) -> str:
    """A ratio's message: the figure and its reference, or their quotient; never a percentage
    (the cell is text, so "85%" is refused instead of read as 85)."""
    quotient = figure_example(leaf)
    pair = f"{fmt(quotient * 100)}/100"
    both = f"（单位：{unit}）" if unit else ""
    return f"填写“实测值/参考值”{both}，如“{pair}”；或两者之比，如“{fmt(quotient)}”（不填百分数）。"


def hint(leaf: Leaf, deduction: bool) -> str:
    """How the answer cell of *leaf* asks to be filled in (its input message): what to type, with
    an example (in “…”) that the reader accepts as typed."""
    unit = getattr(leaf.rule, "unit", None)
    tail = f"（单位：{unit}）" if unit else ""
    if leaf.shape == "bool":
        if leaf.address.endswith(".zero"):
            return "符合本项不得分的情形填“是”，否则填“否”。"
        if leaf.address.endswith(".na"):
            return "本项不适用填“是”，否则填“否”。"
        return "有扣分情形填“是”，没有填“否”。" if deduction else "符合填“是”，不符合填“否”。"
    if leaf.shape == "count":
        need = getattr(leaf.rule, "at_least", None)
        if need:
            when = f"少于{need}时扣分" if deduction else f"达到{need}时得分"
            return f"填写数量（整数），{when}，如“{need}”。"
        return f"填写数量（整数）{tail}，如“2”。"
    if leaf.shape == "count_or_names":
        if not leaf.options:
            return f"填写数量（整数），如“2”；或逐项填写名称，用“{NAME_SEPARATOR}”分隔。"
        more = "" if leaf.closed else "（也可填写其他名称）"
        names = NAME_SEPARATOR.join(leaf.options)
        return f"填写数量（整数），如“2”；或所列名称，用“{NAME_SEPARATOR}”分隔{more}。可选：{names}"
    if leaf.shape == "ratio":
        return _ratio_hint(leaf, unit)
    if leaf.shape == "judged":
        assert leaf.low is not None
        assert leaf.high is not None
        step = f"，以{fmt(leaf.step)}分为单位" if leaf.step is not None else ""
        what = "扣分" if deduction else "分值"
        return f"填写 0 或 {fmt(leaf.low)}~{fmt(leaf.high)} 之间的{what}{step}，如“{fmt(leaf.high)}”。"
    if leaf.shape == "tier":
        return tier_hint(leaf)
    return _number_hint(leaf, unit)


def accepts(leaf: Leaf) -> Accepts:
    """The data validation of *leaf*'s answer cell."""
    if leaf.shape == "bool":
        return Accepts("list", '"是,否"')
    if leaf.shape == "count":
        return Accepts("whole", "0", TOP, "between")
    if leaf.shape == "judged":
        assert leaf.high is not None
        return Accepts("decimal", "0", fmt(leaf.high), "between")
    if leaf.shape == "number" and leaf.low is not None and leaf.high is not None:
        return Accepts("decimal", fmt(leaf.low), fmt(leaf.high), "between")
    if leaf.shape == "number":
        return Accepts("decimal", f"-{TOP}", TOP, "between")
    if leaf.shape == "tier" and (listed := tier_list(leaf)) is not None:
        return Accepts("list", listed)
    if leaf.shape == "ratio":
        return Accepts(text=True)
    return Accepts()  # a count or names, a ranged tier: text, which the reader checks


@attrs.frozen
class Row:
    """One row of the table: an item, or a leaf of one (its own row, with the answer cell)."""

    unit: str
    project: str | None
    address: str
    text: str
    points: Decimal | None
    leaf: Leaf | None
    deduction: bool = False


def rows(rubric: Rubric) -> Iterator[Row]:
    """The table's rows in address order.

    An item with one leaf is one row; an item made of parts (or with a condition, a zero or N/A
    clause) is a row of its own, without an answer cell, followed by a row per leaf.
    """
    c = compiled(rubric)
    nodes = {n.address: n for n in walk(rubric)}
    by_item: dict[str, list[Leaf]] = {}
    for leaf in c.leaves.values():
        by_item.setdefault(leaf.item, []).append(leaf)
    for address, leaves in by_item.items():
        item = nodes[address]
        unit = c.unit_nodes[item.unit][0]
        project = address.rsplit(".", 1)[0] if item.project is not None else None
        declared = getattr(item.rule, "points", None)
        points = declared if declared is not None else maximum(item.rule)
        title = item_text(item, rubric.levels)
        # An item answered at its own address keeps its answer cell on its own row; its other
        # leaves (a condition, a zero or N/A clause, deductions) follow, each on a row.
        own = next((leaf for leaf in leaves if leaf.address == address), None)
        yield Row(unit, project, address, title, points, own)
        for leaf in leaves:
            if leaf is own:
                continue
            node = nodes.get(leaf.address)
            penalty = node is not None and node.penalty
            # A clause is named by what it belongs to: "a. …" for a deduction's, nothing for the item's.
            within = leaf.address[len(address) :]
            within = within.removesuffix(".na") if within.endswith(".na") else within.removesuffix(".zero")
            within = within.removeprefix(".")
            head = f"{within}. " if within else ""
            text = f"{head}{leaf.text}{leaf_label(leaf, node, nodes.get)}"
            shown = maximum(node.rule) if node is not None and not penalty else None
            yield Row(unit, project, leaf.address, text, shown, leaf, penalty)


def groups(rubric: Rubric) -> dict[str, str]:
    """Each unit's and project's address → its title with its points, as the table shows it."""
    out: dict[str, str] = {}
    for node in walk(rubric):
        group = node.obj
        if isinstance(group, Unit | Project):
            points = group.points if group.points is not None else group_max(group)
            tag = "，附加评价单元" if isinstance(group, Unit) and group.bonus else ""
            out[node.address] = (
                f"{group.title}（{fmt(points)}分{tag}）" if points is not None else group.title
            )
    return out
