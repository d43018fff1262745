"""Fuzzy lookup index: character bigrams, count filtering, and a proof that the top-k is exact.

Design
------
**Documents.** Each language has its own :class:`~tmserver.index.postings.LangIndex` over the
*matching forms* (:func:`tmserver.normalize.normalize_text`) of that language's side of every
segment — a zh query searches the zh source of zh→en segments *and* the zh target of en→zh ones.
An index is built from the store on its first lookup (1e6 segments in seconds: two vectorised
passes over numpy arrays, posting lists as slices of one ``int32`` array) and then kept fresh.
Base documents are numbered by (length, segment id), so the documents a length window allows are
one range of numbers and a long posting list is cut to it by two bisections.

**Score.** similarity = 1 − d/max(|q|, |c|), d = Levenshtein distance on characters.

**Filters, and why they are safe.** For a threshold τ a document can only qualify if

* its length is within [⌈τ|q|⌉, ⌊|q|/τ⌋] (d ≥ length difference), and
* it misses few of the query's bigram *positions*: a bigram occurring m times in the query and
  c times in the document leaves at least m − min(m, c) positions touched by edits (an untouched
  query position is aligned with a position of the document holding the same bigram; the
  counts c are kept per posting, ``LangIndex.pcounts``, 255 meaning 255 or more); a substitution or deletion touches at most two bigram
  positions, an insertion one. So *X* touched positions and a length difference Δ force
  d ≥ max(|Δ|, ⌈X/2⌉) (Δ ≤ 0) or d ≥ max(Δ, ⌈(X+Δ)/2⌉) (Δ > 0)
  (:func:`~tmserver.index.postings.upper_bound`, checked against real distances by a
  hypothesis test).

**Search** (:meth:`LangIndex.search`). Sort the query's bigrams by (length-window) document
frequency. Take the smallest number *j* of the rarest ones such that a document missing all *j*
(their multiplicities summed) cannot reach τ (*prefix filter*): every document outside the union
of those *j* posting lists is proven out without being looked at, and the frequent lists — the
bulk of the postings — are never scanned. Count how many of the *j* each document in the union
holds (one sort of the concatenated lists; for a bigram the query holds m times its list enters
once, then once more for each t = 2..m with the documents holding it at least t times), keep
those whose bound still reaches τ, count the survivors' presence in the skipped frequent lists
(by bisection or marking), a few lists per round, while that still removes candidates (on a
templated TM every unit holds those bigrams and the rounds stop at once), tighten the bound of
what is left with a *character* bound (an occurrence of a query character the document lacks is
never matched, so d ≥ max(len) − (|q| − missing); read off a 128-bit character signature per
document); rescore in descending bound order with rapidfuzz in batches, stopping as soon as
the next bound is below the current k-th score. When the union at τ is large, a cheap *probe*
first scores the few documents sharing most of the rarest bigrams: if k of them reach τ, the
k-th score becomes the threshold, which shrinks *j* a lot, and the posting lists are cut again to
the narrower length window of that threshold.

**Proof and fallback.** When no *j* suffices — queries of a few characters, or a low τ, where
even missing every bigram position leaves a document able to reach τ — the index answers with an
exact scan of the length window (a range of base document numbers, screened by the character
signature). Repeated phrases (哈哈哈哈, 我们将进一步…，我们将进一步…) are proven like any other
query since positions are counted with multiplicity. Either way the answer is the true top-k
(ties broken by lower segment id); ``proven`` in the response says which path gave it
(``true``: the count-filter proof; ``false``: the exhaustive bounded scan).

**Freshness.** Writes in this process reach the index through ``TM.on_change`` before the write
call returns (the listener replays the ``segment_changes`` log, so the same code path serves
every process). Other processes' writes are picked up by a change-log check at most every
200 ms on lookup (:mod:`tmserver.index.sync`; each language's index has its own follower). New
documents go to a small delta (dict of lists); replaced or deleted ones are marked dead.

**One index per machine** (:mod:`tmserver.index.persist`). A language's base is saved to
``INDEX_DIR`` as flat ``.npy`` arrays plus a manifest holding the change-log position it is
consistent with; every worker maps it (read-only posting lists, copy-on-write per-document arrays
with spare room for the delta), so its pages are shared, and replays the log from that position.
A missing, damaged, foreign or stale (log compacted past it, or a ``reset`` since) generation is
rebuilt from the database — in a background thread, by one process of the machine at a time
(file lock), the others waiting for it and opening what it saved. When a delta outgrows
max(20,000, a tenth of the base), one process builds a new generation in the background and every
worker swaps to it at its next poll (new directory, then ``CURRENT``, atomically): no request
waits for a rebuild. Until a language is loaded, its lookups wait up to ``INDEX_WAIT`` seconds
and ``GET /api/v1/ready`` answers 503.

**Memory.** At 1e6 Chinese segments (~27 characters) the postings are ~26 M ``int32`` (~100 MB),
the vocabulary and offsets ~40 MB, the texts one joined string with an offset array (~55 MB; a list of a
million ``str`` costs ~140 MB; 4 bytes a character, ~105 MB, as soon as one text holds a character
beyond U+FFFF, as the synthetic benchmark set does), the signatures 16 MB. The build takes the fetched list of
texts over and frees it, works in 50k-document chunks, and pins glibc's mmap threshold so its
large temporaries go back to the OS: peak RSS of a 1e6 engine process ~620 MB, ~370 MB once built.
Opened from a saved generation, the texts stay one UTF-8 byte array and everything but the delta
is shared page cache. ``INDEX_LANGS`` names the languages loaded at start (``auto``: on first lookup).
"""

from tmserver.index.engine import Engine
from tmserver.index.postings import LangIndex, SearchResult

__all__ = ["Engine", "LangIndex", "SearchResult"]
