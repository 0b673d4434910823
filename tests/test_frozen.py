"""`conserv_rubric._frozen.Frozen`: the repr, equality and hash attrs would have generated."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from conserv_rubric import load_rubric
from conserv_rubric._frozen import Frozen
from conserv_rubric.model import Check, Flag, Level

DISTRICT = Path(__file__).resolve().parent.parent / "rubrics" / "district.toml"


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Shared(Frozen):
    name: str
    points: Decimal = Decimal(1)
    table: dict[str, int] = attrs.field(factory=dict, hash=False)
    hidden: str = attrs.field(default="", repr=False)
    ignored: str = attrs.field(default="", eq=False)
    child: object = None


@attrs.frozen(kw_only=True)
class Generated:
    """The same fields, with attrs' own methods."""

    name: str
    points: Decimal = Decimal(1)
    table: dict[str, int] = attrs.field(factory=dict, hash=False)
    hidden: str = attrs.field(default="", repr=False)
    ignored: str = attrs.field(default="", eq=False)
    child: object = None


@attrs.frozen(repr=False, eq=False)
class One(Frozen):
    x: int


@attrs.frozen(repr=False, eq=False)
class Empty(Frozen):
    pass


def _pair(**fields: object) -> tuple[Shared, Generated]:
    return Shared(**fields), Generated(**fields)  # type: ignore[arg-type]  # the same keywords


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "a"},
        {"name": "b", "points": Decimal("2.5"), "table": {"x": 1}, "hidden": "h", "ignored": "i"},
        {"name": "区", "child": ("x", None)},
    ],
)
def test_repr_is_the_one_attrs_writes(fields: dict[str, object]) -> None:
    shared, generated = _pair(**fields)
    assert repr(shared) == repr(generated).replace("Generated(", "Shared(", 1)


def test_the_repr_of_an_object_inside_itself_is_dots() -> None:
    outer = Shared(name="outer", child=[])
    outer.child.append(outer)  # type: ignore[attr-defined]  # a list, made a cycle on purpose
    assert repr(outer) == "Shared(name='outer', points=Decimal('1'), table={}, ignored='', child=[...])"


def test_equal_with_equal_fields_compared_in_order_except_those_left_out() -> None:
    a = Shared(name="a", table={"x": 1}, ignored="one")
    assert a == Shared(name="a", table={"x": 1}, ignored="two")
    assert a != Shared(name="a", table={"x": 2})
    assert a != Shared(name="b", table={"x": 1})
    assert (a == Generated(name="a", table={"x": 1})) is False  # another class is never equal
    assert a.__eq__(Generated(name="a")) is NotImplemented
    assert One(1) == One(1)
    assert One(1) != One(2)
    assert Empty() == Empty()


def test_the_hash_follows_the_hashed_fields() -> None:
    a = Shared(name="a", table={"x": 1}, ignored="one")
    b = Shared(name="a", table={"y": 2}, ignored="two")  # equal but for the table and ignored
    assert hash(a) == hash(Shared(name="a", table={"x": 1}))
    assert hash(a) == hash(b)  # neither the table nor an eq=False field is hashed
    assert len({One(1), One(1), One(2)}) == 2
    assert hash(Empty()) == hash(Empty())
    with pytest.raises(TypeError, match="unhashable type: 'list'"):
        hash(Shared(name="a", child=[1]))


def test_the_model_keeps_its_attrs_features() -> None:
    flag = Flag(points=Decimal(2), text="得2分")
    assert repr(flag) == (
        "Flag(id=None, text='得2分', note=None, zero_if=None, na_if=None, gate=None, gate_min=None, "
        "gate_figure=None, consequence=None, withholds=None, nonzero=False, verifier_only=False, "
        "bonus=False, kind='flag', points=Decimal('2'), at_least=None, indicator=None)"
    )
    assert attrs.evolve(flag, points=Decimal(3)) == Flag(points=Decimal(3), text="得2分")
    assert flag != Check(text="得2分")
    assert {flag: 1}[Flag(points=Decimal(2), text="得2分")] == 1
    assert hash(Level(name="x", min=Decimal(80))) == hash(
        Level(name="x", min=Decimal(80), unit_min={"1": Decimal(3)})
    )
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        flag.points = Decimal(1)  # type: ignore[misc]  # frozen, as it must stay


def test_two_loads_of_a_rubric_are_equal_and_hash_alike() -> None:
    a = load_rubric(DISTRICT)
    b = load_rubric(DISTRICT)
    assert a is not b
    assert a == b
    assert hash(a.units[0]) == hash(b.units[0])
