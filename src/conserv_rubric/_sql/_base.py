"""What rendering a rule as SQL needs: the dialect, the exact unit of points, the registry.

Points are whole numbers of a unit of ``10**-scale`` points (hundredths for a rubric whose
figures have two decimals), summed as ``DECIMAL(38, 0)``: DuckDB turns decimal division into
floating point and Spark changes decimal scales, but neither rounds a sum, a product or a
comparison of whole numbers. A figure is converted back to points by one exact multiplication.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final, Literal, TypeAlias

import attrs

from .._tree import Node
from ..model import Rule

Dialect: TypeAlias = Literal["duckdb", "spark"]
#: The dialects a rubric renders to.
DIALECTS: Final[tuple[Dialect, ...]] = ("duckdb", "spark")
#: The SQL type of whole units of points.
UNITS: Final = "DECIMAL(38, 0)"
#: The SQL type every number a sheet may hold fits exactly (12 digits, 10 decimals: `_limits`).
NUMBER: Final = "DECIMAL(22, 10)"
#: The decimal places of `NUMBER`.
NUMBER_PLACES: Final = 10


class NotExpressible(Exception):
    """A rule, option or modifier that SQL cannot score exactly, located at *node*."""

    def __init__(self, node: Node | None, reason: str) -> None:
        where = f"{node.label.split(' in ', 1)[0]} ({node.path}): " if node is not None else ""
        super().__init__(f"{where}{reason}: not expressible exactly in SQL")
        self.node = node
        self.reason = reason


def places(value: Decimal) -> int:
    """The decimal places *value* needs (0 for a whole number)."""
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


@attrs.frozen
class Ctx:
    """How one rubric is rendered: its dialect and the places of its unit of points."""

    dialect: Dialect
    scale: int

    def column(self, address: str) -> str:
        """The parsed answer of the leaf at *address* (NULL when unanswered)."""
        return self.quote(address)

    def units(self, points: Decimal | int) -> str:
        """*points* as a literal of whole units."""
        whole = Decimal(points).scaleb(self.scale)
        assert whole == whole.to_integral_value(), points
        return f"CAST({int(whole)} AS {UNITS})"

    def idiv(self, a: str, b: str) -> str:
        """The whole quotient of two non-negative whole numbers."""
        if self.dialect == "spark":
            # Spark's `div` returns a BIGINT and wraps a larger quotient round, ANSI mode or not
            # (10^23 div 1 is 200376420520689664): the remainder taken away, the decimal
            # division is exact, and a quotient too large for its type stops the query instead.
            return f"CAST((({a}) - ({a}) % ({b})) / ({b}) AS {UNITS})"
        return f"CAST(CAST({a} AS HUGEINT) // CAST({b} AS HUGEINT) AS {UNITS})"

    def imod(self, a: str, b: str) -> str:
        """The remainder of two non-negative whole numbers."""
        if self.dialect == "spark":
            return f"(({a}) % ({b}))"
        return f"(CAST({a} AS HUGEINT) % CAST({b} AS HUGEINT))"

    def number(self, value: Decimal) -> str:
        """*value* as a literal of the type every sheet number is read as."""
        return f"CAST('{value}' AS {NUMBER})"

    def quote(self, name: str) -> str:
        """*name* as a quoted identifier of the dialect."""
        if self.dialect == "spark":
            return "`" + name.replace("`", "``") + "`"
        return '"' + name.replace('"', '""') + '"'


#: A rule's renderer: (ctx, rule, address, penalty) → an SQL expression of units; in a
#: deduction (*penalty*) the expression is NULL when a figure it needs is unanswered.
Render: TypeAlias = Callable[[Ctx, Any, str, bool], str]
REGISTRY: Final[dict[type[Any], Render]] = {}
#: Per kind: the decimal places its figures need, or raise `NotExpressible`.
PLACES: Final[dict[type[Any], Callable[[Node, Any], int]]] = {}


def renders(model: type[Any], needs: Callable[[Node, Any], int]) -> Callable[[Render], Render]:
    """Register the renderer of *model* and what decimal places it needs (a decorator)."""

    def add(fn: Render) -> Render:
        REGISTRY[model] = fn
        PLACES[model] = needs
        return fn

    return add


def needed_places(node: Node, rule: Rule) -> int:
    """The places *rule* (at *node*) needs, or raise `NotExpressible` for a kind without renderer."""
    found = PLACES.get(type(rule))
    if found is None:
        raise NotExpressible(node, f"kind '{rule.kind}' has no SQL renderer")
    return found(node, rule)
