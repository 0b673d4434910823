"""Exact decimal arithmetic: the library's own context, exact quotients, and rounding done once.

A score must not depend on the caller's `decimal` context: a host program that sets
``getcontext().prec = 3`` or traps `decimal.Inexact` gets the same points as any other. So every
Decimal operation of scoring, validation, templates, gaps and diffs runs in `EXACT`, entered only
where Decimal arithmetic happens (the int sums of a rubric of whole points need none). Its
precision holds any sum or product of figures within the input limits (`conserv_rubric._limits`:
at most 22 significant digits) many times over, and it traps `decimal.Inexact`, so an operation
that would round raises instead of silently giving a wrong figure.

Nothing is divided in Decimal: a quotient is a `fractions.Fraction`, made a Decimal exactly when
it is a finite decimal (`finite`), or rounded half up once to the places a rubric declares
(`round_half_up`).
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal
from fractions import Fraction
from typing import Final, ParamSpec, TypeVar

#: The context every Decimal operation of the library runs in.
EXACT: Final = decimal.Context(
    prec=100,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, decimal.Inexact],
)

P = ParamSpec("P")
R = TypeVar("R")


def exact() -> AbstractContextManager[decimal.Context]:
    """Enter the library's own decimal context (a `with` block)."""
    return decimal.localcontext(EXACT)


def exactly(fn: Callable[P, R]) -> Callable[P, R]:
    """Run *fn* in the library's own decimal context (a decorator for entry points)."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with decimal.localcontext(EXACT):
            return fn(*args, **kwargs)

    return run


def _decimal(sign: int, whole: int, places: int) -> Decimal:
    """``(-1)**sign × whole × 10**-places``, built from its digits (no context involved)."""
    digits = tuple(int(d) for d in str(whole))
    return Decimal((sign if whole else 0, digits, -places))


def _places(denominator: int) -> int | None:
    """The decimal places of 1/*denominator*, or None when it is no finite decimal."""
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    return max(twos, fives) if denominator == 1 else None


def scales_finitely(factor: Fraction) -> bool:
    """Whether multiplying any finite decimal by *factor* gives a finite decimal.

    True exactly when *factor* is itself a finite decimal: ``Fraction(1, 10)`` yes, ``1/3`` no.
    Dividing by *d* is multiplying by ``1/d``: a divisor of 10 or 0.5 always divides exactly, 3
    does not.
    """
    return _places(factor.denominator) is not None


def finite(value: Fraction) -> Decimal | None:
    """*value* as an exact Decimal, or None when it is no finite decimal (1/3).

    >>> finite(Fraction(11, 2)), finite(Fraction(1, 3))
    (Decimal('5.5'), None)
    """
    places = _places(value.denominator)
    if places is None:
        return None
    whole = abs(value.numerator) * 10**places // value.denominator
    return _decimal(value < 0, whole, places)


def round_half_up(value: Fraction, places: int) -> Decimal:
    """*value* rounded half away from zero to *places* decimal places, once, from the exact figure.

    >>> round_half_up(Fraction(11, 2), 0), round_half_up(Fraction(1, 3), 2)
    (Decimal('6'), Decimal('0.33'))
    """
    scaled = abs(value) * 10**places
    whole = int(scaled + Fraction(1, 2))  # floor of a non-negative number
    return _decimal(value < 0, whole, places)


#: Rounds an exact figure once, half up (rounding is its purpose, so Inexact is not trapped).
ROUNDING: Final = decimal.Context(prec=100, rounding=decimal.ROUND_HALF_UP, traps=[decimal.InvalidOperation])


def quotient(numerator: Decimal, divisor: Decimal) -> Decimal | Fraction:
    """*numerator* / *divisor* exactly: a Decimal when the quotient is a finite decimal (the
    common case, and fast), else a Fraction to be rounded where the rubric declares digits."""
    try:
        return EXACT.divide(numerator, divisor)
    except decimal.Inexact:
        return Fraction(numerator) / Fraction(divisor)


def settle(value: Decimal | Fraction, places: int | None) -> Decimal:
    """An exact figure as the Decimal a score shows: rounded half up once to *places* if given,
    else exact.

    Raises:
        ValueError: *places* is None and *value* is no finite decimal (the validator refuses
            rubrics where that can happen, so this means an unvalidated rubric).
    """
    if isinstance(value, Decimal):
        if places is None:
            return value
        return value.quantize(Decimal((0, (1,), -places)), context=ROUNDING)
    if places is not None:
        return round_half_up(value, places)
    found = finite(value)
    if found is None:
        raise ValueError(f"{value} is no finite decimal; the rubric must declare digits to round it to")
    return found


def multiple_of(value: Decimal, step: Decimal) -> bool:
    """Whether *value* is a whole multiple of *step* (> 0), computed exactly."""
    return Fraction(value) % Fraction(step) == 0
