"""What a rule kind is: the interface every kind implements, and the registry that finds it.

A kind's module holds everything the kind means: the leaves a sheet answers, its maximum, the
compiled scorer, the reason in the standard's words, its own validation and the template's hint.
Adding a kind is one model class (`conserv_rubric.model`) and one module here, registered with
`register`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any, ClassVar, Final, Literal, Protocol, TypeAlias, overload

import attrs

from .._cells import normal
from .._exact import exactly
from .._frozen import Frozen
from .._text import fmt
from .._tree import Node, child_addresses
from ..model import Rule
from ._said import said_at_least, said_cap

ZERO: Final = Decimal(0)
Answers: TypeAlias = Mapping[str, Any]
Num: TypeAlias = Decimal | int
Evaluate: TypeAlias = Callable[[Answers], Num]
#: A deduction's scorer: the points it takes away, or None when a figure it needs is unanswered
#: (the item it belongs to then scores 0: docs/scoring.md, "Unanswered leaves").
Deduction: TypeAlias = Callable[[Answers], Num | None]
Shape: TypeAlias = Literal["bool", "count", "count_or_names", "number", "ratio", "judged", "tier"]
Severity: TypeAlias = Literal["error", "warning"]
#: What an unanswered leaf means (the table in docs/scoring.md): it scores 0 (``zero``); it is a
#: deficiency not found, so nothing is deducted (``none``); or it is a figure a deduction needs,
#: so the deduction cannot be computed and the whole item scores 0 (``void``).
Blank: TypeAlias = Literal["zero", "none", "void"]


@attrs.frozen(repr=False, eq=False)
class Leaf(Frozen):
    """One answerable address of a rubric and the shape of answer it wants."""

    address: str
    shape: Shape
    rule: Rule | None
    item: str
    text: str
    options: tuple[str, ...] = ()
    closed: bool = False
    low: Decimal | None = None
    high: Decimal | None = None
    step: Decimal | None = None
    blank: Blank = "zero"


class Report(Protocol):
    """How a check reports a problem with a node (see `conserv_rubric._validate`)."""

    def __call__(
        self,
        node: Node | None,
        message: str,
        path: str | None = None,
        *,
        expected: str | None = None,
        actual: str | None = None,
        severity: Severity = "error",
    ) -> None: ...


def fast(value: Decimal) -> Num:
    """*value* as an int when it is whole: int sums are several times faster than Decimal
    ones and mix with them exactly, so the hot path adds whole points as ints."""
    return int(value) if value == value.to_integral_value() else value


def positive(
    node: Node, add: Report, name: str, value: Decimal | int | None, *, zero_ok: bool = False
) -> None:
    """Report *value* unless it is more than 0 (or, with *zero_ok*, 0 or more)."""
    if value is None:
        return
    if value < 0 or (value == 0 and not zero_ok):
        want = "0 or more" if zero_ok else "more than 0"
        add(node, f"{name} must be {want}, got {fmt(value)}")


def detail(address: str, *shown: str | None) -> str:
    """The bracket of a deduction's term: its letter and what triggered it, ``（a：85%，目标90%）``."""
    key = address.rsplit(".", 1)[-1]
    said = "；".join(s for s in shown if s)
    return f"（{key}：{said}）" if said else f"（{key}）"


def check_said_cap(node: Node, text: str, cap: Decimal | None, given: Decimal | None, add: Report) -> None:
    """Warn where *text* states a cap ("最高得3分", "最多扣2分") that the rule does not give:
    *cap* is the most it gives (None for an uncapped deduction), *given* its ``max`` key."""
    said = said_cap(text)
    if said is None:
        return
    clause, figure = said
    if cap is None:
        if not is_deduction(node):
            return  # an award without a cap is an error of its own, said where it is checked
        # An uncapped deduction stops at its item's points anyway: only a smaller cap matters.
        floor = getattr(node.parent, "points", None)
        if floor is not None and figure >= floor:
            return
        message = f"the text says {clause}, but max is not set: the deduction is not capped"
        add(node, message, expected=fmt(figure), actual="no max", severity="warning")
    elif figure != cap:
        keys = f"max = {fmt(given)}" if given is not None else f"the rule gives at most {fmt(cap)}"
        message = f"the text says {clause}, but {keys}"
        add(node, message, expected=fmt(figure), actual=fmt(cap), severity="warning")


def check_said_at_least(node: Node, text: str, at_least: int | None, add: Report) -> None:
    """Warn where *text* states a count threshold ("全年不少于4次") other than *at_least*. A rule
    without ``at_least`` is answered true or false, the assessor judging the count: not warned."""
    said = said_at_least(text)
    if said is not None and at_least is not None and said[1] != at_least:
        message = f"the text says {said[0]}, but at_least = {at_least}"
        add(node, message, expected=str(said[1]), actual=str(at_least), severity="warning")


