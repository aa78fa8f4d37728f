"""Visitors' questions grouped into themes, offline: pure functions of the texts, no I/O.

How a theme is found, and why:

- words: lowercase, apostrophes split ("l'alternance" -> "alternance"), scrubbed placeholders
  ("[email]") and French function words (``french_stop_words.txt``, shipped here) dropped,
  the rest reduced to its Snowball French stem, so "stages", "stage" and "stagiaire" meet;
- TF-IDF over the stems (scikit-learn, sublinear counts: a word repeated in one question says
  little more), each question an L2-normalised vector;
- questions with the same bag of stems are one point first (near-duplicates merged before any
  clustering, and what keeps large periods cheap);
- average-linkage agglomerative clustering on cosine distance with a distance threshold: no
  number of themes to guess, and short texts that share their one or two content words join
  while unrelated ones stay apart. Above ``DIRECT_LIMIT`` distinct points the n×n distance
  matrix would not fit, so MiniBatchKMeans first cuts them into micro-groups whose centroids
  are then clustered the same way (a trade of a little precision for memory and time);
- a theme is named by its heaviest stems (shown by their most frequent written form) and by
  its most central question; its ``key`` (the heaviest stems, sorted) is what an approval
  follows from one computation to the next.

The trend: the questions of the period and of the period before are clustered together, so one
theme counts its questions in both; a theme with none in the period is left out.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources

import numpy as np
import snowballstemmer
from scipy.sparse import csr_matrix
from sklearn.cluster import AgglomerativeClustering, MiniBatchKMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

__all__ = [
    "DEFAULT_THRESHOLD",
    "Question",
    "Theme",
    "group_questions",
    "ignored_words",
    "month_of",
    "previous_month",
    "themes_by_filiere",
    "words",
]

# Average cosine distance under which two groups of questions are one theme (measured on the
# fixtures in tests/scheduler/staff/fixtures: pairwise precision 0.84, recall 0.63-0.64).
DEFAULT_THRESHOLD = 0.85
# Distinct questions clustered directly (an n×n float32 matrix: 5,000 -> 100 MB).
DIRECT_LIMIT = 5_000
EXAMPLES = 3
LABEL_WORDS = 3
KEY_WORDS = 3

_PLACEHOLDER = re.compile(r"\[[^\]]{1,20}\]")
_APOSTROPHE = re.compile(r"[’'`´]")
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Question:
    """What grouping needs of a question, and no more (retention may have unlinked the rest)."""

    text: str
    filiere: str
    month: date  # the first day of its month


@dataclass(frozen=True, slots=True)
class Theme:
    key: str  # the heaviest stems, sorted: the same subject keeps the same key
    label: str  # the heaviest words, as written most often
    representative: str  # the question closest to the theme's centre
    members: tuple[int, ...]  # indices of the period's questions in the theme, most central first
    count: int  # questions of the period
    previous_count: int  # questions of the period before

    @property
    def trend(self) -> int:
        return self.count - self.previous_count

    def examples(self, questions: Sequence[str], most: int = EXAMPLES) -> tuple[str, ...]:
        """The most central distinct questions of the theme."""
        seen: dict[str, None] = {}
        for i in self.members:
            seen.setdefault(questions[i].strip(), None)
            if len(seen) == most:
                break
        return tuple(seen)


def month_of(day: date) -> date:
    return day.replace(day=1)


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    text = resources.files(__package__).joinpath("french_stop_words.txt").read_text("utf-8")
    words = (line.strip() for line in text.splitlines())
    return frozenset(w for w in words if w and not w.startswith("#"))


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("french")


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, str]:
    """Stem -> the stem that stands for its subject (``french_synonyms.txt``)."""
    text = resources.files(__package__).joinpath("french_synonyms.txt").read_text("utf-8")
    stem = _stemmer().stemWord
    found: dict[str, str] = {}
    for line in text.splitlines():
        subject, _, members = line.partition(":")
        if line.startswith("#") or not members:
            continue
        head = _fold(stem(subject.split()[0]))
        for word in members.split():
            found.setdefault(_fold(stem(word)), head)
    return found


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def words(text: str, ignore: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(stem, written word) of each meaningful word of ``text``; ``ignore``: more words to drop
    (a filière's own name, which every question of its page shares)."""
    text = _APOSTROPHE.sub(" ", _PLACEHOLDER.sub(" ", text.lower()))
    stop = _stop_words() | ignore
    found = [w for w in _TOKEN.findall(text) if w not in stop and len(w) > 1 and not w.isdigit()]
    return [(_stem(w), w) for w in found]


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    """A word's stem, its synonyms' subject standing for it. Cached: the Snowball stemmer is
    pure Python, and questions share most of their words."""
    stem = _fold(_stemmer().stemWord(word))
    return _synonyms().get(stem, stem)


