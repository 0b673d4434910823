"""Fuzzing every loader and every command with arbitrary, malformed, deep and huge input.

Every loader (rubric and sheet; TOML, JSON and CSV; from text and from files) and every command
of the command line, fed arbitrary text and bytes, structurally plausible documents, mutations of
the shipped rubrics and sheets, deep nesting, files over the size limit, NaN and infinities, huge
integers and wrong encodings, either returns a result or raises `RubricError` (a `SheetError` for
sheets) whose every problem has a message and, when it came from a file, the file and a key path
or line. The command line exits 0, 1 or 2 and never prints a traceback.

Each fuzz test (marked ``fuzz``) has a budget of examples scaled from the hypothesis profile
(see ``conftest.py``): under the ``fuzz`` profile they run the numbers written here, over 10,000
examples between them from a random seed; under the default profile, used locally and in CI, a
tenth of each, derandomized, so a red run reproduces exactly. `test_enough_examples_ran`, the last
test, counts the examples actually executed against the profile's `MIN_EXAMPLES`. Numbers with very
large exponents (``1e999999999``) and inputs that are slow by construction are run in a child
process with a CPU-time limit (`test_adversarial_inputs_finish`) so that a hang fails a test
instead of stalling the suite.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import subprocess
import sys
import textwrap
import tomllib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, TypeVar

import pytest
import tomli_w
from budgets import DEFAULT_EXAMPLES, FUZZ_EXAMPLES, scaled
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conserv_rubric import (
    Rubric,
    RubricError,
    Sheet,
    SheetError,
    check_sheet,
    dumps_rubric,
    load_rubric,
    load_sheet,
    load_sheets,
    loads_rubric,
    loads_sheet,
    score,
)
from conserv_rubric._limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_LIST
from conserv_rubric.cli import main
from conserv_rubric.strategies import answers, rubrics

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., None])

ROOT: Final = Path(__file__).resolve().parent.parent
SHIPPED_RUBRICS: Final = sorted((ROOT / "rubrics").glob("*.toml"))
VARIANT: Final = ROOT / "rubrics" / "variants" / "yy-district.toml"
#: examples/NAME/*.toml are sheets for rubrics/NAME.toml.
SHIPPED_SHEETS: Final = sorted((ROOT / "examples").glob("*/*.toml"))


def _under_profile(examples: int) -> int:
    """*examples*, a budget under the ``fuzz`` profile, scaled to the active profile."""
    return scaled(examples * DEFAULT_EXAMPLES / FUZZ_EXAMPLES)


#: The fuzz tests together must execute at least this many examples: 10,000 under the ``fuzz``
#: profile, 1,000 under the default one.
MIN_EXAMPLES: Final = _under_profile(10_000)
#: Examples executed, by test.
EXECUTED: Final[Counter[str]] = Counter()
#: The fuzz tests and their max_examples (their sum is the planned total).
BUDGET: Final[dict[str, int]] = {}


def _fuzz(name: str, examples: int) -> Callable[[F], F]:
    """Mark one fuzz test ``fuzz`` and give it *examples* (its budget under the ``fuzz`` profile)
    scaled to the active profile, recorded in `BUDGET`."""
    BUDGET[name] = _under_profile(examples)
    given_settings = settings(
        max_examples=BUDGET[name],
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )

    def decorate(test: F) -> F:
        marked: F = pytest.mark.fuzz(given_settings(test))
        return marked

    return decorate


def _ran(name: str) -> None:
    EXECUTED[name] += 1


# --- the contract --------------------------------------------------------------------------

#: Problems about a whole file, which have no key path or line to give.
WHOLE_FILE: Final = re.compile(
    r"file is (more than )?\d+ bytes; the limit is \d+"
    r"|… and \d+ more (problems|warnings)"
    r"|cannot read file: .*"
    r"|nested deeper than \d+ tables or arrays"
    r"|invalid TOML: nested too deeply"
    r"|invalid TOML: .*\(at end of document\)"
    r"|invalid JSON: .*"
    r"|expected a JSON object, got .*"
    r"|the CSV file is empty; expected a header row"
    r"|the sheet is empty; expected .*"
    r"|a (roster|plan|rubric) \(.*\), not a sheet: .*"
    r"|invalid CSV: .*"
    r"|holds \d+ sheets; use load_sheets\(\) to read them all"
    r"|holds \d+ sheets; loads_sheet\(\) reads one: .*"
    r"|is a ZIP archive \(a workbook\?\), not a TOML, JSON or CSV sheet; .*"
    r"|is an Excel 97-2003 or WPS workbook, not a sheet; .*"
    r"|macro-enabled workbooks \(\.xlsm\) are not read; .*"
    r"|not an \.xlsx workbook .*|an old \.xls workbook .*|a WPS \.et workbook .*"
)


def _check_error(exc: RubricError, file: Path | None, *, sheet: bool = False) -> None:
    """*exc* lists problems, each with a message and, for a file, where in it."""
    assert not sheet or isinstance(exc, SheetError), f"a sheet loader raised {type(exc).__name__}: {exc}"
    assert exc.problems, "an error without problems"
    assert str(exc).strip()
    for problem in exc.problems:
        assert problem.message.strip(), f"empty message: {problem!r}"
        if file is None:
            continue
        assert problem.file is not None, f"no file: {problem!r}"
        # A problem is in the file given, or in the base rubric it extends.
        assert problem.file == str(file) or Path(problem.file).is_file(), problem
        located = problem.path is not None or problem.line is not None
        assert located or WHOLE_FILE.fullmatch(problem.message), f"not located: {problem!r}"


def _attempt(call: Callable[[], T], file: Path | None = None, *, sheet: bool = False) -> T | None:
    """The result of *call*, or None when it raised a well-formed `RubricError`.

    Any other exception propagates, and hypothesis reports it with its traceback.
    """
    try:
        return call()
    except RubricError as exc:
        _check_error(exc, file, sheet=sheet)
        return None


def _error_of(
    call: Callable[[], object], file: Path | None = None, *, sheet: bool = False
) -> RubricError | None:
    """The well-formed `RubricError` *call* raised, or None when it returned."""
    try:
        call()
    except RubricError as exc:
        _check_error(exc, file, sheet=sheet)
        return exc
    return None


def _use_card(rubric: Rubric, sheet: Sheet | Mapping[str, Any]) -> None:
    """Score *sheet* and read everything a report shows (explanations format every number)."""
    _attempt(lambda: check_sheet(rubric, sheet))
    card = _attempt(lambda: score(rubric, sheet))
    if card is None:
        return
    assert card.items is not None
    card.to_dict()
    assert isinstance(card.passed, bool)


def _load_every_way(workdir: Path, text: str | None, data: bytes, suffix: str) -> None:
    """Feed *text* to every text loader, and *data* in a file named ``*suffix`` to its loaders."""
    if text is not None:
        _attempt(lambda: loads_rubric(text, base_dir=workdir))
        _attempt(lambda: loads_sheet(text), sheet=True)
        _attempt(lambda: loads_sheet(text, format="json", file="given.json"), Path("given.json"), sheet=True)
    path = workdir / f"any{suffix}"
    path.write_bytes(data)
    if suffix == ".toml":
        _attempt(lambda: load_rubric(path), path)
    # load_sheet reads with load_sheets, then checks that the file holds one sheet.
    _attempt(lambda: load_sheet(path), path, sheet=True)


SUFFIXES: Final = st.sampled_from((".toml", ".json", ".csv"))


# --- command line --------------------------------------------------------------------------


def _cli(argv: Sequence[str]) -> tuple[int, str, str, bool]:
    """Run the command line in-process: exit code, stdout, stderr, and whether argparse exited."""
    out, err = io.StringIO(), io.StringIO()
    usage = False
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse: --help exits 0, a usage error 2
            usage = True
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
    return code, out.getvalue(), err.getvalue(), usage


def _check_cli(argv: Sequence[str], files: Sequence[Path]) -> tuple[int, str]:
    code, out, err, usage = _cli(argv)
    assert code in (0, 1, 2), f"exit {code} for {argv}:\n{err}"
    assert "Traceback" not in err, err
    assert "Traceback" not in out, out
    assert "internal error" not in err, err
    if code == 2 and not usage:
        assert err.strip(), f"exit 2 without a message for {argv}"
        # Path("") is ".": the message names the path as pathlib writes it.
        named = [*argv, *(str(Path(a)) for a in argv), *map(str, files), *(str(f.parent) for f in files)]
        assert any(name in err for name in named if name), f"the message names no file given: {err}"
    if code in (0, 1) and "--format" in argv[:-1] and argv[argv.index("--format") + 1] == "json":
        json.loads(out)
    return code, out


# --- building blocks -----------------------------------------------------------------------

KINDS: Final = ("flag", "check", "each", "parts", "best", "bands", "linear", "judged", "deduct", "cases")
#: Every key a rubric, a patch or a sheet knows, plus near misses.
VOCABULARY: Final = (
    *("title", "total", "issuer", "version", "basis", "note", "bonus", "na", "digits", "aggregate"),
    *("levels", "units", "projects", "items", "id", "points", "max", "nonzero", "kind", "text"),
    *("zero_if", "na_if", "gate", "gate_min", "at_least", "per", "options", "open", "parts"),
    *("alternatives", "bands", "gt", "ge", "lt", "le", "input", "unit", "start", "step", "base"),
    *("direction", "steps", "range", "deductions", "conditions", "rows", "when", "name", "min"),
    *("unit_min", "unit_share", "divisor", "weights", "extends", "override", "remove", "add"),
    *("at", "to", "sheet", "answers", "evidence", "notes", "agency", "year", "stage", "assessor"),
    *("rubric", "date", "piont", "titel", "item", "unts", "Points", "KIND", ""),
)
#: String values the format knows, plus near misses.
WORDS: Final = (
    *KINDS,
    *("self", "verified", "exclude", "full", "rescale", "number", "ratio", "up", "down", "whole"),
    *("started", "exact", "required", "veto", "zero", "flg", "Flag", "bandz", "节能", "节水", ""),
    *("XX区发展和改革局", "a", "a.b", "1", "1.1", "1.1.1", "2.2.2", "true", "3", "1e5000", " "),
)
#: Addresses of the shipped rubrics, and some that no rubric has.
ADDRESSES: Final = (
    *("1", "2", "1.1", "1.1.1", "1.1.1.a", "1.1.1.c", "2.2.2", "2.2.5.d", "3.1.3", "5.1.2"),
    *("9.2.1", "9.2.5.b", "9.2.9", "1.6", "1.1.zero", "1.1.na", "1.1.1.zero", "9.9.9", ""),
    *(".", "1..1", "1.", "a", "1.1.1.a.b", " 1.1"),
)
#: Names for counters, and a list one entry longer than MAX_LIST.
NAMES: Final = ("节能", "节水", "节材", "能源资源消费统计", "设计", "施工", "other", "", " ")
TOO_MANY_NAMES: Final = [f"n{i}" for i in range(MAX_LIST + 1)]

#: Numbers, biased to the edges: zero, negatives, tiny and huge exponents (up to 5000; larger
#: ones are in `ADVERSARIAL`, because turning them into an int takes minutes), long fractions.
EDGE_NUMBERS: Final[tuple[int | Decimal, ...]] = (
    *(0, 1, 2, 3, 5, 9, 10, 100, -1, -5, 2**31, 2**63, -(2**63) - 1, 10**30, 10**300),
    int("9" * 4299),
    *(Decimal(s) for s in ("0.5", "0.1", "2.5", "-0", "-0.0", "0E-5000", "1E-40", "1E-5000")),
    *(Decimal(s) for s in ("1E+30", "9E+40", "1E+5000", "-1E+5000", "1.5E+4000", "1E+28")),
    *(Decimal(s) for s in ("3.14159265358979323846264338327950288419716939937510", "0.333333")),
    *(Decimal(s) for s in ("NaN", "-NaN", "Infinity", "-Infinity", "sNaN")),
)
NUMBERS: Final[st.SearchStrategy[int | Decimal | float]] = st.one_of(
    st.sampled_from(EDGE_NUMBERS),
    st.integers(-3, 120),
    # m × 10^e: exact decimals, long fractions, and exponents up to ±5000
    st.builds(lambda m, e: Decimal(m).scaleb(e), st.integers(-(10**6), 10**6), st.integers(-5000, 5000)),
    st.builds(lambda m, e: Decimal(m).scaleb(-e), st.integers(-1000, 1000), st.integers(0, 3)),
    st.sampled_from((0.5, 1e308, -0.0, float("nan"), float("inf"), float("-inf"))),
)
SCALARS: Final[st.SearchStrategy[Any]] = st.one_of(
    NUMBERS,
    st.booleans(),
    st.sampled_from(WORDS),
    st.sampled_from(ADDRESSES),
    st.text(max_size=6),
    st.sampled_from((date(2024, 1, 1), datetime(1979, 5, 27, 7, 32), time(7, 32))),
)
KEYS: Final[st.SearchStrategy[str]] = st.one_of(
    st.sampled_from(VOCABULARY), st.sampled_from(ADDRESSES), st.text(max_size=6)
)
#: Any TOML value: scalars, arrays and tables, a few levels deep, keys from the vocabulary.
VALUES: Final[st.SearchStrategy[Any]] = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=6,
)


def _toml(doc: Mapping[str, Any]) -> str:
    return tomli_w.dumps(dict(doc))


def _json(value: object) -> str:
    """JSON text of *value*, with numbers written exactly (and NaN/Infinity as Python writes them)."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, Decimal):
        if value.is_nan():
            return "NaN"
        if value.is_infinite():
            return "Infinity" if value > 0 else "-Infinity"
        return str(value)
    if isinstance(value, int | float | str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date | time):  # datetime is a date
        return json.dumps(value.isoformat())
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_json(v) for v in value) + "]"
    assert isinstance(value, Mapping), value
    return (
        "{"
        + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)}: {_json(v)}" for k, v in value.items())
        + "}"
    )


