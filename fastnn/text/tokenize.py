"""Tokenizing: documents → lists of tokens, as CountVectorizer's analyzer makes them."""

from __future__ import annotations

import itertools

import numpy as np

from fastnn.text import _analysis, _corpus

__all__ = ["tokenize"]


def tokenize(
    docs, *, token_pattern=_corpus.DEFAULT_TOKEN_PATTERN, lowercase=True, strip_accents=None
):
    """Return the tokens of a document (a list of str), or of each document (a list of lists).

    For every setting the tokens equal those of
    ``CountVectorizer(token_pattern=..., lowercase=..., strip_accents=...).build_analyzer()``.

    Parameters
    ----------
    docs : str, or iterable of str or bytes
        One document, or a corpus (list, tuple, 1-D array, pandas Series,
        generator); bytes are decoded as UTF-8.
    token_pattern : str, default r"(?u)\\b\\w\\w+\\b"
        What a token is: by default a run of two or more word characters
        (Unicode letters, digits, ``_``), so **one-character words ("a", "I",
        "1") are dropped**, as in scikit-learn; ``r"\\w+"`` keeps them. The
        default and ``r"\\w+"`` run in a compiled kernel, other patterns
        through Python's :mod:`re` (the slow path). A pattern with one group
        gives the group.
    lowercase : bool, default True
        Lower-case before tokenizing.
    strip_accents : {None, "ascii", "unicode"}, default None
        Remove accents after lower-casing (see :class:`BagOfWords`).

    Returns
    -------
    list of str, or list of lists of str

    Raises
    ------
    TypeError
        A document that is not a str or bytes (the message gives its position).
    ValueError
        An empty corpus, a NaN document, a bad ``token_pattern`` or ``strip_accents``.

    Notes
    -----
    The lecture's first step, string :math:`s` → array of words
    :math:`w = (w_1, \\dots, w_m)`: preprocess (lower-case, strip accents),
    then take the matches of ``token_pattern`` in reading order.

    Examples
    --------
    >>> from fastnn.text import tokenize
    >>> tokenize("The chicken was GOOD, honestly!")
    ['the', 'chicken', 'was', 'good', 'honestly']
    >>> tokenize(["Café au lait", "a 1 is dropped"], strip_accents="unicode")
    [['cafe', 'au', 'lait'], ['is', 'dropped']]
    """
    single = isinstance(docs, str)
    corpus = _corpus.documents([docs] if single else docs, "docs")
    analyzer = _analysis.analyzer(token_pattern, lowercase, strip_accents, None, None, None, (1, 1))
    tokens = _corpus.tokens(
        corpus, analyzer.token_pattern, analyzer.lowercase, analyzer.strip_accents
    )
    words = np.array(tokens.terms, dtype=object)[tokens.ids].tolist() if tokens.terms else []
    bounds = tokens.starts.tolist()
    out = [words[a:b] for a, b in itertools.pairwise(bounds)]
    return out[0] if single else out
