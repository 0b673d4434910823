"""Coefficient tables: the shipped ones by name, a local one by file path, each checked key by key."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Final

from ._energy_model import CARRIERS, Coefficients, Density, Factor
from ._parse import decode, parse_toml, read_bytes
from ._text import describe, out_of_range, suggest
from .errors import Problem, RubricError

#: The table used when none is chosen: 说明五 converts at 当量值.
DEFAULT_COEFFICIENTS: Final = "gbt2589-2020-dangliang"
_DENSITIES: Final = "densities"
_CONFIDENCE: Final = ("H", "M", "L")
_BASES: Final = ("当量值", "等价值")
_TABLE_KEYS: Final = ("name", "title", "version", "basis", "confidence", "source", "note", "base")
_FACTOR_KEYS: Final = ("unit", "factor", "confidence", "source", "note")
_DENSITY_KEYS: Final = ("kg_per_litre", "confidence", "source")


def _shipped_dir() -> Any:
    return resources.files("conserv_rubric").joinpath("coefficients")


def shipped_coefficients() -> tuple[str, ...]:
    """The names of the shipped coefficient tables, sorted.

    Returns:
        Names such as ``gbt2589-2020-dangliang`` that `load_coefficients` accepts.
    """
    names = (e.name.removesuffix(".toml") for e in _shipped_dir().iterdir() if e.name.endswith(".toml"))
    return tuple(sorted(n for n in names if n != _DENSITIES))


class _Checker:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(file=self.file, path=path, message=message))

    def keys(self, table: Mapping[str, Any], allowed: tuple[str, ...], path: str) -> None:
        for key in table:
            if key not in allowed:
                where = f"{path}.{key}" if path else key
                self.problem(where, f"unknown key '{key}'{suggest(key, allowed)}")

    def text(self, table: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str | None:
        where = f"{path}.{key}" if path else key
        value = table.get(key)
        if value is None:
            if required:
                self.problem(where, "missing; expected a string")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(where, f"expected a non-empty string, got {describe(value)}")
            return None
        return value

    def choice(self, table: Mapping[str, Any], key: str, path: str, choices: tuple[str, ...]) -> str | None:
        value = self.text(table, key, path)
        if value is not None and value not in choices:
            where = f"{path}.{key}" if path else key
            self.problem(where, f"expected one of {', '.join(choices)}, got {describe(value)}")
            return None
        return value

    def positive(self, table: Mapping[str, Any], key: str, path: str) -> Decimal | None:
        where = f"{path}.{key}"
        value = table.get(key)
        if value is None:
            self.problem(where, "missing; expected a number more than 0")
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.problem(where, f"expected a number more than 0, got {describe(value)}")
            return None
        number = Decimal(value)
        why = out_of_range(number)
        if why is not None:
            self.problem(where, why)
            return None
        if number <= 0:
            self.problem(where, f"expected a number more than 0, got {describe(value)}")
            return None
        return number

    def section(
        self, doc: Mapping[str, Any], key: str, read: Callable[[str, Mapping[str, Any], str], None]
    ) -> None:
        section = doc.get(key, {})
        if not isinstance(section, dict):
            self.problem(key, f"expected a table, got {describe(section)}")
            return
        for carrier, entry in section.items():
            path = f"{key}.{carrier}"
            if carrier not in CARRIERS or carrier == "other":
                known = [c for c in CARRIERS if c != "other"]
                self.problem(path, f"unknown carrier '{carrier}'{suggest(carrier, known)}")
            elif not isinstance(entry, dict):
                self.problem(path, f"expected a table, got {describe(entry)}")
            else:
                read(carrier, entry, path)


def _read_text(source: str | Path) -> tuple[str, str]:
    """The text of a table and the name it is reported under."""
    if isinstance(source, str) and source in (*shipped_coefficients(), _DENSITIES):
        entry = _shipped_dir().joinpath(f"{source}.toml")
        return entry.read_text(encoding="utf-8"), f"{source}.toml"
    file = str(source)
    return decode(read_bytes(source), file), file


def _densities(doc: Mapping[str, Any], checker: _Checker) -> dict[str, Density]:
    out: dict[str, Density] = {}

    def read(carrier: str, entry: Mapping[str, Any], path: str) -> None:
        checker.keys(entry, _DENSITY_KEYS, path)
        if not CARRIERS[carrier].liquid:
            checker.problem(path, f"{carrier} ({CARRIERS[carrier].label}) is not given in litres")
            return
        value = checker.positive(entry, "kg_per_litre", path)
        confidence = checker.choice(entry, "confidence", path, _CONFIDENCE)
        source = checker.text(entry, "source", path)
        if value is not None and confidence is not None and source is not None:
            out[carrier] = Density(carrier=carrier, kg_per_litre=value, confidence=confidence, source=source)

    checker.section(doc, "densities", read)
    return out


def _load(source: str | Path, *, shipped_base: bool) -> Coefficients:
    text, file = _read_text(source)
    doc = parse_toml(text, file)
    checker = _Checker(file)
    checker.keys(doc, (*_TABLE_KEYS, "factors", "densities"), "")
    name = checker.text(doc, "name", "")
    title = checker.text(doc, "title", "")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, str | int):
        checker.problem("version", f'expected a version such as "1", got {describe(version)}')
    basis = checker.choice(doc, "basis", "", _BASES)
    confidence = checker.choice(doc, "confidence", "", _CONFIDENCE)
    table_source = checker.text(doc, "source", "")
    note = checker.text(doc, "note", "", required=False)
    base_name = checker.text(doc, "base", "", required=False)
    factors: dict[str, Factor] = {}
    densities: dict[str, Density] = {}
    if base_name is not None:
        if not shipped_base or base_name not in shipped_coefficients():
            names = shipped_coefficients()
            hint = suggest(base_name, names)
            checker.problem(
                "base", f"unknown table '{base_name}'{hint}; expected a shipped table: {', '.join(names)}"
            )
        else:
            base = _load(base_name, shipped_base=False)
            factors.update(base.factors)
            densities.update(base.densities)
    else:
        densities.update(_load_densities())

    def read(carrier: str, entry: Mapping[str, Any], path: str) -> None:
        checker.keys(entry, _FACTOR_KEYS, path)
        want = CARRIERS[carrier].base
        unit = checker.text(entry, "unit", path)
        if unit is not None and unit != want:
            checker.problem(f"{path}.unit", f"{carrier}'s factor is kgce per {want}, got {describe(unit)}")
        value = checker.positive(entry, "factor", path)
        level = checker.choice(entry, "confidence", path, _CONFIDENCE)
        origin = checker.text(entry, "source", path)
        remark = checker.text(entry, "note", path, required=False)
        if (
            unit is not None
            and unit == want
            and value is not None
            and level is not None
            and origin is not None
        ):
            factors[carrier] = Factor(
                carrier=carrier, unit=unit, value=value, confidence=level, source=origin, note=remark
            )

    if "factors" not in doc and base_name is None:
        checker.problem("factors", "missing; expected [factors.CARRIER] tables (or base = a shipped table)")
    checker.section(doc, "factors", read)
    densities.update(_densities(doc, checker))
    if checker.problems:
        raise RubricError(checker.problems)
    assert name is not None
    assert title is not None
    assert basis is not None
    assert confidence is not None
    assert table_source is not None
    return Coefficients(
        name=name,
        title=title,
        version=str(version),
        basis=basis,
        confidence=confidence,
        source=table_source,
        factors=factors,
        densities=densities,
        file=None if isinstance(source, str) and file == f"{source}.toml" else file,
        note=note,
    )


def _load_densities() -> dict[str, Density]:
    text, file = _read_text(_DENSITIES)
    doc = parse_toml(text, file)
    checker = _Checker(file)
    out = _densities(doc, checker)
    if checker.problems:  # pragma: no cover - the shipped file is tested to load
        raise RubricError(checker.problems)
    return out


def _is_bare_name(source: str) -> bool:
    return "/" not in source and "\\" not in source and not source.endswith(".toml")


def load_coefficients(source: str | Path | None = None) -> Coefficients:
    """Load a coefficient table: a shipped one by name, or a local TOML file by path.

    A string naming an existing file is read as that file; otherwise a bare name (no ``/`` and no
    ``.toml``) names a shipped table. A local table has the shipped tables' layout and may start
    from one of them with ``base = "gbt2589-2020-dangliang"``, replacing only the factors it lists.

    Args:
        source: a shipped table's name, a path, or None for `DEFAULT_COEFFICIENTS` (当量值).

    Returns:
        The table, every factor with its source and confidence.

    Raises:
        RubricError: no such table, the file cannot be read, or a key or value in it is wrong.

    >>> table = load_coefficients()
    >>> table.name, table.basis, table.factors["electricity"].value
    ('gbt2589-2020-dangliang', '当量值', Decimal('0.1229'))
    """
    if source is None:
        source = DEFAULT_COEFFICIENTS
    if isinstance(source, str) and _is_bare_name(source) and not Path(source).is_file():
        names = shipped_coefficients()
        if source not in names:
            message = (
                f"unknown coefficient table '{source}'{suggest(source, names)}; "
                f"shipped tables: {', '.join(names)} (or give a file path)"
            )
            raise RubricError([Problem(message=message)])
        return _load(source, shipped_base=True)
    return _load(Path(source), shipped_base=True)