def _cell(value: object) -> str:
    """A CSV cell as a person would type *value*."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | tuple):
        return ";".join(_cell(v) for v in value)
    if isinstance(value, Mapping):
        return f"{_cell(value.get('value'))}/{_cell(value.get('ref'))}"
    return str(value)


def _csv(docs: Sequence[Mapping[str, Any]]) -> str:
    """One CSV row per sheet document: the [sheet] columns, then one column per answer."""
    header: list[str] = []
    for doc in docs:
        for table in ("sheet", "answers"):
            part = doc.get(table)
            if isinstance(part, Mapping):
                header += [str(k) for k in part if str(k) not in header]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for doc in docs:
        row = {}
        for table in ("sheet", "answers"):
            part = doc.get(table)
            if isinstance(part, Mapping):
                row.update({str(k): _cell(v) for k, v in part.items()})
        writer.writerow([row.get(h, "") for h in header])
    return buffer.getvalue()


def _serialise(doc: Mapping[str, Any], fmt: str) -> str:
    if fmt == "json":
        return _json(doc)
    if fmt == "csv":
        return _csv([doc])
    return _toml(doc)


# --- plausible rubrics and sheets ----------------------------------------------------------


@st.composite
def _mostly(
    draw: st.DrawFn, strategy: st.SearchStrategy[T], other: st.SearchStrategy[Any], one_in: int
) -> Any:
    """A draw from *strategy*, or about once in *one_in* draws from *other*.

    (``st.one_of(s, s, s, other)`` would not weigh *s* more: one_of drops repeated strategies.)
    """
    # 1, not 0 or one_in - 1: hypothesis favours the ends of a range, and shrinks towards 0.
    return draw(other) if draw(st.integers(0, one_in - 1)) == 1 else draw(strategy)


#: Mostly the numbers standards print; now and then an edge the validator and scorer must survive.
SANE_NUMBERS: Final[st.SearchStrategy[int | Decimal]] = st.sampled_from(
    (
        *(1, 2, 3, 5, 10, 100, Decimal("0.5"), Decimal("2.5"), 0, 1, 2, 3, 5, 10, 1, 2),
        *(Decimal("1E+30"), Decimal("1E-40"), Decimal("1E+5000"), Decimal("0.333333")),
    )
)
SHORT_TEXT: Final[st.SearchStrategy[str]] = st.one_of(st.sampled_from(WORDS), st.text(max_size=6))


@st.composite
def _spoiled(draw: st.DrawFn, table: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    """A draw from *table*; about once in 16 draws one value is replaced by a value of any type,
    and about once in 16 a stray key is added."""
    drawn = draw(table)
    # 1 and 2, not 0 or 15: hypothesis favours the ends of a range, and shrinks towards 0.
    roll = draw(st.integers(0, 15))
    if roll == 1 and drawn:
        drawn[draw(st.sampled_from(sorted(drawn)))] = draw(st.one_of(SCALARS, VALUES))
    elif roll == 2:
        drawn[draw(st.sampled_from(VOCABULARY))] = draw(SCALARS)
    return drawn


def _table(
    required: Mapping[str, st.SearchStrategy[Any]], optional: Mapping[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[dict[str, Any]]:
    """A table with the *required* keys and some *optional* ones, now and then spoiled."""
    return _spoiled(st.fixed_dictionaries(dict(required), optional=dict(optional)))


#: The keys every rule takes (`_RuleBase`), and each kind's own: required, then optional.
_COMMON_KEYS: Final = ("id", "text", "zero_if", "na_if", "gate", "gate_min", "bonus")
_KIND_KEYS: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "flag": (("points",), ("at_least",)),
    "check": ((), ()),
    "each": (("per",), ("max", "options", "open", "at_least", "points")),
    "parts": (("parts",), ("max", "points")),
    "best": (("alternatives",), ("points",)),
    "bands": (("bands",), ("input", "unit", "points")),
    "linear": (("start", "step", "per"), ("base", "max", "direction", "steps", "digits", "unit", "points")),
    "judged": (("range",), ("step", "points")),
    "deduct": (("points", "deductions"), ()),
    "cases": (("conditions", "rows"), ("points",)),
}


def _rule_values(depth: int) -> dict[str, st.SearchStrategy[Any]]:
    """A strategy for the value of each rule key."""
    nested: st.SearchStrategy[Any] = (
        st.lists(st.deferred(lambda: _rules(depth + 1)), min_size=1, max_size=2) if depth < 1 else st.just([])
    )
    band = _table({"points": SANE_NUMBERS}, {k: SANE_NUMBERS for k in ("gt", "ge", "lt", "le")})
    row = _table({"points": SANE_NUMBERS}, {"when": st.dictionaries(st.sampled_from("abcxy"), st.booleans())})
    condition = _table({}, {"id": st.sampled_from("abcxy"), "text": SHORT_TEXT})
    return {
        "points": SANE_NUMBERS,
        "per": SANE_NUMBERS,
        "max": SANE_NUMBERS,
        "at_least": st.integers(1, 5),
        "options": st.lists(st.sampled_from(NAMES), max_size=4),
        "open": st.booleans(),
        "parts": nested,
        "alternatives": nested,
        "deductions": nested,
        "bands": st.lists(band, min_size=1, max_size=4),
        "input": st.sampled_from(("number", "ratio")),
        "unit": st.sampled_from(("%", "分", "")),
        "start": SANE_NUMBERS,
        "step": SANE_NUMBERS,
        "base": SANE_NUMBERS,
        "direction": st.sampled_from(("up", "down")),
        "steps": st.sampled_from(("whole", "started", "exact")),
        "digits": st.integers(0, 3),
        "range": _mostly(
            st.lists(SANE_NUMBERS, min_size=2, max_size=2), st.lists(SANE_NUMBERS, max_size=3), 5
        ),
        "conditions": st.lists(condition, min_size=1, max_size=3),
        "rows": st.lists(row, min_size=1, max_size=3),
        "gate": st.sampled_from(("required", "veto", "zero")),
        "gate_min": SANE_NUMBERS,
        "zero_if": SHORT_TEXT,
        "na_if": SHORT_TEXT,
        "bonus": st.booleans(),
        "id": st.sampled_from(("a", "b", "1", "2", "x", "1.1", "")),
        "text": SHORT_TEXT,
    }


def _rules(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    """Rule tables: mostly a kind with its own keys, sometimes any kind with any rule keys."""
    values = _rule_values(depth)
    common = _mostly(st.just({}), _table({}, {k: values[k] for k in _COMMON_KEYS}), 4)
    by_kind = [
        st.builds(
            lambda own, extra: {**extra, **own},
            _table(
                {"kind": st.just(kind), **{k: values[k] for k in required}}, {k: values[k] for k in optional}
            ),
            common,
        )
        for kind, (required, optional) in _KIND_KEYS.items()
    ]
    mixed = _table({"kind": st.sampled_from((*KINDS, "flg", "", "Flag"))}, values)
    return _mostly(st.one_of(by_kind), mixed, 20)


RULES: Final = _rules(0)
#: What fuzzed rubrics extend: files of `workdir` (a base, a cycle, a long chain, a base whose
#: units are not an array), a missing file, a folder, and paths no file system has.
EXTENDS: Final = (
    "base.toml",
    "loop-a.toml",
    "chain-0.toml",
    "bad-units.toml",
    "missing.toml",
    ".",
    "",
    "a\x00b",
)
_IDS: Final = st.sampled_from(("1", "2", "x", "1.1"))
PROJECTS: Final = _table(
    {"title": SHORT_TEXT, "items": st.lists(RULES, min_size=1, max_size=2)},
    {"points": SANE_NUMBERS, "max": SANE_NUMBERS, "nonzero": st.booleans(), "id": _IDS},
)
_UNIT_KEYS: Final = {"points": SANE_NUMBERS, "max": SANE_NUMBERS, "bonus": st.booleans(), "id": _IDS}
UNITS: Final = st.one_of(
    _table({"title": SHORT_TEXT, "items": st.lists(RULES, min_size=1, max_size=2)}, _UNIT_KEYS),
    _table({"title": SHORT_TEXT, "projects": st.lists(PROJECTS, min_size=1, max_size=2)}, _UNIT_KEYS),
)
LEVELS: Final = _table(
    {"name": SHORT_TEXT, "min": SANE_NUMBERS},
    {
        "unit_min": st.dictionaries(st.sampled_from(("1", "2", "9")), SANE_NUMBERS, max_size=2),
        "unit_share": SANE_NUMBERS,
    },
)
AGGREGATES: Final = _table(
    {},
    {
        "base": SANE_NUMBERS,
        "divisor": SANE_NUMBERS,
        "weights": st.dictionaries(st.sampled_from(("1", "2", "9")), SANE_NUMBERS, max_size=2),
    },
)
#: Documents shaped like rubrics, with wrong types, stray keys and edge numbers mixed in.
STANDALONE_RUBRICS: Final = _table(
    {"title": SHORT_TEXT, "total": SANE_NUMBERS, "units": st.lists(UNITS, min_size=1, max_size=2)},
    {
        "bonus": SANE_NUMBERS,
        "na": st.sampled_from(("exclude", "full", "rescale")),
        "digits": st.integers(0, 3),
        "aggregate": AGGREGATES,
        "levels": st.lists(LEVELS, max_size=3),
        "basis": st.lists(SHORT_TEXT, max_size=2),
    },
)
#: Patches of the rubrics in `workdir` (base.toml is the district rubric).
PATCHES: Final = _table(
    {"extends": st.sampled_from(EXTENDS)},
    {
        "title": SHORT_TEXT,
        "total": SANE_NUMBERS,
        "override": st.lists(
            st.builds(lambda at, r: {"at": at, **r}, st.sampled_from(ADDRESSES), RULES), max_size=2
        ),
        "remove": st.lists(st.sampled_from(ADDRESSES), max_size=2),
        "add": st.lists(
            st.builds(lambda to, r: {"to": to, **r}, st.sampled_from(ADDRESSES), RULES), max_size=2
        ),
        "units": st.lists(UNITS, max_size=1),
    },
)
PLAUSIBLE_RUBRICS: Final = st.one_of(STANDALONE_RUBRICS, STANDALONE_RUBRICS, STANDALONE_RUBRICS, PATCHES)
#: Answers of every shape, right and wrong.
ANSWERS: Final[st.SearchStrategy[Any]] = st.one_of(
    st.booleans(),
    NUMBERS,
    st.lists(st.sampled_from(NAMES), max_size=5),
    st.lists(SCALARS, max_size=3),
    st.just(TOO_MANY_NAMES),
    st.fixed_dictionaries({}, optional={"value": NUMBERS, "ref": NUMBERS, "unit": SCALARS}),
    SCALARS,
)


def _sheet_docs(addresses: Sequence[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Documents shaped like sheets, answering *addresses* (and others) with any answer."""
    known = st.sampled_from(tuple(addresses)) if addresses else st.sampled_from(ADDRESSES)
    address = st.one_of(known, known, known, st.sampled_from(ADDRESSES), st.text(max_size=5))
    info = _table(
        {"agency": SHORT_TEXT},
        {
            "year": st.one_of(st.integers(1900, 2100), NUMBERS),
            "stage": st.sampled_from(("self", "verified", "final")),
            "assessor": SHORT_TEXT,
            "rubric": SHORT_TEXT,
            "date": SHORT_TEXT,
        },
    )
    return _table(
        {"sheet": info, "answers": st.dictionaries(address, ANSWERS, max_size=6)},
        {
            "evidence": st.dictionaries(address, st.one_of(st.lists(SHORT_TEXT, max_size=2), SHORT_TEXT)),
            "notes": st.dictionaries(address, SHORT_TEXT, max_size=2),
        },
    )


