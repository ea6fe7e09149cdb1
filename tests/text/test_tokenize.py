"""fastnn.text.tokenize against CountVectorizer's analyzer and the re.findall twin."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from sklearn.feature_extraction.text import CountVectorizer

from fastnn.text import _corpus, reference, tokenize

from ._corpora import CORPUS, documents

PATTERNS = [
    r"(?u)\b\w\w+\b",  # the default: the kernel
    r"\w+",  # the kernel, one-character tokens kept
    r"(?u)\b\w+\b",
    r"[a-z]+",  # Python's re from here on
    r"(\w)\w",  # one group: findall gives the group
    r"\S+",
    r"(?a)\b\w\w+\b",  # ASCII \w: not the kernel's table
]


def sklearn_tokens(docs, **params):
    analyze = CountVectorizer(**params).build_analyzer()
    return [analyze(doc) for doc in docs]


@pytest.mark.parametrize("token_pattern", PATTERNS)
@pytest.mark.parametrize("lowercase", [True, False])
@pytest.mark.parametrize("strip_accents", [None, "ascii", "unicode"])
def test_equals_sklearn_analyzer(token_pattern, lowercase, strip_accents):
    params = dict(token_pattern=token_pattern, lowercase=lowercase, strip_accents=strip_accents)
    expected = sklearn_tokens(CORPUS, **params)
    assert tokenize(CORPUS, **params) == expected, params
    assert reference.tokenize(CORPUS, **params) == expected, params


@settings(max_examples=60, deadline=None)
@given(docs=documents)
def test_generated_corpora(docs):
    for params in [{}, {"token_pattern": r"\w+", "lowercase": False}, {"strip_accents": "unicode"}]:
        assert tokenize(docs, **params) == sklearn_tokens(docs, **params), (docs, params)


def test_one_document_gives_one_list():
    assert tokenize("The chicken was GOOD") == ["the", "chicken", "was", "good"]
    assert tokenize("") == []
    assert tokenize(["a b"]) == [[]]


def test_one_character_tokens_dropped_by_default_kept_by_w_plus():
    assert tokenize("a I 1 ab") == ["ab"]
    assert tokenize("a I 1 ab", token_pattern=r"\w+") == ["a", "i", "1", "ab"]


def test_corpus_containers_agree():
    docs = ["Good food", "long WAIT", "b\u00e9b\u00e9 ok"]
    expected = sklearn_tokens(docs)
    assert tokenize(docs) == expected
    assert tokenize(tuple(docs)) == expected
    assert tokenize(np.array(docs)) == expected
    assert tokenize(np.array(docs, dtype=object)) == expected
    assert tokenize(pd.Series(docs, index=[5, 3, 9])) == expected
    assert tokenize(doc for doc in docs) == expected
    assert tokenize([doc.encode() for doc in docs]) == expected


def test_big_corpus_grows_the_tables():
    # More distinct terms than the kernel's first table and arena hold.
    rng = np.random.default_rng(0)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyzé"))
    words = ["".join(rng.choice(letters, rng.integers(2, 12))) for _ in range(6000)]
    docs = [" ".join(rng.choice(words, 40)) for _ in range(300)] + ["q" * 40000]
    assert tokenize(docs) == sklearn_tokens(docs)


def test_nul_in_a_document_keeps_document_bounds():
    docs = ["ab\x00cd", "\x00", "ef gh\x00"]
    assert tokenize(docs) == sklearn_tokens(docs) == [["ab", "cd"], [], ["ef", "gh"]]


def test_lowercasing_the_joined_corpus_equals_per_document():
    # Final sigma depends on the neighbours: documents must not see each other.
    docs = ["ΣΑΣ", "Σ", "ΑΣ Σ", "ΣΑ"]
    assert tokenize(docs, token_pattern=r"\w+") == sklearn_tokens(docs, token_pattern=r"\w+")


def test_word_table_matches_python_re():
    table = _corpus.unicode_word_table()
    rng = np.random.default_rng(1)
    for cp in np.concatenate([np.arange(0, 0x3000), rng.integers(0x3000, 0x110000, 5000)]):
        char = chr(int(cp))
        assert bool(table[cp]) == (char.isalnum() or char == "_"), hex(cp)


@pytest.mark.parametrize(
    ("docs", "error", "match"),
    [
        ("just one string", None, None),
        (b"bytes", TypeError, "single bytes"),
        (["ok", None], TypeError, r"docs\[1\] is None"),
        (["ok", "ok", float("nan")], ValueError, r"docs\[2\] is NaN"),
        (["ok", 3], TypeError, r"docs\[1\] must be a str or bytes, got int"),
        ([], ValueError, "empty corpus"),
        (np.array([["a", "b"]]), ValueError, "1-D"),
        (5, TypeError, "iterable of documents"),
    ],
)
def test_bad_documents(docs, error, match):
    if error is None:
        assert tokenize(docs) == ["just", "one", "string"]
        return
    with pytest.raises(error, match=match):
        tokenize(docs)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"token_pattern": "(a)(b)"}, ValueError, "at most one group"),
        ({"token_pattern": "("}, ValueError, "not a regular expression"),
        ({"token_pattern": 5}, TypeError, "token_pattern must be a str"),
        ({"strip_accents": "latin"}, ValueError, "strip_accents"),
        ({"lowercase": "yes"}, TypeError, "lowercase"),
    ],
)
def test_bad_parameters(params, error, match):
    with pytest.raises(error, match=match):
        tokenize(["some text"], **params)
