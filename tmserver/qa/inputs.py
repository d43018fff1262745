"""Read segments to check from JSON, TMX, XLIFF 1.2/2.0, CSV or TSV.

The language pair comes from the file (TMX ``xml:lang``, XLIFF ``source-language``, a CSV header
row of two codes) or from the caller; JSON may give ``source_lang``/``target_lang`` at the top
or per segment. Every malformed input raises :class:`tmserver.errors.ValidationError` or
:class:`~tmserver.errors.ImportFailed` naming the place.
"""

from __future__ import annotations

import json
from typing import IO, Any

from tmserver.errors import ValidationError
from tmserver.formats import detect_format
from tmserver.formats.tabular import iter_tabular
from tmserver.formats.tmx import iter_tmx
from tmserver.formats.xliff import iter_xliff
from tmserver.langs import UnknownLanguage, parse_lang
from tmserver.qa.base import QASegment

FORMATS = ("json", "tmx", "xliff", "csv", "tsv")


def _lang(code: str | None, what: str, default: str) -> str:
    if not code:
        return default
    if not isinstance(code, str):
        raise ValidationError(f"{what}: a language code must be a string such as 'zh-CN'", {"field": what})
    try:
        return parse_lang(code).tag
    except UnknownLanguage as exc:
        raise ValidationError(f"{what}: {exc}", {"field": what, "value": code}) from exc


def segments_from_json(data: Any, source_lang: str | None = None, target_lang: str | None = None) -> list[QASegment]:
    """``{"segments": [{"id", "source", "target"}…], "source_lang", "target_lang"}`` or a bare list."""
    if isinstance(data, dict):
        items = data.get("segments")
        source_lang = data.get("source_lang") or source_lang
        target_lang = data.get("target_lang") or target_lang
    else:
        items = data
    if not isinstance(items, list):
        raise ValidationError("expected 'segments': a list of {source, target} objects", {"field": "segments"})
    sl = _lang(source_lang, "source_lang", "zh")
    tl = _lang(target_lang, "target_lang", "en")
    out = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise ValidationError(f"segment #{n}: expected an object", {"segment": n})
        for key in ("source", "target"):
            if not isinstance(item.get(key), str):
                raise ValidationError(f"segment #{n}: field {key!r} must be a string", {"segment": n, "field": key})
        sid = item.get("id", n)
        if not isinstance(sid, str | int):
            raise ValidationError(f"segment #{n}: 'id' must be a string or a number", {"segment": n, "field": "id"})
        out.append(QASegment(
            id=str(sid), source=item["source"], target=item["target"],
            source_lang=_lang(item.get("source_lang"), f"segment #{n} source_lang", sl),
            target_lang=_lang(item.get("target_lang"), f"segment #{n} target_lang", tl),
            where=f"segment #{n}",
        ))
    return out


def sniff(filename: str | None, head: bytes, given: str | None = None) -> str:
    """The input format: ``given`` if set, else from the name (.xlf/.xliff/.sdlxliff/.mqxliff, .tmx,
    .json, .csv, .tsv), else from the first bytes (``<xliff``/``<tmx``, ``{``/``[``, a tab)."""
    if given:
        return given

    name = (filename or "").lower()
    if name.endswith(("xliff", ".xlf", ".xlz")):
        return "xliff"
    body = head.lstrip(b"\xef\xbb\xbf \r\n\t")
    if body.startswith(b"<"):
        low = head.lower()
        if b"<xliff" in low or b":xliff" in low:
            return "xliff"
        if b"<tmx" in low:
            return "tmx"
    if body[:1] in (b"{", b"[") and not name.endswith((".csv", ".tsv", ".tmx")):
        return "json"
    return detect_format(filename, head)


def read_segments(
    fh: IO[bytes], fmt: str, *, source_lang: str | None = None, target_lang: str | None = None
) -> list[QASegment]:
    """All segments of a file, in file order, numbered as the file numbers them."""
    if fmt not in FORMATS:
        raise ValidationError(f"unknown input format {fmt!r}; use one of {', '.join(FORMATS)}", {"format": fmt})
    if fmt == "json":
        raw = fh.read()
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValidationError(f"the file is not valid UTF-8 JSON: {exc}", {"format": "json"}) from exc
        return segments_from_json(data, source_lang, target_lang)
    if fmt == "tmx":
        units = iter_tmx(fh)
        return [QASegment(id=str(n), source=u.source, target=u.target, source_lang=u.source_lang,
                          target_lang=u.target_lang, where=u.where) for n, u in enumerate(units, 1)]
    if fmt == "xliff":
        units = iter_xliff(fh, source_lang=source_lang, target_lang=target_lang)
        return [QASegment(id=u.extra.get("id") or str(n), source=u.source, target=u.target,
                          source_lang=_lang(u.source_lang, "source_lang", "zh"),
                          target_lang=_lang(u.target_lang, "target_lang", "en"), where=u.where,
                          target_italic=tuple(u.extra.get("target_italic") or ()))
                for n, u in enumerate(units, 1)]

    units = iter_tabular(fh, fmt, source_lang=source_lang, target_lang=target_lang)
    return [QASegment(id=u.where.replace("line ", "line-") or str(n), source=u.source, target=u.target,
                      source_lang=_lang(u.source_lang, "source_lang", "zh"),
                      target_lang=_lang(u.target_lang, "target_lang", "en"), where=u.where)
            for n, u in enumerate(units, 1)]
