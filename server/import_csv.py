"""Reading a `;`-separated UTF-8 CSV with a header row, strictly and as a stream, for the imports.

A file-wide problem (empty, commas instead of semicolons, missing columns) is one FileRefused
with the line it concerns; a problem of one line (not UTF-8, a broken quote, the wrong number
of fields) comes with that line, so the import can name every bad line and go on reading.
Columns are found by name, never by position.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


class FileRefused(Exception):
    """The file as a whole is not the CSV expected (Dutch message naming the line)."""


@dataclass(frozen=True)
class Columns:
    """What a file must have: the required column names (others are ignored), and older names of some."""

    required: tuple[str, ...]
    aliases: tuple[tuple[str, str], ...] = ()  # (older name, name) pairs
    layout: str = ""  # how the expected layout is called in messages


@dataclass(frozen=True)
class Line:
    """One record of the file: its line number, its fields by column name, or why it is unreadable."""

    number: int
    fields: dict[str, str] | None
    error: str | None


NOT_UTF8 = ("geen geldige UTF-8-tekst (is het bestand als Latin-1 of Windows-1252 opgeslagen? Sla het op als "
            "UTF-8)")


def _decoded(stream: BinaryIO, bad: dict[int, str]) -> Iterator[str]:
    """Yield the file's lines as text; a line that is no UTF-8 is noted in `bad` and read with replacements."""
    for number, raw in enumerate(stream, 1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            bad[number] = NOT_UTF8
            yield raw.decode("utf-8", "replace")


def header_names(raw: list[str], columns: Columns, first_line: int = 1) -> list[str]:
    """Return the canonical names of a header row, or raise FileRefused naming what is wrong with it."""
    names = [name.strip().lower() for name in raw]
    if len(names) == 1 and ("," in names[0] or "\t" in names[0]):
        separator = "komma's" if "," in names[0] else "tabs"
        raise FileRefused(f"Regel {first_line}: de kolommen zijn gescheiden door {separator} in plaats van "
                          "puntkomma's (;); sla het bestand op met ; als scheidingsteken.")
    aliases = dict(columns.aliases)
    names = [aliases.get(name, name) for name in names]
    doubled = sorted({name for name in names if name and names.count(name) > 1})
    if doubled:
        raise FileRefused(f"Regel {first_line}: de kolom {', '.join(doubled)} staat meer dan eens in de kopregel.")
    missing = [name for name in columns.required if name not in names]
    if missing:
        found = ", ".join(name for name in names if name) or "geen"
        raise FileRefused(f"Regel {first_line}: {'kolom' if len(missing) == 1 else 'kolommen'} "
                          f"{', '.join(missing)} {'ontbreekt' if len(missing) == 1 else 'ontbreken'} in de kopregel "
                          f"(gevonden: {found}). Verwacht: {columns.layout or ';'.join(columns.required)}.")
    return names


class CsvFile:
    """A CSV file opened for one pass: check the header with header(), then iterate its records."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stream: BinaryIO = path.open("rb")
        self._bad: dict[int, str] = {}
        self._reader = csv.reader(_decoded(self._stream, self._bad), delimiter=";", strict=True)
        self.names: list[str] = []

    def close(self) -> None:
        """Close the file."""
        self._stream.close()

    def __enter__(self) -> CsvFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def header(self, columns: Columns) -> list[str]:
        """Read and check the header row; return its canonical column names."""
        try:
            raw = next(self._reader)
            while not any(cell.strip() for cell in raw):  # blank lines before the header
                raw = next(self._reader)
        except StopIteration:
            raise FileRefused("Het bestand is leeg: geen kopregel en geen regels.") from None
        except csv.Error as err:
            raise FileRefused(f"Regel {self._reader.line_num}: de kopregel is onleesbaar ({err}).") from None
        line = self._reader.line_num
        if line in self._bad:
            raise FileRefused(f"Regel {line}: de kopregel is {self._bad[line]}.")
        self.names = header_names(raw, columns, line)
        return self.names

    def __iter__(self) -> Iterator[Line]:
        return self._records()

    def _records(self) -> Iterator[Line]:
        width = len(self.names)
        while True:
            start = self._reader.line_num + 1
            try:
                raw = next(self._reader)
            except StopIteration:
                return
            except csv.Error as err:
                yield Line(start, None, f"onleesbare regel ({_csv_reason(err)})")
                continue
            end = self._reader.line_num
            unreadable = next((self._bad.pop(n) for n in range(start, end + 1) if n in self._bad), None)
            if unreadable:
                yield Line(start, None, unreadable)
                continue
            if not raw or (len(raw) == 1 and not raw[0].strip()):
                continue  # a blank line
            if len(raw) != width:
                hint = " (komma's in plaats van puntkomma's?)" if len(raw) == 1 and "," in raw[0] else ""
                yield Line(start, None, f"{len(raw)} {'veld' if len(raw) == 1 else 'velden'} in plaats van "
                                        f"{width}{hint}")
                continue
            yield Line(start, {name: value.strip() for name, value in zip(self.names, raw, strict=True)}, None)


def _csv_reason(err: csv.Error) -> str:
    text = str(err)
    if "NUL" in text:
        return "bevat een NUL-teken"
    if "quote" in text or "delimiter" in text:
        return "een aanhalingsteken staat verkeerd"
    return text

