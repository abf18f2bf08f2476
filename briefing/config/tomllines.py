"""Reading a hand-written TOML file through a pydantic model, every problem at once.

`tomllib` gives values without positions, so `Lines` reads the text for where
each table, each `[[table]]` entry and each key stands. `Problems` collects
what is wrong as `file:line: key: message`, the key a dotted path like
`sources.polisen.url`, `types."Mord/dråp".severity` or
`rules[3] ('armed_robbery').raise_to` (an entry of a `[[table]]` list is
named by its `name` when it has one). `validate` runs a model and files each
of its errors there. Good enough for the files we write by hand: a header or
key on its own line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, PlainValidator, ValidationError

from briefing.errors import ConfigError

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)

_PART = r"""(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_\-]+)"""
_KEY = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_PART}(?:\s*\.\s*{_PART})*)\s*\]\]?")
_SPLIT = re.compile(_PART)
_BARE = re.compile(r"^[A-Za-z0-9_\-]+$")


def _flag(value: Any) -> bool:
    if type(value) is not bool:
        raise ValueError("must be true or false")
    return value


Flag = Annotated[bool, PlainValidator(_flag)]  # true or false, never "yes" or 1


class Lines:
    """The line of every table, `[[table]]` entry and key of a TOML text."""

    def __init__(self, text: str) -> None:
        self._at: dict[Loc, int] = {}
        entries: dict[tuple[str, ...], int] = {}  # a [[table]] -> its last entry's index
        current: Loc = ()
        for number, line in enumerate(text.splitlines(), start=1):
            if header := _HEADER.match(line):
                current = _table(_parts(header.group(2)), header.group(1) == "[[", entries)
                self._at.setdefault(current, number)
            elif key := _KEY.match(line):
                self._at.setdefault((*current, *_parts(key.group(1))), number)

    def of(self, loc: Sequence[str | int]) -> int | None:
        """The line of `loc`, else of the nearest table or key that holds it."""
        for end in range(len(loc), 0, -1):
            found = self._at.get(tuple(loc[:end]))
            if found is not None:
                return found
        return None


def _table(names: tuple[str, ...], array: bool, entries: dict[tuple[str, ...], int]) -> Loc:
    """The path of a header; a `[[table]]` (and a table inside one) gets the entry's index."""
    path: list[str | int] = []
    for end in range(1, len(names) + 1):
        path.append(names[end - 1])
        prefix = names[:end]
        if array and end == len(names):
            entries[prefix] = entries.get(prefix, -1) + 1
            # a new entry forgets the sub-entries of the one before
            for inner in [k for k in entries if len(k) > end and k[:end] == prefix]:
                del entries[inner]
        if prefix in entries:
            path.append(entries[prefix])
    return tuple(path)


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(_unquote(part) for part in _SPLIT.findall(dotted))


def _unquote(part: str) -> str:
    if part.startswith('"'):
        return str(tomllib.loads(f"k = {part}")["k"])
    return part.strip("'")


def key_name(part: str) -> str:
    """A key as TOML writes it: bare when it can be, else quoted."""
    if _BARE.match(part):
        return part
    return '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Problems:
    """What is wrong with one file, each problem with its line and key.

    `data` (the parsed file) lets an entry of a `[[table]]` list be named by its `name`.
    """

    def __init__(self, source: object, text: str, data: Mapping[str, Any] | None = None) -> None:
        self.source = str(source)
        self.data = data or {}
        self._lines = Lines(text)
        self._found: list[tuple[int, str]] = []

    def __bool__(self) -> bool:
        return bool(self._found)

    @property
    def lines(self) -> list[str]:
        """Every problem, in file order (those with no line first)."""
        return [problem for _, problem in sorted(self._found, key=lambda found: found[0])]

    def add(self, loc: Sequence[str | int], message: str) -> None:
        line = self._lines.of(loc)
        where = f"{self.source}:{line}" if line else self.source
        key = self.key(loc)
        text = f"{key}: {message}" if key else message
        self._found.append((line or 0, f"{where}: {text}"))

    def key(self, loc: Sequence[str | int]) -> str:
        """`loc` as the dotted key the reader finds in the file."""
        text = ""
        value: Any = self.data
        for part in loc:
            value = _child(value, part)
            if isinstance(part, int):
                name = value.get("name") if isinstance(value, Mapping) else None
                text += f"[{part}]" + (f" ('{name}')" if isinstance(name, str) else "")
            else:
                text += ("." if text else "") + key_name(part)
        return text

    def add_errors(self, exc: ValidationError, prefix: Loc = ()) -> None:
        for err in exc.errors():
            self.add((*prefix, *err["loc"]), message(err))

    def check(self, hint: str) -> None:
        """Raise ConfigError with every problem, if there is one."""
        if self:
            raise ConfigError(self.lines, hint)


def _child(value: Any, part: str | int) -> Any:
    if isinstance(part, int):
        return value[part] if isinstance(value, list) and 0 <= part < len(value) else None
    return value.get(part) if isinstance(value, Mapping) else None


def validate(
    model: type[M],
    data: Any,
    problems: Problems,
    loc: Loc = (),
    context: Mapping[str, Any] | None = None,
) -> M | None:
    """`data` read through `model`; None, with its problems filed, when it does not fit."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        problems.add_errors(exc, loc)
        return None


def message(err: Mapping[str, Any]) -> str:
    """A pydantic error as the reader of the file needs it."""
    if err["type"] == "extra_forbidden":
        return "unknown key"
    if err["type"] == "missing":
        return "required key is missing"
    return str(err["msg"]).removeprefix("Value error, ")


def read(text: str, source: object, hint: str = "fix the TOML") -> dict[str, Any]:
    """The parsed text; a syntax error is a ConfigError naming the line and column."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([syntax_problem(str(source), exc, text)], hint) from exc


def syntax_problem(source: str, exc: tomllib.TOMLDecodeError, text: str) -> str:
    """`file:line:col: TOML syntax: …` from tomllib's message."""
    message = str(exc)
    where = re.search(r"\(at line (\d+), column (\d+)\)", message)
    plain = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
    if where:
        return f"{source}:{where.group(1)}:{where.group(2)}: TOML syntax: {plain}"
    if "end of document" in message:
        return f"{source}:{len(text.splitlines())}: TOML syntax: {plain} (at the end of the file)"
    return f"{source}: TOML syntax: {plain}"
