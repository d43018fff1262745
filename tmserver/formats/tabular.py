"""CSV and TSV: two columns, source then target, optionally under a header naming the languages.

``zh,en`` (or ``zh-CN<TAB>en-US``) as the first row says which column is which language; with no
header the caller says (defaults zh → en). Export writes that header, so export → import →
export is byte-identical. Errors name the line number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import IO

from tmserver.errors import ImportFailed
from tmserver.formats import Unit
from tmserver.langs import is_well_formed, try_parse_lang

DELIMITERS = {"csv": ",", "tsv": "\t"}


def _text_stream(fh: IO[bytes]) -> io.TextIOWrapper:
    return io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")


def iter_tabular(
    fh: IO[bytes],
    fmt: str = "csv",
    *,
    source_lang: str | None = None,
    target_lang: str | None = None,
    origin: str | None = None,
) -> Iterator[Unit]:
    """Yield a :class:`Unit` per data row; a header row of two language codes sets the pair."""
    if fmt not in DELIMITERS:
        raise ImportFailed(f"unknown tabular format {fmt!r}", {"format": fmt})
    text = _text_stream(fh)
    reader = csv.reader(text, delimiter=DELIMITERS[fmt])
    src, tgt = source_lang, target_lang
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not c.strip() for c in row):
                continue
            if line == 1 and len(row) == 2 and all(is_well_formed(c) and try_parse_lang(c) for c in row):
                src, tgt = row[0].strip(), row[1].strip()
                continue
            if len(row) != 2:
                raise ImportFailed(
                    f"line {line}: expected 2 columns (source, target), found {len(row)}",
                    {"where": f"line {line}", "line": line},
                )
            yield Unit(
                source=row[0],
                target=row[1],
                source_lang=src or "zh",
                target_lang=tgt or "en",
                origin=origin,
                where=f"line {line}",
            )
    except UnicodeDecodeError as exc:
        raise ImportFailed(f"the file is not UTF-8 (byte {exc.start})", {"where": "encoding"}) from exc
    except csv.Error as exc:
        raise ImportFailed(f"line {reader.line_num}: {exc}", {"where": f"line {reader.line_num}"}) from exc


def write_tabular(
    units: Iterable[Unit], fh: IO[bytes], fmt: str = "csv", *, source_lang: str = "zh", target_lang: str = "en"
) -> int:
    """Write a header naming the languages, then one row per unit; return the row count."""
    text = io.TextIOWrapper(fh, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text, delimiter=DELIMITERS[fmt], lineterminator="\n")
    writer.writerow([source_lang, target_lang])
    n = 0
    for unit in units:
        writer.writerow([unit.source, unit.target])
        n += 1
    text.flush()
    text.detach()
    return n
