"""Standard Chinese punctuation (GB/T 15834-2011) for files handed to tools that do not normalise.

The seed TM — like much text copied from the web — writes ASCII ``, : ; ( ) ? !`` inside Chinese
sentences. Our own matching folds width (NFKC), so a lookup does not care; but a CAT tool such as
OmegaT compares its source segments *verbatim* for an exact match, so a document typed with
standard full-width punctuation never gets a 100 % hit from such a TM.

:func:`to_fullwidth` rewrites the punctuation of Chinese text to GB/T 15834 forms — ``，：；（）？！``
— where it stands in Chinese context, and leaves alone what is not Chinese punctuation: ``1,000``,
``3.5``, ``10:30``, an English phrase inside parentheses (``(Global Digital Compact)`` after a
Chinese word keeps its ASCII parentheses only if nothing Chinese touches them), URLs. Spaces
after a converted mark are dropped (full-width marks carry their own spacing).

It is a *presentation* option: the database keeps the verbatim text. Export with
``punctuation=fullwidth`` to write it; import with ``punctuation=fullwidth`` to store a file's
Chinese side in the standard form.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from tmserver.errors import ValidationError
from tmserver.normalize import is_cjk

PUNCTUATION_MODES = ("verbatim", "fullwidth")
_MARKS = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
_OPEN, _CLOSE = "(", ")"
#: full-width marks that count as Chinese context for a neighbouring ASCII mark
_ZH_PUNCT = set("，。、：；？！（）《》〈〉「」『』“”‘’【】—…")


def check_mode(value: Any, field: str = "punctuation") -> str:
    if value is None or value == "":
        return "verbatim"
    if value not in PUNCTUATION_MODES:
        raise ValidationError(f"{field} must be one of {', '.join(PUNCTUATION_MODES)}, got {value!r}",
                              {"field": field, "allowed": list(PUNCTUATION_MODES)})
    return value


def _chinese(ch: str | None) -> bool:
    return ch is not None and (is_cjk(ch) or ch in _ZH_PUNCT)


def _neighbour(text: str, i: int, step: int) -> str | None:
    j = i + step
    while 0 <= j < len(text) and text[j] == " ":
        j += step
    return text[j] if 0 <= j < len(text) else None


def _paren_pairs(text: str) -> dict[int, int]:
    """Matching ASCII parentheses, open index → close index (unbalanced ones are left alone)."""
    stack: list[int] = []
    pairs: dict[int, int] = {}
    for i, ch in enumerate(text):
        if ch == _OPEN:
            stack.append(i)
        elif ch == _CLOSE and stack:
            pairs[stack.pop()] = i
    return pairs


def to_fullwidth(text: str) -> str:
    """``text`` with its Chinese-context ASCII punctuation in GB/T 15834 full-width form."""
    if not any(is_cjk(c) for c in text):
        return text  # an English sentence keeps its punctuation
    out = list(text)
    for open_i, close_i in _paren_pairs(text).items():
        inner = text[open_i + 1:close_i]
        if any(is_cjk(c) for c in inner) or _chinese(_neighbour(text, close_i, 1)):
            out[open_i], out[close_i] = "（", "）"
    for i, ch in enumerate(text):
        full = _MARKS.get(ch)
        if full is None:
            continue
        before, after = _neighbour(text, i, -1), _neighbour(text, i, 1)
        if before is not None and after is not None and before.isdigit() and after.isdigit() and ch in ",:":
            continue  # 1,000 and 10:30 are numbers
        if _chinese(before) or _chinese(after) or (i and out[i - 1] == "）"):
            out[i] = full
    return _drop_spaces_after_marks("".join(out))


def _drop_spaces_after_marks(text: str) -> str:
    marks = set(_MARKS.values()) | {"（", "）"}
    res: list[str] = []
    for ch in text:
        if ch == " " and res and res[-1] in marks:
            continue
        if ch in marks and res and res[-1] == " " and len(res) > 1 and _chinese(res[-2]):
            res.pop()  # "网络 ，" → "网络，"
        res.append(ch)
    return "".join(res)


def apply_to_unit(unit: Any) -> Any:
    """Rewrite the Chinese side(s) of a :class:`~tmserver.formats.Unit` (source or target) in place."""
    for side in ("source", "target"):
        lang = getattr(unit, f"{side}_lang", "") or ""
        if lang.lower().startswith("zh"):
            setattr(unit, side, to_fullwidth(getattr(unit, side)))
    return unit


def import_units_hook(units: Iterable[Any], mode: str | None) -> Iterable[Any]:
    """The units of an import, with standard punctuation when ``mode`` is ``fullwidth``."""
    if check_mode(mode) == "verbatim":
        return units
    return _converted(units)


def _converted(units: Iterable[Any]) -> Iterator[Any]:
    for unit in units:
        yield apply_to_unit(unit)
