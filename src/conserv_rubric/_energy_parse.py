"""Reading a sheet's [energy] section, nested (TOML, JSON) or as dotted columns (a wide CSV row)."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal

import attrs

from ._energy_model import (
    BANDS,
    CARRIERS,
    INDICATORS,
    KGCE,
    TIERS,
    UNITS,
    EnergyData,
    Quantity,
    Target,
    units_of,
)
from ._headers import read_header
from ._parse import csv_records, parse_json, parse_toml, read_bytes, read_text
from ._text import describe, out_of_range, suggest
from .errors import Problem, RubricError, SheetError

_KEYS: Final = (
    "year",
    "area",
    "energy_users",
    "water_users",
    "water",
    "use",
    "vehicles",
    "heating",
    "targets",
    "last_year",
)
_PREFIX: Final = "energy."
_NUMBER: Final = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
_YEAR: Final = re.compile(r"[0-9]{4}")
_MET_AT_BANDS: Final = tuple(name for name, bound in BANDS if bound is not None)
_QUOTA_KEYS: Final = (*TIERS, "met_at")
_TARGET_KEYS: Final = ("decline", *_QUOTA_KEYS, "peer_average")
_TARGET_SHAPES: Final = (
    '{ decline = … }, quota tiers { constraint = …, benchmark = …, guide = …, met_at = "…" } '
    'or { peer_average = …, met_at = "…" }'
)
_TIER_MISSING: Final = 'tier counts as met: "constraint" (约束值), "benchmark" (基准值) or "guide" (引导值)'
_BAND_MISSING: Final = (
    'band counts as met: "0.9A", "A", "1.1A" or "1.2A" (a figure at or below that multiple of peer_average)'
)


class _Text(str):
    """A CSV cell's text: read as a number where the key wants one."""

    __slots__ = ()


def _quote(words: tuple[str, ...]) -> str:
    return _list([f'"{w}"' for w in words])


def _list(words: tuple[str, ...] | list[str]) -> str:
    return ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else words[0]


def _example(carrier: str) -> str:
    unit = units_of(CARRIERS[carrier])[0]
    return f"{{ {unit} = 1000 }}"


