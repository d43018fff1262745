"""Language codes as users and CAT tools send them.

The TM's canonical pair is ``zh``/``en``; clients send BCP 47 (``zh-Hans``, ``en-US``), POSIX
(``zh_CN``, ``en_GB``) or Weblate's lowercased form (``zh_hans``, ``en_us``). We reduce each to a
base language for matching and keep the variant the user sent, normalised to BCP 47 casing, for
display and export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SUPPORTED = ("zh", "en")

_CODE_RE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$")
_TRADITIONAL_REGIONS = {"TW", "HK", "MO"}


class UnknownLanguage(ValueError):
    """Raised for a code that is not well-formed, or names a language this TM does not hold."""

    def __init__(self, code: str, reason: str):
        super().__init__(f"{reason}: {code!r}")
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Lang:
    base: str  #: ``zh`` or ``en``
    tag: str  #: the variant the user sent, in BCP 47 casing (``zh-Hant``, ``en-US``)

    @property
    def traditional(self) -> bool:
        """True when the tag asks for Traditional script (zh-Hant, zh-TW, zh-HK)."""
        parts = self.tag.split("-")[1:]
        return any(p == "Hant" or p in _TRADITIONAL_REGIONS for p in parts)


def canonical_tag(code: str) -> str:
    """``zh_hans`` → ``zh-Hans``; ``en_us`` → ``en-US``; ``zh`` → ``zh``."""
    parts = re.split(r"[-_]", code.strip())
    out = [parts[0].lower()]
    for p in parts[1:]:
        if len(p) == 4 and p.isalpha():
            out.append(p.title())
        elif len(p) in (2, 3) and (p.isalpha() or p.isdigit()):
            out.append(p.upper())
        else:
            out.append(p.lower())
    return "-".join(out)


def is_well_formed(code: str) -> bool:
    return bool(code) and bool(_CODE_RE.match(code.strip()))


def parse_lang(code: str | None, *, supported: tuple[str, ...] = SUPPORTED) -> Lang:
    """Parse a language code, raising :class:`UnknownLanguage` for bad or unsupported codes."""
    if code is None or not code.strip():
        raise UnknownLanguage(code or "", "missing language code")
    if not is_well_formed(code) or len(code.strip()) > 35:  # BCP 47 tags we store fit in 35
        raise UnknownLanguage(code, "malformed language code")
    tag = canonical_tag(code)
    base = tag.split("-")[0]
    if base not in supported:
        raise UnknownLanguage(code, f"unsupported language (this TM holds {', '.join(supported)})")
    return Lang(base=base, tag=tag)


def try_parse_lang(code: str | None) -> Lang | None:
    try:
        return parse_lang(code)
    except UnknownLanguage:
        return None