# --- mutations -----------------------------------------------------------------------------

#: Fragments of TOML, JSON and CSV syntax, and literals the loaders must refuse or survive.
TOKENS: Final = (
    *("[", "]", "[[", "]]", "{", "}", "=", ":", ",", ".", '"', "'", "'''", '"""', "#", "\\", "\n"),
    *("\r\n", "\r", "\t", " ", "\x00", "\ufeff", "\x7f", "\u2028", "\ufffd", ";", "/"),
    *("nan", "+nan", "-nan", "inf", "-inf", "NaN", "Infinity", "-Infinity", "null", "true", "false"),
    *("1e5000", "-1e5000", "1e-5000", "9" * 40, "9" * 4301, "-0", "0.0", "1_000", "0x1F", "0o17"),
    *("1e" + "9" * 25, "1.5E-" + "9" * 25),
    *("0b101", "1979-05-27", "1979-05-27T07:32:00Z", "07:32:00", "1e30", "0.1", "-1", "1/0", "3/-1"),
    *('""', "[]", "{}", "[1, 2]", "{ a = 1 }", '{"a": 1}', "[" * 40 + "]" * 40, "{a=" * 40 + "1" + "}" * 40),
    *(f"{w} = " for w in ("kind", "points", "total", "units", "extends", "agency", "sheet")),
    *("[[units]]", "[[units.items]]", "[[units.projects]]", "[sheet]", "[answers]", "[[override]]"),
    *('extends = "base.toml"', 'extends = "missing.toml"', 'extends = "loop-a.toml"', 'extends = "."'),
    *('extends = "bad-units.toml"', 'extends = "chain-0.toml"', "agency,year,1.1", "a.b.c.d.e.f = 1"),
)
#: Values that replace a value of the file (after '= ' or ',').
LITERALS: Final = (
    *("nan", "-nan", "inf", "-inf", "1e5000", "-1e5000", "1e-5000", "1e30", "9" * 40, "9" * 4301),
    "1e" + "9" * 25,  # an exponent beyond 64 bits, which Decimal refuses
    *("-0", "0", "0.0", "-1", "0.1", "1_000", "0x1F", "true", '"3"', '""', "[]", "{}", "[1, 2]"),
    *('["节能", "节能"]', "{ value = 1, ref = 0 }", "{ value = 1e5000, ref = 1e-5000 }"),
    *("1979-05-27", "07:32:00", '"节能"', '"1.1.1"', "NaN", "Infinity", "null", "1/0", "3;4"),
)
_POSITION: Final = st.integers(0, 1 << 20)
_SIZE: Final = st.integers(0, 64)
_ANY_TOKEN: Final = st.one_of(st.sampled_from(TOKENS), st.sampled_from(WORDS), st.text(max_size=4))
MUTATIONS: Final = st.one_of(
    st.tuples(
        st.sampled_from(("flip", "byte", "delete", "truncate", "encode")), _POSITION, _SIZE, st.just("")
    ),
    st.tuples(st.sampled_from(("drop_line", "dup_line", "swap_lines")), _POSITION, _SIZE, st.just("")),
    st.tuples(st.just("insert"), _POSITION, _SIZE, _ANY_TOKEN),
    st.tuples(st.just("rename"), _POSITION, _SIZE, st.sampled_from(VOCABULARY)),
    st.tuples(st.just("value"), _POSITION, _SIZE, st.sampled_from(LITERALS)),
    st.tuples(st.just("value"), _POSITION, _SIZE, st.sampled_from(LITERALS)),
)
Mutation = tuple[str, int, int, str]
ENCODINGS: Final = (
    "gbk",
    "gb18030",
    "big5",
    "utf-16",
    "utf-16-be",
    "utf-32",
    "utf-8-sig",
    "shift_jis",
    "latin-1",
)
_KEY: Final = re.compile(rb"^\s*\[*\s*([A-Za-z_][A-Za-z0-9_.-]*)", re.MULTILINE)
_VALUE: Final = re.compile(rb"(?<== )[^\n]+|(?<=,)[^,\n]+")