class _Reader:
    def __init__(self, file: str | None, line: int | None) -> None:
        self.file = file
        self.line = line
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(file=self.file, line=self.line, path=path, message=message))

    def number(self, value: object, path: str, least: Literal["positive", "zero"]) -> Decimal | None:
        want = "a number more than 0" if least == "positive" else "a number of 0 or more"
        number: Decimal | None = None
        if isinstance(value, _Text):
            text = unicodedata.normalize("NFKC", value).strip()
            if _NUMBER.fullmatch(text):
                number = Decimal(text)
            else:
                self.problem(path, f"expected {want} in digits (1234.5), got {describe(str(value))}")
                return None
        elif isinstance(value, bool):
            self.problem(path, f"expected {want}, got {describe(value)}")
            return None
        elif isinstance(value, float):
            self.problem(
                path, f"expected {want}, got a float ({value!r}); give it exactly (an int or a Decimal)"
            )
            return None
        elif isinstance(value, int | Decimal):
            number = Decimal(value)
        elif isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
            self.problem(path, f"expected {want}, got {describe(value)}; write the number without quotes")
            return None
        else:
            self.problem(path, f"expected {want}, got {describe(value)}")
            return None
        why = out_of_range(number)
        if why is not None:
            self.problem(path, why)
            return None
        if number < 0 or (number == 0 and least == "positive"):
            self.problem(path, f"expected {want}, got {describe(number)}")
            return None
        return number

    def text(self, value: object, path: str, choices: tuple[str, ...]) -> str | None:
        if isinstance(value, str):
            text = unicodedata.normalize("NFKC", value).strip() if isinstance(value, _Text) else value
            if text in choices:
                return text
        self.problem(path, f"expected {_quote(choices)}, got {describe(value)}{self._near(value, choices)}")
        return None

    @staticmethod
    def _near(value: object, choices: tuple[str, ...]) -> str:
        return suggest(value, choices) if isinstance(value, str) else ""

    def table(self, value: object, path: str, example: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.problem(path, f"expected a table such as {example}, got {describe(value)}")
        return None

    def keys(self, table: Mapping[str, Any], allowed: tuple[str, ...], path: str) -> None:
        for key in table:
            if key not in allowed:
                self.problem(f"{path}.{key}", f"unknown key '{key}'{suggest(key, allowed)}")


# --- dotted columns ------------------------------------------------------------------------


def _unflatten(data: Mapping[Any, Any], reader: _Reader) -> dict[str, Any]:
    """Nest ``energy.use.electricity.kwh`` columns in their order; an empty cell is a key not given."""
    columns: dict[tuple[str, ...], tuple[str, object]] = {}
    for column, value in data.items():
        if not isinstance(column, str) or not column.startswith(_PREFIX):
            where = column if isinstance(column, str) else "energy"
            reader.problem(
                where, f"not an energy column; expected a name such as energy.area, not {column!r}"
            )
        elif not (isinstance(value, str) and not value.strip()):
            columns[tuple(column[len(_PREFIX) :].split("."))] = (column, value)
    # Each proper prefix of a column → the first column extending it, so that a clash is found in one pass.
    extended: dict[tuple[str, ...], str] = {}
    for parts, (column, _) in columns.items():
        for i in range(1, len(parts)):
            extended.setdefault(parts[:i], column)
    root: dict[str, Any] = {}
    for parts, (column, value) in columns.items():
        if parts in extended:
            reader.problem(
                column, f"holds a value, but column {extended[parts]} needs it to be a table of values"
            )
            continue
        if any(parts[:i] in columns for i in range(1, len(parts))):
            continue  # reported at the shorter column
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = _Text(value) if isinstance(value, str) else value
    return root


# --- the section ---------------------------------------------------------------------------


def _quantities(
    reader: _Reader, value: object, path: str, part: Literal["use", "vehicles", "heating"]
) -> tuple[Quantity, ...] | None:
    table = reader.table(value, path, "{ electricity = { kwh = 1000 } }")
    if table is None:
        return None
    if not table:
        if part == "use":
            reader.problem(path, "lists no carrier; expected the year's energy by carrier")
        elif part == "vehicles":
            reader.problem(
                path,
                "lists no carrier; give the official vehicles' energy by carrier, "
                "e.g. gasoline = { litres = 0 } if they used none",
            )
        else:
            reader.problem(path, "lists no carrier; leave energy.heating out if heating is not metered apart")
        return None
    out: list[Quantity] = []
    for name, spec in table.items():
        where = f"{path}.{name}"
        carrier = CARRIERS.get(name)
        if carrier is None:
            by_label = {c.label: c.name for c in CARRIERS.values()}
            hint = (
                f" (did you mean '{by_label[name]}'?)" if name in by_label else suggest(name, list(CARRIERS))
            )
            known = ", ".join(CARRIERS)
            reader.problem(where, f"unknown carrier '{name}'{hint}; known carriers: {known}")
            continue
        quantity = reader.table(spec, where, _example(name))
        if quantity is None:
            continue
        units = units_of(carrier)
        if len(quantity) != 1:
            message = (
                f"expected one quantity such as {_example(name)}, got an empty table"
                if not quantity
                else f"expected one quantity in one unit, got {' and '.join(quantity)}"
            )
            reader.problem(where, message)
            continue
        ((unit, amount),) = quantity.items()
        unit_path = f"{where}.{unit}"
        measured = f"{name} ({carrier.label}) is given in {_list(units)}"
        if unit not in (*UNITS, "litres", KGCE):
            reader.problem(
                unit_path, f"unknown unit '{unit}'{suggest(unit, (*UNITS, 'litres', KGCE))}; {measured}"
            )
            continue
        if unit not in units:
            reader.problem(unit_path, f"{measured}, not {unit}")
            continue
        number = reader.number(amount, unit_path, "zero")
        if number is not None:
            out.append(Quantity(carrier=name, unit=unit, amount=number, path=unit_path))
    return tuple(out)


def _target(reader: _Reader, name: str, spec: object, path: str) -> Target | None:
    if not isinstance(spec, dict):
        if isinstance(spec, _Text | int | Decimal | float) or (
            isinstance(spec, str) and _NUMBER.fullmatch(spec.strip())
        ):
            value = reader.number(spec, path, "positive")
            return None if value is None else Target(indicator=name, kind="absolute", path=path, value=value)
        reader.problem(
            path,
            f"expected a target figure or a table ({_TARGET_SHAPES}), got {describe(spec)}",
        )
        return None
    reader.keys(spec, _TARGET_KEYS, path)
    given = [k for k in _TARGET_KEYS if k in spec]
    if "decline" in spec:
        if len(given) > 1:
            reader.problem(path, f"mixes a decline rate with {', '.join(k for k in given if k != 'decline')}")
            return None
        rate = reader.number(spec["decline"], f"{path}.decline", "zero")
        if rate is not None and rate >= 1:
            reader.problem(
                f"{path}.decline",
                f"expected the decline as a fraction below 1 (1.23% is 0.0123), got {describe(rate)}",
            )
            return None
        return None if rate is None else Target(indicator=name, kind="decline", path=path, decline=rate)
    if "peer_average" in spec:
        tiers = [k for k in TIERS if k in spec]
        if tiers:
            reader.problem(path, f"mixes a peer average with quota tiers ({', '.join(tiers)})")
            return None
        average = reader.number(spec["peer_average"], f"{path}.peer_average", "positive")
        met_at = _met_at(reader, spec, path, _MET_AT_BANDS, _BAND_MISSING)
        if average is None or met_at is None:
            return None
        return Target(indicator=name, kind="peer", path=path, peer_average=average, met_at=met_at)
    if any(k in spec for k in TIERS):
        tiers_given = {k: reader.number(spec[k], f"{path}.{k}", "positive") for k in TIERS if k in spec}
        met_at = _met_at(reader, spec, path, tuple(TIERS), _TIER_MISSING)
        tiers_read = {k: v for k, v in tiers_given.items() if v is not None}
        if met_at is None or len(tiers_read) != len(tiers_given):
            return None
        if met_at not in tiers_read:
            reader.problem(
                f"{path}.met_at",
                f'"{met_at}" ({TIERS[met_at]}) is not given; met_at names one of the tiers given: '
                + ", ".join(tiers_read),
            )
            return None
        values = list(tiers_read.values())
        if any(high <= low for high, low in itertools.pairwise(values)):
            shown = ", ".join(f"{k} {describe(v).removeprefix('a number ')}" for k, v in tiers_read.items())
            reader.problem(path, f"expected 约束值 > 基准值 > 引导值 (lower is better), got {shown}")
            return None
        return Target(indicator=name, kind="quota", path=path, met_at=met_at, **tiers_read)
    if not spec:
        reader.problem(path, f"expected {_TARGET_SHAPES}, got an empty table")
    return None


def _met_at(
    reader: _Reader, spec: Mapping[str, Any], path: str, choices: tuple[str, ...], missing: str
) -> str | None:
    if "met_at" not in spec:
        reader.problem(f"{path}.met_at", f"missing; say which {missing}")
        return None
    return reader.text(spec["met_at"], f"{path}.met_at", choices)


def _targets(
    reader: _Reader, value: object, last_value: object, heating: bool
) -> tuple[dict[str, Target], dict[str, Decimal]]:
    targets: dict[str, Target] = {}
    last: dict[str, Decimal] = {}
    names = tuple(INDICATORS)
    if last_value is not None:
        table = reader.table(last_value, "energy.last_year", "{ area_energy = 6.2 }")
        for name, figure in (table or {}).items():
            where = f"energy.last_year.{name}"
            if name not in INDICATORS:
                reader.problem(where, f"unknown indicator '{name}'{suggest(name, names)}")
                continue
            number = reader.number(figure, where, "positive")
            if number is not None:
                last[name] = number
    if value is not None:
        table = reader.table(value, "energy.targets", "{ area_energy = 6.0 }")
        for name, spec in (table or {}).items():
            where = f"energy.targets.{name}"
            if name not in INDICATORS:
                reader.problem(where, f"unknown indicator '{name}'{suggest(name, names)}")
                continue
            target = _target(reader, name, spec, where)
            if target is None:
                continue
            if target.kind == "decline":
                if name not in last:
                    if f"energy.last_year.{name}" not in {p.path for p in reader.problems}:
                        reader.problem(
                            f"{where}.decline",
                            f"a decline rate needs last year's figure: energy.last_year.{name}",
                        )
                    continue
                target = attrs.evolve(target, last_year=last[name])
            targets[name] = target
    if not heating:
        for section, given in (("targets", set(targets)), ("last_year", set(last))):
            if "area_energy_non_heating" in given:
                reader.problem(
                    f"energy.{section}.area_energy_non_heating",
                    "needs energy.heating, the heating part of energy.use",
                )
    return targets, last


def parse_energy(
    data: Mapping[str, Any],
    *,
    file: str | None = None,
    sheet_year: int | None = None,
    line: int | None = None,
) -> EnergyData:
    """Read a sheet's ``[energy]`` section, checking every key.

    *data* is the ``[energy]`` table as TOML or JSON gives it (floats as `Decimal`: read TOML
    with ``tomllib.loads(text, parse_float=Decimal)``), or a flat mapping of dotted columns as a
    wide CSV row carries them (``energy.area``, ``energy.use.electricity.kwh``), whose cells are
    text: digits, read after NFKC normalisation; an empty cell is a key not given.

    Args:
        data: the section, nested or flat.
        file: the file it came from, named in every problem.
        sheet_year: the sheet's year; the data must cover the calendar year before it.
        line: the CSV line it came from, named in every problem.

    Returns:
        The data, with ``water_users`` defaulting to ``energy_users``.

    Raises:
        SheetError: every problem found, each located (``energy.use.natural_gas.kwh``).
    """
    reader = _Reader(file, line)
    flat = any(isinstance(k, str) and k.startswith(_PREFIX) for k in data)
    doc: Mapping[str, Any] = _unflatten(data, reader) if flat else data
    reader.keys(doc, _KEYS, "energy")
    year = _year(reader, doc.get("year"), sheet_year)
    required = {
        "area": "建筑面积: the office floor area in m² (area = …)",
        "energy_users": "用能人数: the people working in the offices, 编外人员 included (energy_users = …)",
        "water": "用水总量: the year's water in t (water = …)",
    }
    figures: dict[str, Decimal | None] = {}
    for key, what in required.items():
        if key not in doc:
            reader.problem(f"energy.{key}", f"missing {what}")
            figures[key] = None
        else:
            figures[key] = reader.number(doc[key], f"energy.{key}", "positive")
    water_users = figures["energy_users"]
    if "water_users" in doc:
        water_users = reader.number(doc["water_users"], "energy.water_users", "positive")
    use = vehicles = None
    if "use" not in doc:
        reader.problem("energy.use", "missing: the year's energy by carrier (electricity = { kwh = … } …)")
    else:
        use = _quantities(reader, doc["use"], "energy.use", "use")
    if "vehicles" not in doc:
        reader.problem(
            "energy.vehicles",
            "missing 公务用车能源消耗量: the official vehicles' part of energy.use by carrier "
            "(gasoline = { litres = … }); it is never assumed to be 0, so give 0 if they used none",
        )
    else:
        vehicles = _quantities(reader, doc["vehicles"], "energy.vehicles", "vehicles")
    heating = None
    if "heating" in doc:
        heating = _quantities(reader, doc["heating"], "energy.heating", "heating")
    targets, last = _targets(reader, doc.get("targets"), doc.get("last_year"), "heating" in doc)
    if reader.problems:
        raise SheetError(reader.problems)
    assert year is not None
    assert figures["area"] is not None
    assert figures["energy_users"] is not None
    assert figures["water"] is not None
    assert water_users is not None
    assert use is not None
    assert vehicles is not None
    return EnergyData(
        year=year,
        area=figures["area"],
        energy_users=figures["energy_users"],
        water_users=water_users,
        water_users_given="water_users" in doc,
        water=figures["water"],
        use=use,
        vehicles=vehicles,
        heating=heating,
        targets=targets,
        last_year=last,
        file=file,
        line=line,
    )


def _year(reader: _Reader, value: object, sheet_year: int | None) -> int | None:
    want = ""
    if sheet_year is not None:
        want = f"{sheet_year - 1}, the calendar year before the sheet's year {sheet_year} (说明五)"
    if value is None:
        what = want or "the calendar year the data covers, the year before the sheet's"
        reader.problem("energy.year", f"missing; expected {what}")
        return None
    year: int | None = None
    if isinstance(value, _Text) and _YEAR.fullmatch(unicodedata.normalize("NFKC", value).strip()):
        year = int(unicodedata.normalize("NFKC", value))
    elif isinstance(value, int) and not isinstance(value, bool):
        year = value
    if year is None or not 1900 <= year <= 2999:
        reader.problem("energy.year", f"expected a year such as 2023, got {describe(value)}")
        return None
    if sheet_year is not None and year != sheet_year - 1:
        reader.problem("energy.year", f"expected {want}, got {year}")
        return None
    return year


# --- files ---------------------------------------------------------------------------------


def _from_document(doc: Mapping[str, Any], file: str) -> EnergyData:
    info = doc.get("sheet", {})
    info = info if isinstance(info, dict) else {}
    year = info.get("year")
    sheet_year = year if isinstance(year, int) and not isinstance(year, bool) else None
    if "energy" not in doc:
        raise SheetError([Problem(file=file, path="energy", message="missing [energy] table")])
    section = doc["energy"]
    if not isinstance(section, dict):
        message = f"expected a table, got {describe(section)}"
        raise SheetError([Problem(file=file, path="energy", message=message)])
    data = parse_energy(section, file=file, sheet_year=sheet_year)
    agency = info.get("agency")
    return attrs.evolve(data, agency=agency if isinstance(agency, str) else None)


def _from_csv(text: str, file: str) -> list[EnergyData]:
    # The sheets' CSV reader: lines counted as in the file, a quote left open refused.
    records = csv_records(text, file)
    rows = [cells for _, _, cells in records]
    header = read_header(rows[0], file) if rows else []
    columns = [i for i, h in enumerate(header) if h.startswith(_PREFIX)]
    if not columns:
        message = "no energy columns (energy.area, energy.use.…)"
        raise SheetError([Problem(file=file, line=1, message=message)])
    out: list[EnergyData] = []
    problems: list[Problem] = []
    for number, _, row in records[1:]:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(
                Problem(file=file, line=number, message=f"has {len(row)} cells, the header has {len(header)}")
            )
            continue
        cells = dict(zip(header, row, strict=True))
        if not any(row[i].strip() for i in columns):
            problems.append(Problem(file=file, line=number, message="has no energy values"))
            continue
        year_text = unicodedata.normalize("NFKC", cells.get("year", "")).strip()
        if year_text and not _YEAR.fullmatch(year_text):
            message = f"expected a year such as 2024, got {describe(cells['year'])}"
            problems.append(Problem(file=file, line=number, path="year", message=message))
            continue
        try:
            data = parse_energy(
                {header[i]: row[i] for i in columns},
                file=file,
                sheet_year=int(year_text) if year_text else None,
                line=number,
            )
        except SheetError as exc:
            problems.extend(exc.problems)
            continue
        out.append(attrs.evolve(data, agency=cells.get("agency", "").strip() or None))
    if problems:
        raise SheetError(problems)
    return out


def load_energy(path: str | Path) -> list[EnergyData]:
    """Read the ``[energy]`` data of the sheet at *path*: TOML, JSON, or a CSV file of one per row.

    The sheet's ``[sheet]`` year (a CSV's ``year`` column) is the year the data must precede, and
    its agency is kept with the data. The rest of the sheet is not read here.

    Args:
        path: a ``.toml``, ``.json`` or ``.csv`` sheet, or an ``.xlsx`` workbook.

    Returns:
        One record for a TOML or JSON sheet, one per row for CSV, one per worksheet of a
        workbook (its ``energy.…`` rows, see `conserv_rubric.workbook`).

    Raises:
        SheetError: the file cannot be read, has no energy data, or the data are wrong.
    """
    if Path(path).suffix.lower() in (".xlsx", ".xls", ".et"):
        from ._xlsx_read import read_energy  # noqa: PLC0415 - openpyxl is an optional extra

        return read_energy(path)
    file = str(path)
    suffix = Path(path).suffix.lower()
    try:
        # Read as `load_sheets` reads: within the limits, a CSV saved as GB18030 read as such.
        text, _ = read_text(read_bytes(path), file, gb18030=suffix == ".csv")
        if suffix == ".csv":
            return _from_csv(text, file)
        if suffix == ".json":
            return [_from_document(parse_json(text, file), file)]
        return [_from_document(parse_toml(text, file), file)]
    except SheetError:
        raise
    except RubricError as exc:
        raise SheetError(exc.problems) from None
