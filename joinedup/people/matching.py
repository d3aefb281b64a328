"""Name matching that forgives case, accents and small typos.

On PostgreSQL the database does it with pg_trgm; elsewhere `trigram_similarity` below computes the same
measure in Python over the few people who share the date of birth.
"""

import re
import unicodedata

THRESHOLD = 0.3


def normalise_name(text: str) -> str:
    """'  Zoë  O'Brien-Smith ' -> 'zoe obrien smith'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    plain = plain.replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def _trigrams(text: str) -> set[str]:
    grams = set()
    for word in normalise_name(text).split():
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def trigram_similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(): shared trigrams over all trigrams of either string."""
    ta, tb = _trigrams(a), _trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)