def _mutate(data: bytes, mutations: Sequence[Mutation]) -> bytes:
    """*data* with each mutation applied: byte flips, deletions, insertions, line edits,
    renamed keys, swapped values, truncation and re-encoding."""
    for op, where, size, token in mutations:
        raw = token.encode("utf-8", "surrogatepass")
        n = len(data)
        at = where % (n + 1)
        if op == "flip" and n:
            data = data[: at % n] + bytes([data[at % n] ^ (1 << size % 8)]) + data[at % n + 1 :]
        elif op == "byte" and n:
            data = data[: at % n] + bytes([where % 256]) + data[at % n + 1 :]
        elif op == "delete":
            data = data[:at] + data[at + size :]
        elif op == "insert":
            data = data[:at] + raw + data[at:]
        elif op in ("drop_line", "dup_line", "swap_lines"):
            lines = data.split(b"\n")
            i, j = where % len(lines), size % len(lines)
            if op == "drop_line":
                del lines[i]
            elif op == "dup_line":
                lines.insert(i, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
        elif op in ("rename", "value"):
            spans = [
                m.span(1 if op == "rename" else 0)
                for m in (_KEY if op == "rename" else _VALUE).finditer(data)
            ]
            if spans:
                start, end = spans[where % len(spans)]
                data = data[:start] + raw + data[end:]
        elif op == "truncate":
            data = data[:at]
        elif op == "encode":
            text = data.decode("utf-8", "replace")
            data = text.encode(ENCODINGS[where % len(ENCODINGS)], "replace")
    return data


# --- shipped files -------------------------------------------------------------------------


def _sheet_formats(path: Path) -> dict[str, str]:
    """The shipped sheet at *path* as TOML (as written), JSON and CSV."""
    text = path.read_text(encoding="utf-8")
    doc = tomllib.loads(text, parse_float=Decimal)
    return {"toml": text, "json": _json(doc), "csv": _csv([doc])}


def _rubric_for(sheet: Path) -> Path:
    return ROOT / "rubrics" / f"{sheet.parent.name}.toml"


SHEET_TEXTS: Final = {p: _sheet_formats(p) for p in SHIPPED_SHEETS}


def _loadable(path: Path) -> Rubric | None:
    try:
        return load_rubric(path)
    except RubricError:
        return None


LOADED: Final = {p: r for p in SHIPPED_RUBRICS if (r := _loadable(p)) is not None}


def _leaf_addresses(rubric: Rubric) -> list[str]:
    """Every address a sheet may answer, found through the public API."""
    card = score(rubric, {})
    out = list(card.unanswered)
    for address, item in card.items.items():
        out += [address, f"{address}.zero", f"{address}.na"]
        out += list(item.unanswered)
    return sorted(set(out))


LEAVES: Final = {p: _leaf_addresses(r) for p, r in LOADED.items()}


def test_the_shipped_files_are_found() -> None:
    assert len(SHIPPED_RUBRICS) >= 5
    assert len(SHIPPED_SHEETS) >= 5
    assert VARIANT.is_file()
    assert len(LOADED) >= 3
    for sheet in SHIPPED_SHEETS:
        assert _rubric_for(sheet).is_file(), sheet


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the base rubrics that patches in the fuzzed documents extend."""
    root = tmp_path_factory.mktemp("fuzz")
    district = (ROOT / "rubrics" / "district.toml").read_text(encoding="utf-8")
    (root / "base.toml").write_text(district, encoding="utf-8")
    (root / "bad-units.toml").write_text('title = "t"\ntotal = 1\nunits = 1\n', encoding="utf-8")
    (root / "loop-a.toml").write_text('extends = "loop-b.toml"\n', encoding="utf-8")
    (root / "loop-b.toml").write_text('extends = "loop-a.toml"\n', encoding="utf-8")
    for i in range(20):
        (root / f"chain-{i}.toml").write_text(f'extends = "chain-{i + 1}.toml"\n', encoding="utf-8")
    (root / "chain-20.toml").write_text(district, encoding="utf-8")
    (root / "rubrics" / "variants").mkdir(parents=True)
    (root / "rubrics" / "district.toml").write_text(district, encoding="utf-8")
    return root


# --- 1. arbitrary text and bytes -----------------------------------------------------------


@_fuzz("test_any_text", 3000)
@given(st.text(max_size=300), SUFFIXES)
def test_any_text(workdir: Path, text: str, suffix: str) -> None:
    _ran("test_any_text")
    _load_every_way(workdir, text, text.encode("utf-8", "surrogatepass"), suffix)


@_fuzz("test_any_bytes", 2500)
@given(st.binary(max_size=300), SUFFIXES)
def test_any_bytes(workdir: Path, data: bytes, suffix: str) -> None:
    _ran("test_any_bytes")
    _load_every_way(workdir, None, data, suffix)


SOUP: Final = st.lists(
    st.one_of(
        st.sampled_from(TOKENS), st.sampled_from(VOCABULARY), st.sampled_from(WORDS), st.text(max_size=3)
    ),
    max_size=40,
).map("".join)


@_fuzz("test_token_soup", 1500)
@given(SOUP, SUFFIXES)
def test_token_soup(workdir: Path, text: str, suffix: str) -> None:
    """Strings of TOML, JSON and CSV syntax, keys and literals: they reach far past the first line."""
    _ran("test_token_soup")
    _load_every_way(workdir, text, text.encode("utf-8", "surrogatepass"), suffix)


# --- 2. structurally plausible documents ---------------------------------------------------


@_fuzz("test_any_document", 500)
@given(st.dictionaries(KEYS, VALUES, max_size=4), st.sampled_from(("toml", "json", "csv")))
def test_any_document(workdir: Path, doc: dict[str, Any], fmt: str) -> None:
    """Well-formed TOML or JSON with any keys and values, and CSV made from them."""
    _ran("test_any_document")
    text = _serialise(doc, fmt)
    _load_every_way(workdir, text if fmt != "csv" else None, text.encode("utf-8", "surrogatepass"), f".{fmt}")


_SEGMENT: Final = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?")


def _declare(doc: dict[str, Any], path: str, value: Decimal) -> None:
    """Set the declared points of the node at *path* (or the rubric's ``total``/``bonus``)."""
    if path in ("total", "bonus"):
        doc[path] = value
        return
    node: Any = doc
    for match in _SEGMENT.finditer(path):
        key, index = match[1], match[2]
        node = node.get(key) if isinstance(node, dict) else None
        if index is not None:
            node = node[int(index)] if isinstance(node, list) and int(index) < len(node) else None
    if isinstance(node, dict):
        node["points"] = value


def _settle(doc: dict[str, Any]) -> str:
    """The TOML of *doc*, its declared totals set to those the library computes.

    So more generated rubrics pass validation and get scored. A crash while loading propagates.
    """
    for _ in range(4):
        text = _toml(doc)
        if "extends" in doc:
            return text
        try:
            loads_rubric(text)
        except RubricError as exc:
            fixes = [
                (p.path, p.actual) for p in exc.problems if p.path and p.actual and "declares" in p.message
            ]
            if not fixes:
                return text
            for path, actual in fixes:
                _declare(doc, path, Decimal(actual))
        else:
            return text
    return _toml(doc)


@_fuzz("test_plausible_rubric", 600)
@given(PLAUSIBLE_RUBRICS, st.lists(MUTATIONS, max_size=1), st.data())
def test_plausible_rubric(
    workdir: Path, doc: dict[str, Any], mutations: list[Mutation], data: st.DataObject
) -> None:
    """Rubric-shaped documents reach validation; those that load are scored with any answers."""
    _ran("test_plausible_rubric")
    raw = _mutate(_settle(doc).encode(), mutations)
    path = workdir / "plausible.toml"
    path.write_bytes(raw)
    rubric = _attempt(lambda: load_rubric(path), path)
    if rubric is None:
        return
    addresses = _attempt(lambda: _leaf_addresses(rubric))
    assert addresses is not None
    sheet_doc = data.draw(_sheet_docs(addresses))
    given = sheet_doc.get("answers")
    if isinstance(given, dict):
        _use_card(rubric, given)
    for fmt in ("toml", "json"):
        sheet = _attempt(lambda: loads_sheet(_serialise(sheet_doc, fmt), format=fmt), sheet=True)  # noqa: B023 - called at once
        if sheet is not None:
            _use_card(rubric, sheet)


@_fuzz("test_generated_rubric", 120)
@given(rubrics(max_units=2, max_items=2), st.lists(MUTATIONS, max_size=2), st.data())
def test_generated_rubric(rubric: Rubric, mutations: list[Mutation], data: st.DataObject) -> None:
    """Valid rubrics from conserv_rubric.strategies, mutated; valid and wild answers for them."""
    _ran("test_generated_rubric")
    text = _mutate(dumps_rubric(rubric).encode(), mutations).decode("utf-8", "replace")
    loaded = _attempt(lambda: loads_rubric(text))
    if loaded is None:
        return
    if not mutations:
        _use_card(loaded, data.draw(answers(loaded)))
    addresses = _attempt(lambda: _leaf_addresses(loaded))
    assert addresses is not None
    _use_card(loaded, data.draw(st.dictionaries(st.sampled_from(addresses), ANSWERS, max_size=4)))


# --- 3. mutations of the shipped files -----------------------------------------------------


@_fuzz("test_shipped_rubric_mutated", 800)
@given(st.sampled_from([*SHIPPED_RUBRICS, VARIANT]), st.lists(MUTATIONS, min_size=1, max_size=3))
def test_shipped_rubric_mutated(workdir: Path, source: Path, mutations: list[Mutation]) -> None:
    """Byte flips, line edits, renamed keys and swapped values in the shipped rubrics."""
    _ran("test_shipped_rubric_mutated")
    # The variant extends ../district.toml, which `workdir` holds.
    path = workdir / "rubrics" / ("variants" if source == VARIANT else "") / "mutated.toml"
    path.write_bytes(_mutate(source.read_bytes(), mutations))
    rubric = _attempt(lambda: load_rubric(path), path)
    if rubric is not None:
        _use_card(rubric, {})


@_fuzz("test_shipped_sheet_mutated", 800)
@given(
    st.sampled_from(SHIPPED_SHEETS),
    st.sampled_from(("toml", "json", "csv")),
    st.lists(MUTATIONS, min_size=1, max_size=3),
)
def test_shipped_sheet_mutated(workdir: Path, source: Path, fmt: str, mutations: list[Mutation]) -> None:
    """The shipped sheets as TOML, JSON and CSV, mutated, read and scored against their rubric."""
    _ran("test_shipped_sheet_mutated")
    path = workdir / f"sheet.{fmt}"
    path.write_bytes(_mutate(SHEET_TEXTS[source][fmt].encode(), mutations))
    sheets = _attempt(lambda: load_sheets(path), path, sheet=True)
    _attempt(lambda: load_sheet(path), path, sheet=True)
    rubric = LOADED.get(_rubric_for(source))
    for sheet in sheets or []:
        if rubric is not None:
            _use_card(rubric, sheet)


# --- 4. deep, huge and wrongly encoded documents -------------------------------------------


def _nest(shape: str, depth: int) -> str:
    """A document nested *depth* levels deep, in one of several TOML and JSON shapes."""
    if shape == "array":
        return "units = " + "[" * depth + "]" * depth + "\n"
    if shape == "inline":
        return "units = " + "{a = " * depth + "1" + "}" * depth + "\n"
    if shape == "header":
        return "[" + ".".join(["a"] * depth) + "]\n"
    if shape == "dotted":
        return "[answers]\n" + ".".join(['"1"'] * depth) + " = true\n"
    if shape == "tables":
        return "".join(
            "[[units]]\n" if i == 0 else "[[" + ".".join(["units"] + ["items"] * i) + "]]\n"
            for i in range(depth)
        )
    if shape == "json-array":
        return '{"answers": {"1.1": ' + "[" * depth + "]" * depth + "}}"
    return '{"sheet": ' + '{"a": ' * depth + "1" + "}" * depth + "}"


@_fuzz("test_deep", 200)
@given(
    st.sampled_from(("array", "inline", "header", "dotted", "tables", "json-array", "json-object")),
    st.one_of(st.integers(1, 40), st.sampled_from((MAX_DEPTH, MAX_DEPTH + 1, 200, 1500, 20_000))),
    st.sampled_from(("", 'title = "t"\ntotal = 1\n', '[sheet]\nagency = "a"\n', "x = 1\n")),
)
def test_deep(workdir: Path, shape: str, depth: int, prefix: str) -> None:
    """Nesting around MAX_DEPTH and far beyond the interpreter's recursion limit."""
    _ran("test_deep")
    if shape in ("header", "dotted"):
        depth = min(depth, 1500)  # tomllib is quadratic in the keys of one header; see ADVERSARIAL
    if shape == "tables":
        depth = min(depth, 60)  # the headers grow with the square of the depth
    text = _nest(shape, depth)
    if not shape.startswith("json"):
        text = prefix + text
    _load_every_way(workdir, text, text.encode(), ".json" if shape.startswith("json") else ".toml")


@_fuzz("test_encodings", 300)
@given(
    st.sampled_from([*SHIPPED_RUBRICS, *SHIPPED_SHEETS]),
    st.sampled_from(ENCODINGS),
    st.lists(MUTATIONS, max_size=1),
)
def test_encodings(workdir: Path, source: Path, encoding: str, mutations: list[Mutation]) -> None:
    """Shipped files saved as GBK, UTF-16 … : refused with the line of the first bad byte."""
    _ran("test_encodings")
    data = _mutate(source.read_text(encoding="utf-8").encode(encoding, "replace"), mutations)
    path = workdir / f"encoded{source.suffix}"
    path.write_bytes(data)
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = data[: exc.start].count(b"\n") + 1
    else:
        bad_line = 0
    for load in (load_rubric, load_sheets):
        error = _error_of(lambda: load(path), path, sheet=load is load_sheets)  # noqa: B023 - called at once
        if bad_line:
            assert error is not None, f"{encoding} text was read as UTF-8"
            (problem,) = error.problems
            assert problem.message.startswith("not UTF-8 text"), problem
            assert problem.line == bad_line, problem


@_fuzz("test_huge", 12)
# A file one byte over the limit, and one at it, whatever the budget: a small one may draw neither.
@example(size=MAX_FILE_BYTES + 1, filler="comment", suffix=".toml")
@example(size=MAX_FILE_BYTES, filler="string", suffix=".json")
@given(
    st.sampled_from((MAX_FILE_BYTES - 64, MAX_FILE_BYTES, MAX_FILE_BYTES + 1, 2 * MAX_FILE_BYTES)),
    st.sampled_from(("comment", "string", "sheet")),
    st.sampled_from((".toml", ".json", ".csv")),
)
def test_huge(workdir: Path, size: int, filler: str, suffix: str) -> None:
    """Files at and over MAX_FILE_BYTES: read, or refused by size before parsing."""
    _ran("test_huge")
    head = {"comment": "#", "string": 'title = "', "sheet": '[sheet]\nagency = "a"\n#'}[filler]
    body = {"comment": "x", "string": "节", "sheet": "节"}[filler]
    text = head + body * (size // len(body.encode()))
    data = text.encode()[:size].decode("utf-8", "ignore").encode()
    path = workdir / f"huge{suffix}"
    path.write_bytes(data)
    loads: list[Callable[[Path], object]] = [load_sheets] if suffix != ".toml" else [load_rubric, load_sheets]
    for load in loads:
        error = _error_of(lambda: load(path), path, sheet=load is load_sheets)  # noqa: B023 - called at once
        if len(data) > MAX_FILE_BYTES:
            assert error is not None
            assert [p.message for p in error.problems] == [
                f"file is {len(data)} bytes; the limit is {MAX_FILE_BYTES}"
            ]


# --- 5. the command line -------------------------------------------------------------------

COMMANDS: Final = (
    ("check",),
    ("check", "--format", "json"),
    ("score",),
    ("score", "--format", "json"),
    ("score", "--format", "markdown"),
    ("score", "--format", "csv"),
    ("gap",),
    ("gap", "--format", "json"),
    ("gap", "--format", "markdown"),
    ("template",),
    ("diff",),
    ("diff", "--format", "json"),
    ("fmt",),
    ("fmt", "--check"),
    ("fmt", "--flatten"),
    ("fmt", "--write"),
)


@_fuzz("test_cli", 400)
@given(
    st.sampled_from(SHIPPED_SHEETS),
    st.booleans(),
    st.sampled_from(COMMANDS),
    st.lists(MUTATIONS, max_size=2),
    st.sampled_from(("toml", "json", "csv")),
    st.lists(MUTATIONS, max_size=2),
)
def test_cli(
    workdir: Path,
    sheet_source: Path,
    variant: bool,
    command: tuple[str, ...],
    rubric_mutations: list[Mutation],
    fmt: str,
    sheet_mutations: list[Mutation],
) -> None:
    """Every command, on shipped rubrics and sheets, mutated or not, in every format."""
    _ran("test_cli")
    folder = workdir / "rubrics" / "variants"
    source = VARIANT if variant and sheet_source.parent.name == "district" else _rubric_for(sheet_source)
    rubric = folder / "cli.toml"
    rubric.write_bytes(_mutate(source.read_bytes(), rubric_mutations))
    sheet = folder / f"cli-sheet.{fmt}"
    sheet.write_bytes(_mutate(SHEET_TEXTS[sheet_source][fmt].encode(), sheet_mutations))
    other = folder / "cli-other.toml"
    other.write_bytes(SHEET_TEXTS[sheet_source]["toml"].encode())
    name, *options = command
    files = {"check": [rubric], "template": [rubric], "fmt": [rubric], "score": [rubric, sheet, other]}
    files |= {"gap": [rubric, sheet], "diff": [rubric, sheet, other]}
    paths = files[name]
    code, _ = _check_cli([name, *options, *map(str, paths)], paths)
    if name == "fmt" and "--write" in options and code == 0:
        assert _check_cli(["fmt", "--check", str(rubric)], [rubric])[0] == 0, "fmt --write is not canonical"


ARGV_WORDS: Final = (
    *("check", "score", "gap", "template", "diff", "fmt", "--format", "json", "text", "csv"),
    *("markdown", "xml", "--check", "--write", "--flatten", "--help", "-h", "--", "-", ""),
)


@_fuzz("test_cli_argv", 200)
@given(
    st.lists(
        st.one_of(st.sampled_from(ARGV_WORDS), st.sampled_from(("R", "S", "D", "E", "N", "B"))), max_size=6
    )
)
def test_cli_argv(workdir: Path, words: list[str]) -> None:
    """Any arguments: usage errors exit 2 through argparse, never with a traceback."""
    _ran("test_cli_argv")
    folder = workdir / "argv"
    folder.mkdir(exist_ok=True)
    paths = {
        "R": folder / "r.toml",  # a rubric
        "S": folder / "s.toml",  # a sheet
        "D": folder,  # a folder
        "E": folder / "empty.toml",
        "N": folder / "missing.toml",
        "B": folder / "binary.json",
    }
    paths["R"].write_bytes((ROOT / "rubrics" / "district.toml").read_bytes())
    paths["S"].write_bytes(SHEET_TEXTS[ROOT / "examples" / "district" / "pass.toml"]["toml"].encode())
    paths["E"].write_bytes(b"")
    paths["B"].write_bytes(b"\xff\xfe\x00")
    argv = [str(paths[w]) if w in paths else w for w in words]
    _check_cli(argv, [p for w, p in paths.items() if w in words])


# --- 6. inputs that crashed ----------------------------------------------------------------

_FLAG = '[[units]]\ntitle = "u"\n[[units.items]]\nkind = "flag"\npoints = {}\n'
_ONE = 'title = "t"\ntotal = 1\n' + _FLAG.format(1)
_JUDGED = 'title = "t"\ntotal = 5\n[[units]]\ntitle = "u"\n[[units.items]]\nkind = "judged"\nrange = [1, 5]\n'
_LINEAR = (
    'title = "t"\ntotal = 5\n[[units]]\ntitle = "u"\n[[units.items]]\nkind = "linear"\n'
    "start = 0\nstep = 1\nper = 1\nmax = 5\n"
)


def _answer(address: str, value: str) -> str:
    return f'[sheet]\nagency = "a"\n[answers]\n"{address}" = {value}\n'


#: Files that once crashed a loader, the scorer or the command line (found by the fuzz tests
#: above), each folder as file name → text. `test_crash_found_by_fuzzing` loads and scores
#: them, and runs every command on them.
CRASHES: Final[dict[str, dict[str, str]]] = {
    "integer of 4301 digits in a rubric": {"rubric.toml": f"total = {'9' * 4301}\n"},
    "integer of 4301 digits in a sheet": {"sheet.toml": _answer("1.1", "9" * 4301)},
    "exponent beyond 64 bits in a rubric": {"rubric.toml": f"total = 1e{'9' * 25}\n"},
    "exponent beyond 64 bits in a TOML sheet": {"sheet.toml": _answer("1.1", f"1e{'9' * 25}")},
    "exponent beyond 64 bits in a JSON sheet": {
        "sheet.json": f'{{"sheet": {{"agency": "a"}}, "answers": {{"1.1": 1e{"9" * 25}}}}}'
    },
    "integer of 4301 digits in a CSV cell": {
        "rubric.toml": _ONE,
        "sheet.csv": f"agency,1.1\na,{'9' * 4301}\n",
    },
    "CSV year of 4301 digits": {"sheet.csv": f"agency,year\na,{'9' * 4301}\n"},
    "CSV year '²' (a digit to str.isdigit, not to int)": {"sheet.csv": "agency,year\na,²\n"},
    "total 1e5000 that does not add up": {"rubric.toml": 'title = "t"\ntotal = 1e5000\n' + _FLAG.format(1)},
    "valid rubric of 1e5000 points": {
        "rubric.toml": 'title = "t"\ntotal = 1e5000\n' + _FLAG.format("1e5000"),
        "sheet.toml": _answer("1.1", "true"),
    },
    "judged answer 1e5000": {"rubric.toml": _JUDGED, "sheet.toml": _answer("1.1", "1e5000")},
    "linear answer 1e5000": {"rubric.toml": _LINEAR, "sheet.toml": _answer("1.1", "1e5000")},
    "judged step 1e-40": {"rubric.toml": _JUDGED + "step = 1e-40\n", "sheet.toml": _answer("1.1", "3")},
    "linear with digits and 1e30 points": {
        "rubric.toml": _LINEAR.replace("total = 5", "total = 1e30").replace(
            "per = 1\nmax = 5", "per = 1e30\nmax = 1e30"
        )
        + "digits = 2\n",
        "sheet.toml": _answer("1.1", "5"),
    },
    "rescaled unit of 2e30 points": {
        "rubric.toml": 'title = "t"\ntotal = 2e30\nna = "rescale"\ndigits = 10\n'
        + _FLAG.format("1e30")
        + 'na_if = "x"\n[[units.items]]\nkind = "flag"\npoints = 1e30\n',
        "sheet.toml": '[sheet]\nagency = "a"\n[answers]\n"1.1.na" = true\n"1.2" = true\n',
    },
    "best with no alternatives": {
        "rubric.toml": _ONE + '[[units.items]]\nkind = "best"\nalternatives = []\n',
        "sheet.toml": _answer("1.1", "true"),
    },
    "extends a path with NUL": {"rubric.toml": 'extends = "a\\u0000b"\n'},
    "extends a base whose units is not an array": {
        "base.toml": 'title = "t"\ntotal = 1\nunits = 1\n',
        "rubric.toml": 'extends = "base.toml"\nunits = []\n',
    },
    "add to a unit whose items is not an array": {
        "base.toml": 'title = "t"\ntotal = 1\n[[units]]\ntitle = "u"\nitems = "x"\n',
        "rubric.toml": 'extends = "base.toml"\n[[add]]\nto = "1"\nkind = "flag"\npoints = 1\n',
    },
}


def _exercise(files: Mapping[str, str], folder: Path) -> list[str]:
    """Write *files* (name → text) into *folder*, read (or refuse) them, score the sheet against the
    rubric and run every command on them; return the problems raised, as printed, with the file
    names relative to *folder*."""
    paths = {folder / n: text for n, text in files.items()}
    for path, text in paths.items():
        path.write_text(text, encoding="utf-8")
    rubric_path = folder / "rubric.toml"
    sheet_path = next((p for p in paths if p.stem == "sheet"), None)
    errors: list[RubricError] = []

    def attempt(call: Callable[[], T], file: Path | None = None, *, sheet: bool = False) -> T | None:
        try:
            return call()
        except RubricError as exc:
            _check_error(exc, file, sheet=sheet)
            errors.append(exc)
            return None

    rubric = attempt(lambda: load_rubric(rubric_path), rubric_path) if rubric_path in paths else None
    if sheet_path is not None:
        for sheet in attempt(lambda: load_sheets(sheet_path), sheet_path, sheet=True) or []:
            if rubric is not None:
                attempt(lambda: score(rubric, sheet))  # noqa: B023 - called at once
                _use_card(rubric, sheet)
    if rubric_path in paths:
        for command in ("check", "template", "fmt"):
            _check_cli([command, str(rubric_path)], [rubric_path])
        if sheet_path is not None:
            for command in ("score", "gap"):
                _check_cli([command, str(rubric_path), str(sheet_path)], [rubric_path, sheet_path])
    return [str(p).replace(f"{folder}/", "") for e in errors for p in e.problems]


@pytest.mark.parametrize("name", sorted(CRASHES))
def test_crash_found_by_fuzzing(name: str, tmp_path: Path) -> None:
    """Each of `CRASHES` is read (or refused), scored and run through the commands."""
    _exercise(CRASHES[name], tmp_path)


_UNIT: Final = 'title = "t"\ntotal = 1\n[[units]]\ntitle = "u"\n'
_ITEM: Final = "item 1.1 in unit 1 u (units[0].items[0])"
_RATIO: Final = (
    _UNIT + '[[units.items]]\nkind = "bands"\ninput = "ratio"\n'
    "bands = [{ lt = 1, points = 0 }, { ge = 1, points = 1 }]\n"
)

#: Inputs that the fuzz and property tests reached with the larger random budgets they had before
#: the profiles, and that the default profile's smaller, fixed sample does not: name → (files as
#: in `CRASHES`, the problems they raise as printed). Pinned here, every run reads, scores and
#: runs the commands on them (`test_input_the_fuzzing_reached`), so no run leaves a branch of the
#: loaders or the validator that the fuzzing used to reach.
REACHED: Final[dict[str, tuple[dict[str, str], list[str]]]] = {
    "null in a JSON sheet": (
        {"sheet.json": '{"sheet": {"agency": null}}'},
        ["sheet.json: sheet.agency: expected a string, got null"],
    ),
    "NaN total": (
        {"rubric.toml": _ONE.replace("total = 1", "total = nan")},
        ["rubric.toml: total: expected a finite number, got nan"],
    ),
    "bonus that is not a boolean": (
        {"rubric.toml": _ONE + "bonus = 1\n"},
        ["rubric.toml: units[0].items[0].bonus: expected true or false, got a number (1)"],
    ),
    "range that is not a pair": (
        {"rubric.toml": _UNIT + '[[units.items]]\nkind = "judged"\nrange = 1\n'},
        ["rubric.toml: units[0].items[0].range: expected an array of 2 numbers, got a number (1)"],
    ),
    "weight that is not a number": (
        {"rubric.toml": _ONE + '[aggregate]\nweights = { "a.b" = "x" }\n'},
        ['rubric.toml: aggregate.weights."a.b": expected a number, got a string ("x")'],
    ),
    "aggregate that is not a table": (
        {"rubric.toml": "aggregate = 1\n" + _ONE},
        ["rubric.toml: aggregate: expected a table, got a number (1)"],
    ),
    "item that is not a table": (
        {"rubric.toml": _UNIT + "items = [1]\n"},
        ["rubric.toml: units[0].items[0]: expected a table (a rule with a kind), got a number (1)"],
    ),
    "extends that is not a path": (
        {"rubric.toml": "extends = 1\n"},
        ["rubric.toml: extends: expected a path, got a number (1)"],
    ),
    "override that is not an array": (
        {"base.toml": _ONE, "rubric.toml": 'extends = "base.toml"\noverride = 1\n'},
        ["rubric.toml: override: expected an array, got a number (1)"],
    ),
    "remove under a missing parent": (
        {"base.toml": _ONE, "rubric.toml": 'extends = "base.toml"\nremove = ["9.1"]\n'},
        ["rubric.toml: remove[0]: no unit, project or item at address '9.1'"],
    ),
    "answers that are not a table": (
        {"sheet.toml": 'answers = 1\n[sheet]\nagency = "a"\n'},
        ["sheet.toml: answers: expected a table, got a number (1)"],
    ),
    "evidence that is not a list": (
        {"sheet.toml": '[sheet]\nagency = "a"\n[evidence]\n"1.1" = 1\n'},
        ['sheet.toml: evidence."1.1": expected a list of document names, got a number (1)'],
    ),
    "a note that is not text": (
        {"sheet.toml": '[sheet]\nagency = "a"\n[notes]\n"1.1" = 1\n'},
        ['sheet.toml: notes."1.1": expected a string, got a number (1)'],
    ),
    "CSV column twice": (
        {"rubric.toml": _ONE, "sheet.csv": "agency,agency\na,b\n"},
        ["sheet.csv:1: column 'agency' appears twice"],
    ),
    "unit id with a dot": (
        {"rubric.toml": _ONE.replace('title = "u"', 'title = "u"\nid = "a.b"')},
        ["rubric.toml: unit a.b u (units[0]): id must be letters, digits, '-' or '_' (no dots), got 'a.b'"],
    ),
    "item id with a dot": (
        {"rubric.toml": _ONE + 'id = "a.b"\n'},
        [
            "rubric.toml: item 1.a.b in unit 1 u (units[0].items[0]): "
            "id must be letters, digits, '-' or '_' (no dots), got 'a.b'"
        ],
    ),
    "bonus without a bonus unit": (
        {"rubric.toml": "bonus = 5\n" + _ONE},
        ["rubric.toml: bonus: bonus is declared but no unit has bonus = true"],
    ),
    "unit share over 1": (
        {"rubric.toml": _ONE + '[[levels]]\nname = "A"\nmin = 1\nunit_share = 2\n'},
        ["rubric.toml: levels[0].unit_share: unit_share must be more than 0 and at most 1, got 2"],
    ),
    "project cap that cannot be reached": (
        {
            "rubric.toml": _UNIT + '[[units.projects]]\ntitle = "p"\nmax = 5\n'
            '[[units.projects.items]]\nkind = "flag"\npoints = 1\n'
        },
        [
            "rubric.toml: project 1.1 p in unit 1 u (units[0].projects[0]): "
            "cap 5 cannot be reached: its items add up to 1"
        ],
    ),
    "unit of 0 points": (
        {"rubric.toml": _ONE.replace('title = "u"', 'title = "u"\npoints = 0')},
        [
            "rubric.toml: unit 1 u (units[0]): points must be more than 0, got 0",
            "rubric.toml: total: declares 1 points, its units add up to 0",
        ],
    ),
    "linear without a cap": (
        {"rubric.toml": _UNIT + '[[units.items]]\nkind = "linear"\nstart = 0\nstep = 1\nper = 1\n'},
        [f"rubric.toml: {_ITEM}: a linear rule that awards points needs a cap (max)"],
    ),
    "judged range upside down": (
        {"rubric.toml": _UNIT + '[[units.items]]\nkind = "judged"\nrange = [5, 1]\n'},
        [f"rubric.toml: {_ITEM}: range must be [low, high] with 0 ≤ low ≤ high and high > 0, got [5, 1]"],
    ),
    "deduct with no deductions": (
        {"rubric.toml": _UNIT + '[[units.items]]\nkind = "deduct"\npoints = 1\ndeductions = []\n'},
        [f"rubric.toml: {_ITEM}: deductions is empty"],
    ),
    "cases row on an unknown condition": (
        {
            "rubric.toml": _UNIT + '[[units.items]]\nkind = "cases"\n[[units.items.conditions]]\nid = "a"\n'
            "[[units.items.rows]]\npoints = 1\nwhen = { b = true }\n"
        },
        [
            "rubric.toml: item 1.1 in unit 1 u (units[0].items[0].rows[0].when): "
            "unknown condition 'b'; conditions are a",
            f"rubric.toml: {_ITEM}: no row matches a = true; add a row without 'when' for the rest",
        ],
    ),
    "sheet for another rubric": (
        {"rubric.toml": _ONE, "sheet.toml": '[sheet]\nagency = "a"\nrubric = "other"\n'},
        ["sheet.toml: sheet.rubric: the sheet is for 'other', not for 't'"],
    ),
    "ratio answer with a stray key": (
        {"rubric.toml": _RATIO, "sheet.toml": _answer("1.1", "{ value = 1, ref = 2, unit = 3 }")},
        ["sheet.toml: answers.\"1.1\": unknown key 'unit' in the answer; expected value and ref"],
    ),
    "ratio answer that is not a number": (
        {"rubric.toml": _RATIO, "sheet.toml": _answer("1.1", '{ value = "x", ref = 2 }')},
        ['sheet.toml: answers."1.1": expected { value = number, ref = number }'],
    ),
    "full marks without levels": ({"rubric.toml": _ONE, "sheet.toml": _answer("1.1", "true")}, []),
}


@pytest.mark.parametrize("name", sorted(REACHED))
def test_input_the_fuzzing_reached(name: str, tmp_path: Path) -> None:
    """Each of `REACHED` is read (or refused) with exactly its problems, scored and run through
    the commands."""
    files, problems = REACHED[name]
    assert _exercise(files, tmp_path) == problems


@pytest.mark.parametrize("path", ["a\x00b.toml", "a\x00b.csv"])
def test_paths_with_nul(path: str) -> None:
    """A path no file system allows is refused like a missing file (Python raises ValueError)."""
    _attempt(lambda: load_rubric(path), Path(path))
    _attempt(lambda: load_sheet(path), Path(path), sheet=True)
    _check_cli(["check", path], [Path(path)])


# --- 7. inputs that are slow or huge by construction ---------------------------------------

#: The rubric of `ADVERSARIAL` cases that need one: one project holding one judged and one
#: linear item (as in the shipped gbt50378 rubric).
_SMALL = """\
title = "t"
total = 10
[[units]]
title = "u"
[[units.items]]
kind = "judged"
range = [0, 5]
[[units.items]]
kind = "linear"
start = 0
step = 0.5
per = 1
max = 5
"""


def _many(template: str, count: int) -> str:
    return "".join(template.format(i=i) for i in range(count))


#: name → (rubric text, sheet text or None): each must load (and score) within CPU_LIMIT seconds.
ADVERSARIAL: Final[dict[str, tuple[str, str | None]]] = {
    "total 1e999999999": ('title = "t"\ntotal = 1e999999999\n' + _SMALL.split("\n", 2)[2], None),
    "points 9e999999 twice": (
        'title = "t"\ntotal = 1\n[[units]]\ntitle = "u"\n'
        + '[[units.items]]\nkind = "flag"\npoints = 9e999999\n' * 2,
        None,
    ),
    "ratio answer with ref 1e999990": (
        'title = "t"\ntotal = 1\n[[units]]\ntitle = "u"\n[[units.items]]\nkind = "bands"\ninput = "ratio"\n'
        "bands = [{ lt = 1e10, points = 0 }, { ge = 1e10, points = 1 }]\n",
        '[sheet]\nagency = "a"\n[answers]\n"1.1" = { value = 1, ref = 1e999990 }\n',
    ),
    "judged answer 1e999999999": (_SMALL, '[sheet]\nagency = "a"\n[answers]\n"1.1" = 1e999999999\n'),
    "linear answer 1e999999": (_SMALL, '[sheet]\nagency = "a"\n[answers]\n"1.2" = 1e999999\n'),
    "header with 100000 dotted keys": ("[" + ".".join(["a"] * 100_000) + "]\n", None),
    "30000 options, the last repeated": (
        'title = "t"\ntotal = 1\n[[units]]\ntitle = "u"\n[[units.items]]\nkind = "each"\nper = 1\n'
        "max = 1\noptions = [" + _many('"o{i}",', 30_000) + '"o29999"]\n',
        None,
    ),
    "cases: 12 conditions, 4000 rows": (
        'title = "t"\ntotal = 1\n[[units]]\ntitle = "u"\n[[units.items]]\nkind = "cases"\n'
        + _many('[[units.items.conditions]]\nid = "c{i}"\n', 12)
        + _many(
            "[[units.items.rows]]\npoints = 1\nwhen = {{"
            + ", ".join(f"c{k} = true" for k in range(12))
            + "}}\n",
            4000,
        )
        + "[[units.items.rows]]\npoints = 1\n",
        None,
    ),
    "1000 projects": (
        'title = "t"\ntotal = 1000\n[[units]]\ntitle = "u"\n'
        + _many(
            '[[units.projects]]\ntitle = "p"\n[[units.projects.items]]\nkind = "flag"\npoints = 1\n', 1000
        ),
        '[sheet]\nagency = "a"\n',
    ),
    "16000 units": (
        'title = "t"\ntotal = 16000\n'
        + _many('[[units]]\ntitle = "u"\n[[units.items]]\nkind = "flag"\npoints = 1\n', 16_000),
        '[sheet]\nagency = "a"\n',
    ),
    "gap: 1000 items to reach a level": (
        'title = "t"\ntotal = 1000\n[[levels]]\nname = "A"\nmin = 1000\n[[units]]\ntitle = "u"\n'
        + _many('[[units.items]]\nkind = "flag"\npoints = 1\n', 1000),
        '[sheet]\nagency = "a"\n',
    ),
    "60000 unknown answers": (
        _SMALL,
        '[sheet]\nagency = "a"\n[answers]\n' + _many('"9.{i}.1" = true\n', 60_000),
    ),
}
#: CPU seconds each adversarial case may take (a fixed library takes well under one).
CPU_LIMIT: Final = 5

_CHILD: Final = textwrap.dedent(
    """\
    import resource, sys
    resource.setrlimit(resource.RLIMIT_CPU, ({limit}, {limit} + 1))
    from conserv_rubric import RubricError, load_rubric, load_sheet, score
    from conserv_rubric.gaps import gap
    try:
        rubric = load_rubric(sys.argv[1])
        if len(sys.argv) > 2:
            card = score(rubric, load_sheet(sys.argv[2]))
            card.items, card.to_dict(), gap(card)
    except RubricError as exc:
        assert all(p.message for p in exc.problems)
    """
)


def test_adversarial_inputs_finish(tmp_path: Path) -> None:
    """Each input of `ADVERSARIAL` loads, scores and gives its gap (or is refused) within CPU_LIMIT s.

    They run at once, each in a child process limited to CPU_LIMIT seconds of CPU time, so a
    hang (huge exponents turned into ints, quadratic loops) fails here instead of stalling.
    """
    pytest.importorskip("resource")
    children = {}
    for i, (name, (rubric, sheet)) in enumerate(ADVERSARIAL.items()):
        argv = [sys.executable, "-c", _CHILD.format(limit=CPU_LIMIT)]
        for kind, text in (("rubric", rubric), ("sheet", sheet)):
            if text is not None:
                path = tmp_path / f"{i}-{kind}.toml"
                path.write_text(text, encoding="utf-8")
                argv.append(str(path))
        assert all(len(a.encode()) <= MAX_FILE_BYTES for a in (rubric, sheet or ""))
        children[name] = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    failed = []
    for name, child in children.items():
        _, err = child.communicate(timeout=len(ADVERSARIAL) * (CPU_LIMIT + 5))
        if child.returncode != 0:
            if err.strip():
                failed.append(f"{name}: {err.strip().splitlines()[-1]}")
            else:  # SIGXCPU, or SIGKILL at the hard limit
                failed.append(f"{name}: more than {CPU_LIMIT} s of CPU (signal {-child.returncode})")
    assert not failed, "\n".join(failed)


# --- the count -----------------------------------------------------------------------------


@pytest.mark.fuzz
def test_enough_examples_ran(request: pytest.FixtureRequest) -> None:
    """The fuzz tests above executed at least MIN_EXAMPLES examples between them.

    Runs last (pytest keeps the order of the file); skipped when only some tests were selected
    or another test failed (a failing fuzz test stops early, and its failure is the report).
    """
    assert sum(BUDGET.values()) >= MIN_EXAMPLES, BUDGET
    missing = sorted(set(BUDGET) - set(EXECUTED))
    if missing:
        pytest.skip(f"run the whole module to count its examples (not run: {', '.join(missing)})")
    if request.session.testsfailed:
        pytest.skip("another test failed; a failing fuzz test stops early, so the count is short")
    total = sum(EXECUTED.values())
    print(f"fuzz examples executed: {total} ({dict(EXECUTED)})")
    assert total >= MIN_EXAMPLES, dict(EXECUTED)
