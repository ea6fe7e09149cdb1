"""fastnn.text.HashingBagOfWords against HashingVectorizer and the Python twin."""

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32

from fastnn.text import HashingBagOfWords, reference
from fastnn.text.hashing import hashed_columns

from ._corpora import CORPUS, assert_same_csr, documents

PARAMS = [
    {},
    {"n_features": 1},
    {"n_features": 7, "norm": None},
    {"n_features": 2**10, "alternate_sign": False},
    {"n_features": 16, "norm": "l1"},
    {"n_features": 16, "binary": True},
    {"n_features": 16, "binary": True, "norm": None},
    {"n_features": 2**31 - 1, "norm": None},
    {"ngram_range": (1, 3)},
    {"dtype": np.float32, "n_features": 64},
    {"stop_words": "english", "n_features": 32, "norm": "l1"},
    {"lowercase": False, "strip_accents": "unicode"},
    {"token_pattern": r"\S+", "ngram_range": (2, 2), "n_features": 8},
]


@pytest.mark.parametrize("params", PARAMS, ids=str)
def test_equals_hashing_vectorizer(params):
    expected = HashingVectorizer(**params).transform(CORPUS)
    assert_same_csr(HashingBagOfWords(**params).transform(CORPUS), expected, str(params))
    assert_same_csr(reference.HashingBagOfWords(**params).transform(CORPUS), expected, str(params))


@settings(max_examples=40, deadline=None)
@given(docs=documents, n_features=st.sampled_from([1, 3, 2**20]), sign=st.booleans())
def test_generated_corpora(docs, n_features, sign):
    params = {"n_features": n_features, "alternate_sign": sign}
    expected = HashingVectorizer(**params).transform(docs)
    assert_same_csr(HashingBagOfWords(**params).transform(docs), expected, str((docs, params)))


@settings(max_examples=60, deadline=None)
@given(words=st.lists(st.binary(max_size=40), min_size=1, max_size=20))
def test_murmurhash_equals_sklearn(words):
    expected = [murmurhash3_32(word, 0) for word in words]
    assert [reference.murmurhash3_32(word) for word in words] == expected
    # The kernel hashes each term's UTF-8 bytes: check it on decodable ones.
    terms = [word.decode("latin-1") for word in words]
    column, sign = hashed_columns(terms, 2**31 - 1, True)
    hashes = [murmurhash3_32(term.encode("utf-8"), 0) for term in terms]
    np.testing.assert_array_equal(column, [abs(h) % (2**31 - 1) for h in hashes])
    np.testing.assert_array_equal(sign, [1 if h >= 0 else -1 for h in hashes])


def test_chunks_equal_one_call():
    hasher = HashingBagOfWords(n_features=2**12)
    whole = hasher.transform(CORPUS)
    import scipy.sparse as sp

    parts = sp.vstack([hasher.transform(CORPUS[i : i + 4]) for i in range(0, len(CORPUS), 4)])
    assert_same_csr(parts.tocsr(), whole)


def test_stateless_clone_and_pickle():
    hasher = HashingBagOfWords(n_features=99, norm="l1")
    assert hasher.fit(CORPUS) is hasher and hasher.partial_fit(CORPUS) is hasher
    assert vars(hasher) == clone(hasher).__dict__
    again = pickle.loads(pickle.dumps(hasher))
    assert_same_csr(again.transform(CORPUS), hasher.fit_transform(CORPUS))


def test_cancelled_entries_stay_as_zeros():
    # With one column every term collides; signs may cancel to a stored 0.
    docs = ["aa bb", "aa bb cc dd ee"]
    ours = HashingBagOfWords(n_features=1, norm=None).transform(docs)
    theirs = HashingVectorizer(n_features=1, norm=None).transform(docs)
    assert_same_csr(ours, theirs)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"n_features": 0}, ValueError, "n_features"),
        ({"n_features": 2**31}, ValueError, "n_features"),
        ({"n_features": 2.0}, TypeError, "n_features"),
        ({"norm": "max"}, ValueError, "norm must be"),
        ({"dtype": np.int64}, TypeError, "float32 or float64"),
        ({"alternate_sign": "no"}, TypeError, "alternate_sign"),
        ({"ngram_range": (3, 2)}, ValueError, "min_n <= max_n"),
    ],
)
def test_bad_parameters(params, error, match):
    with pytest.raises(error, match=match):
        HashingBagOfWords(**params).transform(["some text"])


@pytest.mark.parametrize(
    ("docs", "error", "match"),
    [
        ("one string", TypeError, "single str"),
        (["ok", None], TypeError, r"\[1\] is None"),
        ([], ValueError, "empty corpus"),
    ],
)
def test_bad_documents(docs, error, match):
    with pytest.raises(error, match=match):
        HashingBagOfWords().transform(docs)