def ignored_words(*names: str) -> frozenset[str]:
    """The words of a filière's names (both spellings: with and without accents), to ignore."""
    found = {w for name in names for w in _TOKEN.findall(_APOSTROPHE.sub(" ", name.lower()))}
    return frozenset(found | {_fold(w) for w in found})


def group_questions(
    current: Sequence[str],
    previous: Sequence[str] = (),
    *,
    threshold: float = DEFAULT_THRESHOLD,
    direct_limit: int = DIRECT_LIMIT,
    ignore: frozenset[str] = frozenset(),
) -> list[Theme]:
    """The themes of the ``current`` period's questions (largest first), each counting its
    questions in ``previous`` too. Every current question is in exactly one theme."""
    texts = [*current, *previous]
    if not current:
        return []
    analysed = [words(t, ignore) for t in texts]
    bags = [" ".join(sorted({s for s, _ in found})) for found in analysed]
    # Near-duplicates first: one point per distinct bag of stems (the empty bag included).
    point_of: dict[str, int] = {}
    points = [point_of.setdefault(bag, len(point_of)) for bag in bags]
    distinct = list(point_of)
    vectorizer = TfidfVectorizer(
        analyzer=str.split, sublinear_tf=True, lowercase=False, token_pattern=None
    )
    nonempty = [i for i, bag in enumerate(distinct) if bag]
    labels = np.full(len(distinct), -1, dtype=np.int64)
    matrix: csr_matrix | None = None
    if nonempty:
        # Weighted by how often each bag occurs, so a frequent wording weighs what it should.
        occurrences = Counter(points)
        corpus = [distinct[i] for i in nonempty]
        vectorizer.fit([corpus[k] for k, i in enumerate(nonempty) for _ in range(occurrences[i])])
        matrix = normalize(vectorizer.transform(corpus))
        labels[nonempty] = _cluster(matrix, threshold, direct_limit)
    # Questions with no meaningful word at all form one theme of their own.
    empty_label = int(labels.max()) + 1
    labels[labels < 0] = empty_label
    by_label: dict[int, list[int]] = defaultdict(list)
    for index, point in enumerate(points):
        by_label[int(labels[point])].append(index)
    themes = [
        _theme(
            members,
            len(current),
            texts,
            points,
            matrix,
            {p: k for k, p in enumerate(nonempty)},
            vectorizer if matrix is not None else None,
            analysed,
        )
        for members in by_label.values()
        if any(i < len(current) for i in members)
    ]
    return sorted(themes, key=lambda t: (-t.count, -t.previous_count, t.key))


