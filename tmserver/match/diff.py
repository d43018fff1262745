"""Diff of a match against the query, with spans in the *original* texts.

The edit script is computed on the matching forms (so 網路 vs 网络 is not a difference) by
``rapidfuzz.distance.Levenshtein.opcodes`` and mapped back through the offset maps of
:func:`tmserver.normalize.normalize`. Each op says how to turn the query into the match:

* ``equal``: ``query[a:b]`` and ``match[c:d]`` are the same (after normalisation);
* ``replace``: ``query[a:b]`` became ``match[c:d]``;
* ``delete``: ``query[a:b]`` is not in the match (``c == d``);
* ``insert``: ``match[c:d]`` is not in the query (``a == b``).
"""

from __future__ import annotations

from typing import Any

from rapidfuzz.distance import Levenshtein

from tmserver.normalize import Normalized


def diff(query: Normalized, match: Normalized) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for op in Levenshtein.opcodes(query.text, match.text):
        qa, qb = query.to_original(op.src_start, op.src_end)
        ma, mb = match.to_original(op.dest_start, op.dest_end)
        item = {
            "op": op.tag,
            "query": [qa, qb],
            "match": [ma, mb],
            "query_text": query.original[qa:qb],
            "match_text": match.original[ma:mb],
        }
        prev = out[-1] if out else None
        if prev and prev["op"] == item["op"] and prev["query"][1] == qa and prev["match"][1] == ma:
            # one original character may stand for several normalised ones (… → ...)
            prev["query"][1], prev["match"][1] = qb, mb
            prev["query_text"] = query.original[prev["query"][0] : qb]
            prev["match_text"] = match.original[prev["match"][0] : mb]
            continue
        out.append(item)
    return out
