"""Finding a product from what a person types: SKU, barcode, or words of its name.

Staff type half a word, mix Chinese and English ("可乐 330"), and make small
typos ("coca cloa"). Names are broken into character n-grams (bigrams for
Chinese, trigrams for Latin words), so partial words and one-letter typos
still share most n-grams with the name; candidates are ranked by how much of
the query they cover.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[a-z0-9]+")
_DROPPED = str.maketrans("", "", "'’`")


@dataclass(slots=True, frozen=True)
class SearchEntry:
    sku: str
    name: str
    brand: str = ""
    category: str = ""


@dataclass(slots=True, frozen=True)
class Match:
    sku: str
    name: str
    score: float


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().translate(_DROPPED)


def grams(text: str) -> set[str]:
    """The n-grams a text is matched on."""
    text = normalise(text)
    found: set[str] = set()
    for run in _CJK.findall(text):
        found.update(run) if len(run) == 1 else found.update(run[i : i + 2] for i in range(len(run) - 1))
        found.update(run)  # single characters let a one-character query match
    for word in _LATIN.findall(text):
        padded = f" {word} "
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return found


def gram_weight(gram: str) -> float:
    """Single Chinese characters only help a one-character query: 可 and 乐 do not make 可乐."""
    return 0.5 if len(gram) == 1 else (2.0 if _CJK.fullmatch(gram) else 1.0)


class ProductSearchIndex:
    """An in-memory n-gram index over the catalogue; rebuilt when the catalogue changes."""

    def __init__(self, entries: Iterable[SearchEntry]) -> None:
        self._entries: dict[str, SearchEntry] = {}
        self._postings: dict[str, list[str]] = defaultdict(list)
        for entry in entries:
            self._entries[entry.sku] = entry
            for gram in grams(f"{entry.name} {entry.brand}"):
                self._postings[gram].append(entry.sku)

    def __len__(self) -> int:
        return len(self._entries)

    def search(self, query: str, limit: int = 8, min_score: float = 0.5) -> list[Match]:
        """Best matches first; an exact SKU wins outright."""
        exact = self._entries.get(query.strip()) or self._entries.get(query.strip().upper())
        if exact:
            return [Match(exact.sku, exact.name, 2.0)]
        wanted = grams(query)
        if not wanted:
            return []
        hits: dict[str, float] = defaultdict(float)
        for gram in wanted:
            for sku in self._postings.get(gram, ()):
                hits[sku] += gram_weight(gram)
        total = sum(gram_weight(gram) for gram in wanted)
        scored = []
        query_words = normalise(query).split()
        for sku, weight in hits.items():
            score = weight / total
            if score < min_score:
                continue
            name = normalise(self._entries[sku].name)
            score += 0.1 * sum(word in name for word in query_words)  # whole words typed as in the name
            scored.append(Match(sku, self._entries[sku].name, round(score, 4)))
        scored.sort(key=lambda m: (-m.score, len(m.name), m.sku))
        return scored[:limit]
