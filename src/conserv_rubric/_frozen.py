"""The ``repr``, ``==`` and ``hash`` of frozen attrs classes, shared rather than generated.

attrs writes out and compiles the source of ``__repr__``, ``__eq__`` and ``__hash__`` for every
class it builds: for the rubric model's two dozen classes that is most of the package's import
time, paid by every command before it reads a file. A class declared
``@attrs.frozen(kw_only=True, repr=False, eq=False)`` on `Frozen` gets the same three methods
from its fields instead, worked out on first use: the same text (``Flag(id=None, text='', …)``,
``...`` for an object inside its own repr), equal when of the same class with equal fields
compared in order, and the hash of the fields that take part in it (``attrs.field(hash=False)``
leaves one out, as for attrs' own).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from operator import attrgetter
from typing import Any, Final

import attrs

#: Per class: the fields shown by repr, the getter of those compared, of those hashed.
_Methods = tuple[tuple[str, ...], Callable[[Any], Any], Callable[[Any], Any]]

_METHODS: Final[dict[type, _Methods]] = {}

#: The objects being written by repr in this thread, so that a cycle prints ``...``.
_REPRING: Final = threading.local()


def _getter(names: tuple[str, ...]) -> Callable[[Any], Any]:
    """A function from an object to the tuple of its attributes *names* (also for one or none)."""
    if len(names) > 1:  # attrgetter of one name returns the value itself, not a 1-tuple
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda _obj: ()


def _methods(cls: type) -> _Methods:
    found = _METHODS.get(cls)
    if found is None:
        fields = attrs.fields(cls)
        shown = tuple(f.name for f in fields if f.repr)
        compared = tuple(f.name for f in fields if f.eq)
        hashed = tuple(f.name for f in fields if (f.eq if f.hash is None else f.hash))
        found = _METHODS[cls] = (shown, _getter(compared), _getter(hashed))
    return found


class Frozen:
    """A base for frozen attrs classes declared with ``repr=False, eq=False``: their repr,
    equality and hash from their fields, as attrs would generate them."""

    __slots__ = ()

    def __repr__(self) -> str:
        cls = type(self)
        active: set[int] | None = getattr(_REPRING, "ids", None)
        if active is None:
            active = _REPRING.ids = set()
        if id(self) in active:
            return "..."
        active.add(id(self))
        try:
            shown = _methods(cls)[0]
            body = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
            return f"{cls.__qualname__.rsplit('>.', 1)[-1]}({body})"
        finally:
            active.discard(id(self))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        compared = _methods(self.__class__)[1]
        return bool(compared(self) == compared(other))

    def __hash__(self) -> int:
        cls = self.__class__
        return hash((cls.__qualname__, *_methods(cls)[2](self)))