def is_deduction(node: Node) -> bool:
    """Whether *node* is one of the deductions of a ``deduct`` rule (it may then go uncapped)."""
    return node.path.rsplit(".", 1)[-1].startswith("deductions[")


class Kind:
    """One rule kind. Subclasses set `name` and `model` and override what differs."""

    name: ClassVar[str]
    model: ClassVar[type[Any]]
    #: Whether a ``points`` key declares the kind's maximum (a flag's and a deduct's *are* it).
    points_declare_max: ClassVar[bool] = True

    def leaves(self, rule: Any, address: str, item: str, penalty: bool) -> Iterator[Leaf]:
        """The answerable addresses of *rule* itself (its zero and N/A clauses aside); *penalty*:
        the rule is (inside) a deduction, which changes what a blank answer means."""
        for addr, child in child_addresses(rule, address):
            yield from leaves(child, addr, item, penalty=penalty)

    def maximum(self, rule: Any) -> Decimal | None:
        """The most *rule* can award without over-achievement bonuses; None if unbounded."""
        raise NotImplementedError

    def reachable(self, rule: Any) -> Decimal | None:
        """The most *rule* can award, over-achievement bonuses included."""
        return self.maximum(rule)

    def compile(self, rule: Any, address: str) -> Evaluate:
        """A function from validated answers to the points *rule* awards."""
        raise NotImplementedError

    def deduction(self, rule: Any, address: str) -> Deduction:
        """A function from validated answers to the points *rule* deducts as a deduction, or
        None when a figure it needs is unanswered. By default the award read as a deduction:
        an unanswered flag, count or judged amount deducts nothing."""
        return self.compile(rule, address)

    def integral(self, rule: Any) -> bool:
        """Whether the compiled scorer only adds and compares whole numbers (ints), so that
        scoring needs no decimal context at all (the hot path of a rubric of whole points)."""
        return False

    def reason(self, rule: Any, address: str, answers: Answers, points: Decimal) -> str:
        """Why *rule*, an item or a part of one (never a deduction), awarded *points*."""
        raise NotImplementedError

    def check(self, node: Node, rule: Any, add: Report) -> None:
        """Report what is wrong with *rule* beyond the checks every rule gets."""

    def hint(self, leaf: Leaf, deduction: bool) -> str:
        """How the template asks for *leaf*'s answer."""
        return "填写 true 或 false"

    def term(self, rule: Any, address: str, answers: Answers, taken: Decimal) -> str:
        """How a ``deduct`` reason shows *rule*, a deduction that took *taken* points away: the
        amount and, in brackets after the deduction's letter, what triggered it (the count, the
        measured figure and its target, the tier; by default the deduction's own text)."""
        return f"{fmt(taken)}分{detail(address, rule.text)}"

    def single(self, rule: Any) -> Decimal | None:
        """What one finding of *rule*, as a deduction, takes away at most (per counted thing,
        per step, the largest fixed amount); None where that is not bounded."""
        return self.maximum(rule)

    def measures(self, rule: Any) -> bool:
        """Whether *rule* is scored from one measured number (so a gate can compare it)."""
        return False

    def figure(self, rule: Any, address: str, answers: Answers) -> Decimal | None:
        """The measured number *rule* is scored from, or None when it is unanswered."""
        return None

    def plain_flags(self, rule: Any, address: str) -> list[tuple[str, Num]] | None:
        """The (address, points) of a rule that only adds plain flags, else None (the hot path)."""
        return None


REGISTRY: Final[dict[type[Any], Kind]] = {}


def register(cls: type[Kind]) -> type[Kind]:
    """Add a kind to the registry (a class decorator)."""
    REGISTRY[cls.model] = cls()
    return cls


def kind_of(rule: Rule) -> Kind:
    """The kind of *rule*."""
    return REGISTRY[type(rule)]


def leaves(rule: Rule, address: str, item: str, *, penalty: bool = False) -> Iterator[Leaf]:
    """Every answerable address inside *rule* (at *address*, part of item *item*).

    Args:
        rule: the rule.
        address: its address.
        item: the address of the item it belongs to.
        penalty: the rule is (inside) a deduction of a ``deduct``; each leaf's `Leaf.blank`
            says what leaving it unanswered means there.
    """
    if rule.zero_if is not None:
        yield Leaf(f"{address}.zero", "bool", None, item, rule.zero_if)
    if rule.na_if is not None:
        yield Leaf(f"{address}.na", "bool", None, item, rule.na_if)
    yield from kind_of(rule).leaves(rule, address, item, penalty)


@exactly
def maximum(rule: Rule) -> Decimal | None:
    """The most *rule* can award without over-achievement bonuses; None if unbounded."""
    return kind_of(rule).maximum(rule)


