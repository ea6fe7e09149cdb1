"""Planning for fastnn.text: the analyzer after tokenizing, on term ids.

The order is scikit-learn's, with the stemmer where an analyzer that stems
its tokens puts it: preprocess (lower-case, strip accents) → tokenize →
stem or lemmatize → remove stop words → n-grams. Stemming, lemmatizing and
the stop-word test run once per distinct term, never per token; n-grams are
built from ids in a kernel, and joined into strings once per distinct n-gram.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np

from fastnn.text import _corpus, _kernels


class Analyzer(NamedTuple):
    """The analyzer's parameters, checked (see :func:`analyzer`)."""

    token_pattern: str
    lowercase: bool
    strip_accents: str | None
    stop_words: frozenset | None
    stemmer: str | None
    lemmatizer: str | None
    ngram_range: tuple


class Terms(NamedTuple):
    """An analyzed corpus: token ``k`` of the tokens counts for term ``mapping[tokens.ids[k]]``.

    ``terms`` holds each distinct analyzed term once; ``mapping`` is -1 for a
    token that was dropped (a stop word).
    """

    tokens: _corpus.Tokens
    mapping: np.ndarray  # int64, one per token id
    terms: list


def check_ngram_range(ngram_range):
    """Return ``ngram_range`` as ints ``(min_n, max_n)``, 1 <= min_n <= max_n, or raise."""
    if not isinstance(ngram_range, tuple | list) or len(ngram_range) != 2:
        raise TypeError(f"ngram_range must be a pair (min_n, max_n), got {ngram_range!r}")
    low, high = ngram_range
    if any(isinstance(n, bool) or not isinstance(n, int | np.integer) for n in (low, high)):
        raise TypeError(f"ngram_range must hold two integers, got {ngram_range!r}")
    if not 1 <= low <= high:
        raise ValueError(
            f"ngram_range must have 1 <= min_n <= max_n, got min_n={low}, max_n={high}"
        )
    return int(low), int(high)


def analyzer(token_pattern, lowercase, strip_accents, stop_words, stemmer, lemmatizer, ngram_range):
    """Return the checked :class:`Analyzer`, the stop list normalised by the analyzer itself."""
    from fastnn._checks import check_bool

    _corpus.check_token_pattern(token_pattern)
    lowercase = check_bool(lowercase, "lowercase")
    if strip_accents is not None and strip_accents not in _corpus.ACCENT_STRIPPERS:
        raise ValueError(f"strip_accents must be None, 'ascii' or 'unicode', got {strip_accents!r}")
    if stemmer is not None and lemmatizer is not None:
        raise ValueError(
            f"pass stemmer or lemmatizer, not both (got stemmer={stemmer!r}, "
            f"lemmatizer={lemmatizer!r})"
        )
    for value, name in ((stemmer, "stemmer"), (lemmatizer, "lemmatizer")):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be None or a language name, got {type(value).__name__}")
    ngram_range = check_ngram_range(ngram_range)
    plain = Analyzer(token_pattern, lowercase, strip_accents, None, stemmer, lemmatizer, (1, 1))
    if stop_words is not None:
        from fastnn.text.words import _check_stop_words

        listed = sorted(_check_stop_words(stop_words))
        # The list goes through the documents' own analyzer, so "don't" and
        # "Having" are removed as the tokens "don" and "have" they become.
        stop_words = frozenset(analyzed(listed, plain).terms) if listed else frozenset()
    return plain._replace(stop_words=stop_words, ngram_range=ngram_range)


def _normal_forms(terms, analyzer):
    if analyzer.stemmer is not None:
        from fastnn.text.words import stem

        return stem(terms, language=analyzer.stemmer)
    if analyzer.lemmatizer is not None:
        from fastnn.text.words import lemmatize

        return lemmatize(terms, language=analyzer.lemmatizer)
    return terms


def analyzed(docs, analyzer):
    """Return the :class:`Terms` of ``docs`` (a list of str) under ``analyzer``."""
    tokens = _corpus.tokens(
        docs, analyzer.token_pattern, analyzer.lowercase, analyzer.strip_accents
    )
    raw = tokens.terms
    if analyzer.stemmer is None and analyzer.lemmatizer is None:
        mapping, terms = np.arange(len(raw)), raw  # the raw terms are distinct already
    else:
        forms = _normal_forms(raw, analyzer) if raw else raw
        index = {}
        mapping = np.fromiter(
            (index.setdefault(f, len(index)) for f in forms), np.int64, len(forms)
        )
        terms = list(index)
    if analyzer.stop_words:
        stopped = np.array([term in analyzer.stop_words for term in terms], bool)
        if stopped.any():
            renumber = np.cumsum(~stopped) - 1
            renumber[stopped] = -1
            mapping = renumber[mapping] if mapping.size else mapping
            terms = [term for term, stop in zip(terms, stopped, strict=True) if not stop]
    if analyzer.ngram_range == (1, 1):
        return Terms(tokens, mapping, terms)
    return _ngrams(tokens, mapping, terms, analyzer.ngram_range)


def _ngrams(tokens, mapping, terms, ngram_range):
    ids, starts = _kernels.mapped_tokens(tokens.ids, tokens.starts, mapping)
    gram_ids, gram_starts, gram_start, gram_n = _kernels.ngram_ids(ids, starts, *ngram_range)
    # Each distinct n-gram's text is joined in a kernel from its terms' UTF-8
    # bytes, and decoded once.
    encoded = [term.encode("utf-8", "surrogatepass") for term in terms]
    term_starts = np.zeros(len(encoded) + 1, np.int64)
    np.cumsum(np.fromiter(map(len, encoded), np.int64, len(encoded)), out=term_starts[1:])
    term_bytes = np.frombuffer(b"".join(encoded), np.uint8)
    text, text_starts = _kernels.joined_grams(term_bytes, term_starts, ids, gram_start, gram_n)
    data, bounds = text.tobytes(), text_starts.tolist()
    names = [data[a:b].decode("utf-8", "surrogatepass") for a, b in itertools.pairwise(bounds)]
    if not any(" " in term for term in terms):
        return Terms(_corpus.Tokens(gram_ids, gram_starts, names), np.arange(len(names)), names)
    # Two id runs can spell one string when tokens hold spaces (a custom
    # pattern's "a b" + "c" and "a" + "b c"): they share a column, as in sklearn.
    index = {}
    gram_mapping = np.fromiter(
        (index.setdefault(name, len(index)) for name in names), np.int64, len(names)
    )
    return Terms(_corpus.Tokens(gram_ids, gram_starts, names), gram_mapping, list(index))
