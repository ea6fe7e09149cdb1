"""Benchmark workloads of :mod:`fastnn.text` (gathered in :mod:`fastnn.bench.workloads`)."""

import numpy as np

from fastnn.bench.workload import Workload

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


# --- bow / bow_hashing / bow_stem: documents to sparse counts --------------------------------

_TOKEN_PATTERN = r"(?u)\b\w\w+\b"


def _counted(make_model, method="fit_transform"):
    # Each implementation gives a CSR matrix with sorted indices; its values are
    # what the runner compares (the tests hold the whole matrices equal).
    def setup(inputs):
        docs = inputs["docs"]
        return lambda: getattr(make_model(), method)(docs).data

    return setup


def _bag_of_words(twin=False, **params):
    def make():
        from fastnn.text import BagOfWords, reference

        return (reference.BagOfWords if twin else BagOfWords)(**params)

    return _counted(make)


def _count_vectorizer(inputs):
    from sklearn.feature_extraction.text import CountVectorizer

    docs = inputs["docs"]
    return lambda: CountVectorizer().fit_transform(docs)


def _bow_polars(inputs):
    import polars as pl

    frame = pl.DataFrame({"doc": inputs["docs"]}).with_row_index("document")
    term = pl.col("doc").str.to_lowercase().str.extract_all(r"\b\w\w+\b").alias("term")

    def run():
        # Lower-case, extract the tokens, one row per token, count by document and term.
        tokens = frame.select("document", term).explode("term").drop_nulls("term")
        return tokens.group_by("document", "term").len()

    return run


def _hashing(twin=False):
    def make():
        from fastnn.text import HashingBagOfWords, reference

        return reference.HashingBagOfWords() if twin else HashingBagOfWords()

    return _counted(make, "transform")


def _hashing_vectorizer(inputs):
    from sklearn.feature_extraction.text import HashingVectorizer

    docs = inputs["docs"]
    return lambda: HashingVectorizer().transform(docs)


def _count_vectorizer_pystemmer(inputs):
    import Stemmer
    from sklearn.feature_extraction.text import CountVectorizer

    stem_word = Stemmer.Stemmer("english").stemWord
    analyze = CountVectorizer().build_analyzer()
    docs = inputs["docs"]
    model = CountVectorizer(analyzer=lambda doc: [stem_word(t) for t in analyze(doc)])
    return lambda: model.fit_transform(docs)


WORKLOADS += [
    Workload(
        name="bow",
        description="BagOfWords().fit_transform: 100,000 documents of ~50 Zipf tokens over "
        "50,000 words (quick: 2,000 documents)",
        make_inputs=zipf_corpus,
        fastnn=_bag_of_words(),
        numpy=_bag_of_words(twin=True),
        peers={"sklearn": _count_vectorizer, "polars": _bow_polars},
        rtol=0.0,
    ),
    Workload(
        name="bow_hashing",
        description="HashingBagOfWords().transform (2**20 columns, l2 rows) of the bow corpus",
        make_inputs=zipf_corpus,
        fastnn=_hashing(),
        numpy=_hashing(twin=True),
        peers={"sklearn": _hashing_vectorizer},
        rtol=0.0,
    ),
    Workload(
        name="bow_stem",
        description='BagOfWords(stemmer="english").fit_transform of the bow corpus',
        make_inputs=zipf_corpus,
        fastnn=_bag_of_words(stemmer="english"),
        numpy=_bag_of_words(twin=True, stemmer="english"),
        peers={"sklearn+pystemmer": _count_vectorizer_pystemmer},
        rtol=0.0,
    ),
]


# --- tfidf / pla_bow: the bag of words' counts, reweighted, and the perceptron on them --------


def _bow_counts(rng, quick):
    """Return ``{"X": counts, "y": labels}``: the ``bow`` corpus counted once (CSR, sorted).

    The counts are CountVectorizer's with sorted indices, which is what
    ``BagOfWords`` gives (a test holds the two equal), made once here so no
    timing includes them. The labels follow a seeded linear rule on the
    counts, ``y = sign(X w)`` with Gaussian ``w``: the lecture's sentiment
    from the words of a review, made learnable.
    """
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import CountVectorizer

    X = sp.csr_matrix(CountVectorizer().fit_transform(zipf_corpus(rng, quick)["docs"]))
    X.sort_indices()
    w = rng.standard_normal(X.shape[1])
    return {"X": X, "y": np.where(X @ w > 0, 1, -1)}


def _tfidf(make_model):
    def setup(inputs):
        X = inputs["X"]
        return lambda: make_model().fit_transform(X).data  # both sort indices: the same layout

    return setup


def _tfidf_fastnn(inputs):
    from fastnn.text import TfIdf

    return _tfidf(TfIdf)(inputs)


def _tfidf_numpy(inputs):
    from fastnn.text import reference

    return _tfidf(reference.TfIdf)(inputs)


def _tfidf_sklearn(inputs):
    from sklearn.feature_extraction.text import TfidfTransformer

    return _tfidf(TfidfTransformer)(inputs)


def _pla_bow(make_model):
    def setup(inputs):
        import warnings

        model, X, y = make_model(), inputs["X"], inputs["y"]

        def run():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # no convergence in 10 epochs, by design
                model.fit(X, y)
            return np.concatenate([model.coef_.ravel(), model.intercept_])

        return run

    return setup


_PLA = {"max_iter": 10, "tol": None, "shuffle": False}


def _pla_bow_fastnn(inputs):
    from fastnn.linear import Perceptron

    return _pla_bow(lambda: Perceptron(**_PLA))(inputs)


def _pla_bow_numpy(inputs):
    from fastnn.linear import reference

    return _pla_bow(lambda: reference.Perceptron(**_PLA))(inputs)


def _pla_bow_sklearn(inputs):
    from sklearn.linear_model import Perceptron

    return _pla_bow(lambda: Perceptron(**_PLA))(inputs)


WORKLOADS += [
    Workload(
        name="tfidf",
        description="TfIdf().fit_transform of the bow counts (100,000 documents, 50,000 "
        "terms, sorted CSR; quick: 2,000 documents)",
        make_inputs=_bow_counts,
        fastnn=_tfidf_fastnn,
        numpy=_tfidf_numpy,
        peers={"sklearn": _tfidf_sklearn},
        rtol=0.0,  # the same operations in the same order: bit for bit
    ),
    Workload(
        name="pla_bow",
        description="10 epochs of the cyclic PLA on the bow counts (int64 CSR, Zipf columns; "
        "quick: 2,000 documents), labels from a seeded linear rule",
        make_inputs=_bow_counts,
        fastnn=_pla_bow_fastnn,
        numpy=_pla_bow_numpy,
        peers={"sklearn": _pla_bow_sklearn},
        rtol=0.0,  # the same decisions, so the same weights, bit for bit
    ),
]
