"""fastnn.text.BagOfWords against CountVectorizer, the Python twin, and the estimator contract."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import simplemma
import Stemmer
from hypothesis import given, settings
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

import fastnn
from fastnn.linear import Perceptron
from fastnn.text import BagOfWords, _corpus, reference
from fastnn.text.bag import csr_counts

from ._corpora import CORPUS, assert_same_csr, documents

# Documents whose terms tie on total counts, so max_features has ties to break.
TIES = ["aa bb cc dd", "aa bb ee ff", "cc dd ee ff gg", "hh", "aa gg hh bb"]
PARAMS = [
    {},
    {"ngram_range": (1, 2)},
    {"ngram_range": (2, 3)},
    {"min_df": 2},
    {"min_df": 0.2, "max_df": 0.6},
    {"max_df": 2},
    {"max_features": 4},
    {"max_features": 1, "ngram_range": (1, 2)},
    {"binary": True},
    {"binary": True, "max_features": 3},
    {"dtype": np.float32},
    {"dtype": np.int32, "max_features": 5},
    {"stop_words": "english"},
    {"stop_words": "english", "ngram_range": (1, 2)},
    {"stop_words": ["the", "wait", "chicken"]},
    {"lowercase": False},
    {"strip_accents": "unicode"},
    {"strip_accents": "ascii", "lowercase": False},
    {"token_pattern": r"\w+"},
    {"token_pattern": r"[^\s,.]+", "ngram_range": (1, 3)},
    {"token_pattern": r"(?a)\b\w\w+\b"},
    {"token_pattern": r"[a-z]+ ?[a-z]?", "ngram_range": (1, 2)},  # tokens with spaces
]


def fitted(params, docs):
    ours, twin, theirs = (
        BagOfWords(**params),
        reference.BagOfWords(**params),
        CountVectorizer(**params),
    )
    return (
        (ours, ours.fit_transform(docs)),
        (twin, twin.fit_transform(docs)),
        (theirs, theirs.fit_transform(docs)),
    )


@pytest.mark.parametrize("docs", [CORPUS, TIES], ids=["corpus", "ties"])
@pytest.mark.parametrize("params", PARAMS, ids=str)
def test_equals_count_vectorizer(params, docs):
    (ours, X), (twin, Y), (theirs, Z) = fitted(params, docs)
    assert ours.vocabulary_ == theirs.vocabulary_ == twin.vocabulary_, params
    assert_same_csr(X, Z, str(params))
    assert_same_csr(Y, Z, str(params))
    new = ["the chicken WAIT unknownword", "", "aa hh zz gg"]
    assert_same_csr(ours.transform(new), theirs.transform(new), str(params))
    assert_same_csr(twin.transform(new), theirs.transform(new), str(params))
    np.testing.assert_array_equal(ours.get_feature_names_out(), theirs.get_feature_names_out())
    assert ours.get_feature_names_out().dtype == object
    for a, b in zip(ours.inverse_transform(Z), theirs.inverse_transform(Z), strict=True):
        np.testing.assert_array_equal(a, b)


@settings(max_examples=40, deadline=None)
@given(docs=documents)
def test_generated_corpora(docs):
    for params in [{}, {"ngram_range": (1, 2), "token_pattern": r"\w+"}, {"min_df": 0.3}]:
        theirs = CountVectorizer(**params)
        try:
            expected = theirs.fit_transform(docs)
        except ValueError:  # no tokens at all
            with pytest.raises(ValueError, match=r"empty vocabulary|leave no term"):
                BagOfWords(**params).fit_transform(docs)
            continue
        ours = BagOfWords(**params)
        assert_same_csr(ours.fit_transform(docs), expected, str((docs, params)))
        assert ours.vocabulary_ == theirs.vocabulary_


def test_min_df_zero_is_a_count():
    # scikit-learn refuses min_df=0; as a count it keeps every term, as 1 does.
    assert_same_csr(BagOfWords(min_df=0).fit_transform(CORPUS), BagOfWords().fit_transform(CORPUS))


def test_max_features_ties_many_terms():
    # Many terms with equal counts: the tie at the cut falls as in sklearn.
    rng = np.random.default_rng(0)
    words = [f"w{i:03d}" for i in range(300)]
    docs = [" ".join(rng.choice(words, 20, replace=False)) for _ in range(40)]
    for max_features in (1, 17, 100, 299):
        ours, theirs = (
            BagOfWords(max_features=max_features),
            CountVectorizer(max_features=max_features),
        )
        assert_same_csr(ours.fit_transform(docs), theirs.fit_transform(docs))
        assert ours.vocabulary_ == theirs.vocabulary_


@pytest.mark.parametrize(
    "vocabulary",
    [
        ["wait", "chicken", "zzz", "the"],
        {"wait": 1, "chicken": 0, "zzz": 2},
        {"the", "good", "café"},
    ],
    ids=["list", "dict", "set"],
)
def test_fixed_vocabulary(vocabulary):
    params = {"vocabulary": vocabulary, "min_df": 3, "max_features": 1}  # pruning unused
    ours, theirs = BagOfWords(**params), CountVectorizer(**params)
    assert_same_csr(ours.fit_transform(CORPUS), theirs.fit_transform(CORPUS))
    assert ours.vocabulary_ == theirs.vocabulary_
    assert ours.fixed_vocabulary_
    assert_same_csr(ours.transform(["wait wait nothing"]), theirs.transform(["wait wait nothing"]))
    assert_same_csr(
        reference.BagOfWords(**params).fit_transform(CORPUS), theirs.fit_transform(CORPUS)
    )


def test_fixed_vocabulary_in_upper_case_warns():
    with pytest.warns(UserWarning, match="upper-case"):
        X = BagOfWords(vocabulary=["Wait", "the"]).fit_transform(CORPUS)
    assert X[:, 0].nnz == 0


def stem_analyzer(language="english"):
    stemmer = Stemmer.Stemmer(language)
    analyze = CountVectorizer().build_analyzer()
    return lambda doc: [stemmer.stemWord(token) for token in analyze(doc)]


def test_stemmer_equals_count_vectorizer_with_a_stemming_analyzer():
    docs = [*CORPUS, "running runs ran runner", "Generously generous generations generate"]
    ours, theirs = BagOfWords(stemmer="english"), CountVectorizer(analyzer=stem_analyzer())
    assert_same_csr(ours.fit_transform(docs), theirs.fit_transform(docs))
    assert ours.vocabulary_ == theirs.vocabulary_
    twin = reference.BagOfWords(stemmer="english")
    assert_same_csr(twin.fit_transform(docs), theirs.fit_transform(docs))


def test_lemmatizer_equals_count_vectorizer_with_a_lemmatizing_analyzer():
    docs = [*CORPUS, "the mice were running", "better geese went"]
    analyze = CountVectorizer().build_analyzer()
    theirs = CountVectorizer(
        analyzer=lambda doc: [simplemma.lemmatize(t, lang="en") for t in analyze(doc)]
    )
    ours = BagOfWords(lemmatizer="en")
    assert_same_csr(ours.fit_transform(docs), theirs.fit_transform(docs))
    assert ours.vocabulary_ == theirs.vocabulary_


def test_stop_words_go_through_the_stemmer_and_the_tokenizer():
    docs = ["having had have has", "Don't stop, don"]
    ours = BagOfWords(stemmer="english", stop_words=["Having", "don't"])
    ours.fit(docs)
    # "Having" → "have" removes "having" and "have"; "don't" → "don" removes "Don" and "don".
    assert sorted(ours.vocabulary_) == ["had", "has", "stop"]
    twin = reference.BagOfWords(stemmer="english", stop_words=["Having", "don't"]).fit(docs)
    assert twin.vocabulary_ == ours.vocabulary_


def test_bigrams_skip_over_removed_stop_words():
    docs = ["chicken and the rice", "rice and chicken"]
    ours = BagOfWords(stop_words="english", ngram_range=(2, 2)).fit(docs)
    assert sorted(ours.vocabulary_) == ["chicken rice", "rice chicken"]


def test_corpus_containers_and_bytes_agree():
    docs = ["Good food", "long WAIT food", "b\u00e9b\u00e9 ok"]
    expected = BagOfWords().fit_transform(docs)
    for container in (tuple(docs), np.array(docs), pd.Series(docs, index=[7, 1, 3]), iter(docs)):
        assert_same_csr(BagOfWords().fit_transform(container), expected)
    latin = [doc.encode("latin-1") for doc in docs]
    assert_same_csr(BagOfWords(encoding="latin-1").fit_transform(latin), expected)
    with pytest.raises(UnicodeDecodeError):
        BagOfWords().fit_transform(latin)
    X = BagOfWords(decode_error="ignore").fit_transform(latin)
    theirs = CountVectorizer(decode_error="ignore").fit_transform(latin)
    assert_same_csr(X, theirs)


def test_one_document_and_grown_tables():
    rng = np.random.default_rng(2)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyzß"))
    words = ["".join(rng.choice(letters, rng.integers(2, 14))) for _ in range(20000)]
    docs = [" ".join([*words, "k" * 5000])]  # one document, more terms than a first table holds
    ours, theirs = BagOfWords(), CountVectorizer()
    assert_same_csr(ours.fit_transform(docs), theirs.fit_transform(docs))
    assert ours.vocabulary_ == theirs.vocabulary_


@pytest.mark.parametrize("unicode", [[], ["é", "ẞig", "数据"]], ids=["ascii", "unicode"])
def test_one_and_two_threads_are_bit_identical(monkeypatch, unicode):
    monkeypatch.setattr(_corpus, "PARALLEL_MIN_BYTES", 0)
    rng = np.random.default_rng(3)
    words = np.array([f"t{i}" for i in range(500)] + ["Tt7", "T_8", *unicode])
    docs = [" ".join(rng.choice(words, rng.integers(0, 30))) for _ in range(400)]
    results = []
    for n in (1, 2, 3):  # three chunks merge their tables twice
        monkeypatch.setattr(_corpus, "get_num_threads", lambda n=n: n)
        bow = BagOfWords(ngram_range=(1, 2))
        results.append(
            (
                bow.fit_transform(docs),
                bow.vocabulary_,
                _corpus.tokens(docs, _corpus.DEFAULT_TOKEN_PATTERN, True, None),
            )
        )
    X1, v1, t1 = results[0]
    for X2, v2, t2 in results[1:]:
        assert_same_csr(X1, X2)
        assert v1 == v2
        np.testing.assert_array_equal(t1.ids, t2.ids)
        np.testing.assert_array_equal(t1.starts, t2.starts)
        assert t1.terms == t2.terms
    assert_same_csr(X1, CountVectorizer(ngram_range=(1, 2)).fit_transform(docs))


@pytest.mark.parametrize("n_columns", [1, 63, 64, 4097, 300_000])
def test_counts_sort_rows_over_every_bitmap_level(monkeypatch, n_columns):
    # Columns past 2**12 and 2**18 cross the bitmap's second and third levels;
    # signs that cancel keep their entry (as a 0), dropped ids (-1) none.
    monkeypatch.setattr(_corpus, "PARALLEL_MIN_BYTES", 0)
    rng = np.random.default_rng(n_columns)
    n_ids = 700
    mapping = rng.integers(-1, n_columns, n_ids)
    mapping[:3] = [n_columns - 1, 0, -1]
    sign = rng.choice([-1, 1], n_ids)
    lengths = rng.integers(0, 40, 60)
    starts = np.concatenate([[0], np.cumsum(lengths)])
    ids = rng.integers(0, n_ids, starts[-1]).astype(np.int32)
    tokens = _corpus.Tokens(ids, starts, [])
    rows = np.repeat(np.arange(lengths.size), lengths)
    kept = mapping[ids] >= 0
    expected = sp.coo_matrix(
        (sign[ids][kept], (rows[kept], mapping[ids][kept])), shape=(lengths.size, n_columns)
    ).tocsr()  # sums duplicates, sorts each row, keeps cancelled zeros
    before = fastnn.get_num_threads()
    try:
        for n in (1, 2):
            fastnn.set_num_threads(n)
            indptr, indices, data = _corpus.counts(tokens, mapping, sign, n_columns)
            np.testing.assert_array_equal(indptr, expected.indptr)
            np.testing.assert_array_equal(indices, expected.indices)
            np.testing.assert_array_equal(data, expected.data)
    finally:
        fastnn.set_num_threads(before)


def test_index_dtype_passes_to_int64_past_int32():
    assert _corpus.index_dtype(0) == np.int32
    assert _corpus.index_dtype(2**31 - 1) == np.int32
    assert _corpus.index_dtype(2**31) == np.int64
    # The CSR is built with the planned dtype (here forced by a small stand-in).
    indptr, indices, data = np.array([0, 2]), np.array([0, 1], np.int32), np.array([3, 1])
    X = csr_counts(indptr, indices, data, 2, np.dtype(np.int64), False)
    assert X.indptr.dtype == X.indices.dtype == np.int32


def test_index_dtype_is_used_for_big_nnz(monkeypatch):
    monkeypatch.setattr(_corpus, "_INT32_MAX", 3)
    X = BagOfWords().fit_transform(["aa bb cc dd ee"])
    assert X.indptr.dtype == X.indices.dtype == np.int64
    assert X.toarray().tolist() == [[1, 1, 1, 1, 1]]


def test_clone_pickle_and_small_state():
    bow = BagOfWords(min_df=2, stop_words="english", ngram_range=(1, 2))
    assert clone(bow).get_params() == bow.get_params()
    rng = np.random.default_rng(4)
    words = [f"word{i}" for i in range(3000)]
    docs = [" ".join(rng.choice(words, 50)) for _ in range(500)]
    bow.fit(docs)
    assert not hasattr(bow, "stop_words_")
    assert set(vars(bow)) - set(bow.get_params()) == {"vocabulary_", "fixed_vocabulary_"}
    blob = pickle.dumps(bow)
    # Only the vocabulary: under 24 bytes per term beyond its text.
    text = sum(len(term) for term in bow.vocabulary_)
    assert len(blob) < text + 24 * len(bow.vocabulary_) + 2000, len(blob)
    again = pickle.loads(blob)
    assert_same_csr(again.transform(docs[:10]), bow.transform(docs[:10]))


def test_pipeline_with_the_perceptron_and_grid_search():
    good = ["good food", "great service, good", "lovely and good", "great food", "good value"]
    bad = ["bad food", "too long a wait", "awful and bad", "expensive, bad", "long wait, bad"]
    docs, y = good * 4 + bad * 4, [1] * 20 + [0] * 20
    model = make_pipeline(BagOfWords(), Perceptron(random_state=0)).fit(docs, y)
    assert model.score(docs, y) == 1.0
    search = GridSearchCV(
        make_pipeline(BagOfWords(), Perceptron(random_state=0)),
        {"bagofwords__min_df": [1, 2, 0.1]},
        cv=2,
    ).fit(docs, y)
    assert search.best_params_["bagofwords__min_df"] in (1, 2, 0.1)
    assert search.best_score_ == 1.0


def test_transform_before_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        BagOfWords().transform(["a b"])


@pytest.mark.parametrize(
    ("params", "docs", "error", "match"),
    [
        ({"max_df": 3.0}, CORPUS, ValueError, r"max_df.*pass 3 for a count"),
        ({"max_df": 1.5}, CORPUS, ValueError, r"max_df as a float .* \[0, 1\]"),
        ({"min_df": -1}, CORPUS, ValueError, "min_df must be a count >= 0"),
        ({"min_df": "2"}, CORPUS, TypeError, "min_df must be an int"),
        (
            {"min_df": 5, "max_df": 2},
            CORPUS,
            ValueError,
            r"max_df=2 resolves to 2 .* 5 that min_df=5",
        ),
        ({"min_df": 0.9, "max_df": 0.5}, TIES, ValueError, r"resolves to 2.5 .* the 4.5 that"),
        ({"min_df": 20}, CORPUS, ValueError, r"fewer than the 20 that min_df=20 resolves to"),
        (
            {"min_df": 20, "max_df": 30},
            CORPUS,
            ValueError,
            r"min_df=20 \(at least 20 documents\) and max_df=30 .*run from 1 to",
        ),
        ({"stop_words": "english"}, ["the and of", "a"], ValueError, "not stop words"),
        ({}, ["a b c", "!!"], ValueError, "empty vocabulary"),
        ({"ngram_range": (2, 1)}, CORPUS, ValueError, "min_n <= max_n"),
        ({"ngram_range": (0, 1)}, CORPUS, ValueError, "1 <= min_n"),
        ({"ngram_range": 2}, CORPUS, TypeError, "pair"),
        ({"ngram_range": (1.0, 2)}, CORPUS, TypeError, "two integers"),
        ({"stemmer": "english", "lemmatizer": "en"}, CORPUS, ValueError, "not both"),
        ({"stemmer": "klingon"}, CORPUS, ValueError, "klingon"),
        ({"stop_words": "french"}, CORPUS, ValueError, "stop_words"),
        ({"max_features": 0}, CORPUS, ValueError, "max_features"),
        ({"dtype": str}, CORPUS, TypeError, "dtype"),
        ({"binary": 1}, CORPUS, TypeError, "binary"),
        ({"vocabulary": {"a": 0, "b": 2}}, CORPUS, ValueError, "columns must be 0, 1"),
        ({"vocabulary": ["a", "a"]}, CORPUS, ValueError, "twice"),
        ({"vocabulary": []}, CORPUS, ValueError, "at least one term"),
        ({}, "a whole string", TypeError, "single str"),
        ({}, ["ok", None], TypeError, r"raw_documents\[1\] is None"),
        ({}, ["ok", np.nan], ValueError, r"raw_documents\[1\] is NaN"),
        ({}, [1.5], TypeError, r"raw_documents\[0\] must be a str"),
        ({}, [], ValueError, "empty corpus"),
        ({}, (d for d in []), ValueError, "empty corpus"),
    ],
)
def test_bad_inputs(params, docs, error, match):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error, match=match):
            BagOfWords(**params).fit_transform(docs)


def test_inputs_are_not_modified():
    docs = ["Café AND tea", "tea"]
    copy = list(docs)
    vocabulary = {"tea": 0, "café": 1}
    BagOfWords(vocabulary=vocabulary).fit_transform(docs)
    assert docs == copy and vocabulary == {"tea": 0, "café": 1}
