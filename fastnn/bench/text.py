"""Benchmark workloads of :mod:`fastnn.text` (registered in :mod:`fastnn.bench.workloads`)."""

import numpy as np

_LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz"))


def _words(rng, n_words):
    # Distinct lower-case words of 2-10 letters, the vocabulary a Zipf law draws from.
    words, seen = [], set()
    while len(words) < n_words:
        lengths = rng.integers(2, 11, size=2 * n_words)
        letters = _LETTERS[rng.integers(0, 26, size=int(lengths.sum()))]
        for word in np.split(letters, np.cumsum(lengths)[:-1]):
            word = "".join(word)
            if word not in seen:
                seen.add(word)
                words.append(word)
                if len(words) == n_words:
                    break
    return words


def zipf_corpus(rng, quick):
    """Return ``{"docs": [...]}``: documents of ~50 Zipf-distributed words (s = 1.1).

    Full: 100,000 documents over a 50,000-word vocabulary (5 M tokens);
    quick: 2,000 documents over 5,000 words. Some words are capitalised and
    followed by punctuation, so lower-casing and the token pattern do work.
    """
    n_docs, n_words = (2_000, 5_000) if quick else (100_000, 50_000)
    words = np.array(_words(rng, n_words), dtype=object)
    capitalised = np.array([w.capitalize() for w in words], dtype=object)
    ranks = np.arange(1, n_words + 1, dtype=np.float64)
    p = ranks**-1.1
    p /= p.sum()
    lengths = rng.integers(30, 71, size=n_docs)
    ids = rng.choice(n_words, size=int(lengths.sum()), p=p)
    upper = rng.random(ids.size) < 0.1
    tokens = np.where(upper, capitalised[ids], words[ids])
    punct = rng.random(ids.size) < 0.08
    tokens[punct] = tokens[punct] + ","
    bounds = np.cumsum(lengths)[:-1]
    docs = [" ".join(doc) + "." for doc in np.split(tokens, bounds)]
    return {"docs": docs}


WORKLOADS = []