@exactly
def reachable(rule: Rule) -> Decimal | None:
    """The most *rule* can award, over-achievement bonuses included."""
    return kind_of(rule).reachable(rule)


def integral(rule: Rule) -> bool:
    """Whether *rule*'s compiled scorer needs no decimal context (only whole numbers)."""
    return kind_of(rule).integral(rule)


@overload
def compile_rule(rule: Rule, address: str, *, penalty: Literal[False] = False) -> Evaluate: ...
@overload
def compile_rule(rule: Rule, address: str, *, penalty: bool) -> Deduction: ...
def compile_rule(rule: Rule, address: str, *, penalty: bool = False) -> Evaluate | Deduction:
    """A function from answers to the points *rule* awards (zero and N/A leaves included).

    The scorers do Decimal arithmetic in the caller's context: call them inside
    `conserv_rubric._exact.exact` unless `integral` says they need none.

    Args:
        rule: the rule.
        address: its address.
        penalty: the rule is a deduction of a `Deduct` (or nested in one): the function then
            gives the points deducted, or None when a figure the deduction needs is unanswered.
    """
    kind = kind_of(rule)
    inner = kind.deduction(rule, address) if penalty else kind.compile(rule, address)
    # An item's own N/A clause is the compiled plan's (it changes what the item counts for); a
    # deduction's ("有食堂的…扣4分") only says whether that deduction applies.
    off = [f"{address}.zero"] if rule.zero_if is not None else []
    if penalty and rule.na_if is not None:
        off.append(f"{address}.na")
    if not off:
        return inner

    def zeroed(answers: Answers) -> Num | None:
        return 0 if any(answers.get(a) is True for a in off) else inner(answers)

    return zeroed


@exactly
def explain(rule: Rule, address: str, answers: Answers) -> tuple[Decimal, str]:
    """The points *rule* (an item, or a part of one) awards and why, in the standard's words."""
    points = Decimal(compile_rule(rule, address)(answers))
    if rule.zero_if is not None and answers.get(f"{address}.zero") is True:
        return points, f"本项不得分（{rule.zero_if}）"
    return points, kind_of(rule).reason(rule, address, answers, points)


def plain_flags(rule: Rule, address: str) -> list[tuple[str, Num]] | None:
    """The (address, points) of a rule that only adds plain flags, else None.

    A plain ``flag``, or uncapped ``parts`` made only of them, scores the sum of the points of
    the leaves answered ``true``; the hot path adds those without a call per rule.
    """
    if (
        rule.zero_if is not None
        or rule.na_if is not None
        or rule.gate is not None
        or rule.bonus
        or rule.nonzero
        or rule.verifier_only
    ):
        return None
    return kind_of(rule).plain_flags(rule, address)


def answered(rule: Rule, address: str, answers: Answers) -> bool:
    """Whether any leaf of *rule* (its zero and N/A clauses aside) has an answer."""
    return any(
        leaf.address in answers
        for leaf in kind_of(rule).leaves(rule, address, address, False)
        if not leaf.address.endswith((".zero", ".na"))
    )


def unanswered_leaves(address: str, leaves: Iterable[str], answers: Answers) -> tuple[str, ...]:
    """The leaves of item *address* without an answer, its zero and N/A clauses aside, and
    without the leaves of a deduction marked not applicable (``….na = true``), which a sheet may
    not answer, or of the item or a rule in it zeroed (``….zero = true``, 本项不得分), which
    score nothing whatever they say. (An item marked not applicable is left out of the card's
    list by its caller.)"""
    leaves = tuple(leaves)
    own = f"{address}.na"
    marked = tuple(
        a.removesuffix("na") for a in leaves if a != own and a.endswith(".na") and answers.get(a) is True
    ) + tuple(a.removesuffix("zero") for a in leaves if a.endswith(".zero") and answers.get(a) is True)
    return tuple(
        a
        for a in leaves
        if a not in answers and not a.endswith((".zero", ".na")) and not (a + ".").startswith(marked)
    )


def count(value: object) -> int:
    """The count of a validated counter answer: a number, or the length of a list of names."""
    if value is None:
        return 0
    if isinstance(value, list | tuple):
        return len(value)
    assert isinstance(value, int)
    return value


def same_name(what: str, names: Iterable[str]) -> str | None:
    """The problem with *names* (a rule's options or tiers) that a sheet cannot tell apart: one
    listed twice, or two that are one name once normalised as answers are (NFKC, trimmed:
    ``A级`` and ``Ａ级``, ``符合`` and ``符合 ``); None when every name is distinct."""
    seen: dict[str, str] = {}
    for name in names:
        key = normal(name)
        if key in seen:
            if seen[key] == name:
                return f"{what} '{name}' is listed twice"
            return (
                f"{what}s '{seen[key]}' and '{name}' are one name to a sheet (compared after NFKC "
                "normalisation and trimming): rename one"
            )
        seen[key] = name
    return None
