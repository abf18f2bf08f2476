"""Where things stand in a TOML text, so a data file's problems can name the line.

`tomllib` gives values without positions; these helpers find the header of
the n-th `[[table]]` and the line of a key in a `[table]` by reading the text.
Good enough for the files we write by hand: a header or key on its own line.
"""

from __future__ import annotations

import re
import tomllib

_KEY = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_\-]+)\s*=""")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")


def array_table_lines(text: str, name: str) -> list[int]:
    """The line number of every `[[name]]` header, in file order."""
    return [
        number for number, (brackets, table) in _headers(text) if brackets == "[[" and table == name
    ]


def table_line(text: str, name: str) -> int | None:
    """The line of the `[name]` header (or `[[name]]`'s first)."""
    return next((number for number, (_, table) in _headers(text) if table == name), None)


def key_line(text: str, table: str, key: str) -> int | None:
    """The line of `key = …` directly in `[table]` ("" for the top level)."""
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _HEADER.match(line):
            current = _name(header.group(2))
        elif (
            current == table and (found := _KEY.match(line)) and found.group(1).strip("\"'") == key
        ):
            return number
    return None


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


def _headers(text: str) -> list[tuple[int, tuple[str, str]]]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _HEADER.match(line):
            found.append((number, (header.group(1), _name(header.group(2)))))
    return found


def _name(raw: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in raw.split("."))