def _cluster(matrix: csr_matrix, threshold: float, direct_limit: int) -> np.ndarray:
    n = matrix.shape[0]
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    if n <= direct_limit:
        return _agglomerate(matrix, threshold)
    # Micro-groups (about three distinct wordings each, at most 1,000), then their centres.
    micro = MiniBatchKMeans(
        n_clusters=max(2, min(n // 3, 1_000)),
        random_state=0,
        n_init=1,
        batch_size=8_192,
        max_iter=10,
    ).fit_predict(matrix)
    used, inverse = np.unique(micro, return_inverse=True)
    # Each micro-group's centre: the sum of its rows (one sparse product), normalised.
    indicator = csr_matrix((np.ones(n), (inverse, np.arange(n))), shape=(len(used), n))
    centres = normalize(indicator @ matrix)
    # Centres sit closer to each other than their members do: a slightly stricter threshold.
    merged = _agglomerate(centres, threshold - 0.05)
    return np.asarray(merged[inverse], dtype=np.int64)


def _agglomerate(matrix: csr_matrix, threshold: float) -> np.ndarray:
    if matrix.shape[0] == 1:
        return np.zeros(1, dtype=np.int64)
    similarity = (matrix @ matrix.T).astype(np.float32).toarray()
    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    model = AgglomerativeClustering(
        n_clusters=None,
        metric="precomputed",
        linkage="average",
        distance_threshold=threshold,
    )
    return np.asarray(model.fit_predict(distance), dtype=np.int64)


def _theme(
    members: list[int],
    n_current: int,
    texts: Sequence[str],
    points: Sequence[int],
    matrix: csr_matrix | None,
    row_of: dict[int, int],
    vectorizer: TfidfVectorizer | None,
    analysed: Sequence[list[tuple[str, str]]],
) -> Theme:
    current = [i for i in members if i < n_current]
    rows = [row_of[points[i]] for i in current if points[i] in row_of]
    if matrix is None or vectorizer is None or not rows:
        order = sorted(current, key=lambda i: (len(texts[i]), i))
        return Theme("", "", texts[order[0]].strip(), tuple(order), len(current), 0)
    all_rows = [row_of[points[i]] for i in members if points[i] in row_of]
    centre = np.asarray(matrix[all_rows].mean(axis=0)).ravel()
    vocabulary = vectorizer.get_feature_names_out()
    heaviest = [int(k) for k in np.argsort(-centre, kind="stable") if centre[k] > 0]
    stems = [str(vocabulary[k]) for k in heaviest]
    written = _written_forms([analysed[i] for i in members])
    scores = np.asarray(matrix @ centre).ravel()
    closeness = {
        i: float(scores[row_of[points[i]]]) if points[i] in row_of else -1.0 for i in current
    }
    order = sorted(current, key=lambda i: (-round(closeness[i], 9), len(texts[i]), i))
    return Theme(
        key="+".join(sorted(stems[:KEY_WORDS])),
        label=", ".join(written.get(s, s) for s in stems[:LABEL_WORDS]),
        representative=texts[order[0]].strip(),
        members=tuple(order),
        count=len(current),
        previous_count=len(members) - len(current),
    )


def _written_forms(analysed: Iterable[list[tuple[str, str]]]) -> dict[str, str]:
    """Each stem's most frequent written form among the analysed questions."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for found in analysed:
        for stem, word in found:
            seen[stem][word] += 1
    return {stem: forms.most_common(1)[0][0] for stem, forms in seen.items()}


def themes_by_filiere(
    questions: Iterable[Question], period: date, *, threshold: float = DEFAULT_THRESHOLD
) -> dict[str, tuple[list[str], list[Theme]]]:
    """For each filière with questions in ``period`` (a month), its questions of that month and
    their themes (the month before counted for the trend)."""
    period = month_of(period)
    before = previous_month(period)
    current: dict[str, list[str]] = defaultdict(list)
    earlier: dict[str, list[str]] = defaultdict(list)
    for q in questions:
        month = month_of(q.month)
        if month == period:
            current[q.filiere].append(q.text)
        elif month == before:
            earlier[q.filiere].append(q.text)
    return {
        filiere: (texts, group_questions(texts, earlier.get(filiere, ()), threshold=threshold))
        for filiere, texts in sorted(current.items())
    }
