"""Tests of fastnn.text.words against scikit-learn's list, PyStemmer and simplemma per token."""

import pickle
import threading

import pytest
import simplemma
import Stemmer
from hypothesis import given
from hypothesis import strategies as st
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as SKLEARN_STOP_WORDS

from fastnn.text import reference, words
from fastnn.text.words import ENGLISH_STOP_WORDS, lemmatize, remove_stop_words, stem

# Inflected English words (plural, past, gerund, comparative, irregular), mixed
# case and Unicode, so stemmers and lemmatizers have work and distinct
# spellings of one stem appear together.
_WORDS_TEXT = (
    "chicken wings were amazing honestly waaaay too long wait worth salty expensive "
    "running runs ran connected connection connecting generously generous better best "
    "mice geese children went gone studies studying studied happily happiness "
    "Amazing WINGS Were café naïve résumé über straße 2024 x9 a i an the "
    "caresses ponies ties caress cats feed agreed plastered motoring sing conflated"
)
WORDS = _WORDS_TEXT.split()

token_lists = st.lists(st.sampled_from(WORDS) | st.text(min_size=0, max_size=12), max_size=30)
corpora = st.lists(token_lists, max_size=8)


def simplemma_lemma(token, language="en"):
    # simplemma refuses "", which fastnn maps to itself.
    return simplemma.lemmatize(token, language) if token else ""


def pystemmer(token, language="english"):
    return Stemmer.Stemmer(language).stemWord(token)


def test_stop_words_are_sklearns_list():
    assert ENGLISH_STOP_WORDS == SKLEARN_STOP_WORDS
    assert isinstance(ENGLISH_STOP_WORDS, frozenset)
    assert len(ENGLISH_STOP_WORDS) == 318
    assert all(w == w.lower() and w.isascii() for w in ENGLISH_STOP_WORDS)


def test_stop_words_file_is_sorted_one_per_line():
    from importlib import resources

    text = resources.files("fastnn.text").joinpath("data").joinpath("english_stop_words.txt")
    lines = text.read_text("utf-8").splitlines()
    assert lines == sorted(SKLEARN_STOP_WORDS)


@given(tokens=token_lists)
def test_remove_stop_words_english(tokens):
    assert remove_stop_words(tokens) == [t for t in tokens if t not in SKLEARN_STOP_WORDS]


@given(docs=corpora, stop=st.sets(st.sampled_from(WORDS) | st.text(max_size=3), max_size=10))
def test_remove_stop_words_custom_and_nested(docs, stop):
    expected = [[t for t in doc if t not in stop] for doc in docs]
    for collection in (stop, frozenset(stop), list(stop), tuple(stop), dict.fromkeys(stop)):
        assert remove_stop_words(docs, stop_words=collection) == expected
    assert remove_stop_words(docs, stop_words=iter(stop)) == expected  # a generator, used once


def test_remove_stop_words_keeps_documents_and_case():
    docs = [["the", "an"], [], ["The", "food"], ("too", "salty")]
    assert remove_stop_words(docs) == [[], [], ["The", "food"], ["salty"]]
    assert remove_stop_words([]) == []
    assert remove_stop_words([[]]) == [[]]
    assert remove_stop_words(["food"], stop_words=set()) == ["food"]


def test_remove_stop_words_does_not_change_its_input():
    docs = [["the", "food"], ["was", "good"]]
    copy = pickle.loads(pickle.dumps(docs))
    remove_stop_words(docs)
    assert docs == copy


@given(tokens=token_lists, language=st.sampled_from(["english", "porter", "french", "german"]))
def test_stem_equals_pystemmer_per_token(tokens, language):
    assert stem(tokens, language=language) == [pystemmer(t, language) for t in tokens]


@given(docs=corpora)
def test_stem_corpus_equals_pystemmer_per_token(docs):
    assert stem(docs) == [[pystemmer(t) for t in doc] for doc in docs]


@pytest.mark.parametrize("language", Stemmer.algorithms())
def test_stem_every_snowball_language(language):
    assert stem(WORDS, language=language) == [pystemmer(t, language) for t in WORDS]


@given(tokens=token_lists, language=st.sampled_from(["en", "de", "fr", "es"]))
def test_lemmatize_equals_simplemma_per_token(tokens, language):
    assert lemmatize(tokens, language=language) == [simplemma_lemma(t, language) for t in tokens]


@given(docs=corpora)
def test_lemmatize_corpus_equals_simplemma_per_token(docs):
    assert lemmatize(docs) == [[simplemma_lemma(t) for t in doc] for doc in docs]


def test_lemmatize_and_stem_examples():
    assert lemmatize(["wings", "were", "mice", "went"]) == ["wing", "be", "mouse", "go"]
    assert stem(["connected", "connection", "connecting"]) == ["connect"] * 3


@pytest.mark.parametrize("function", [stem, lemmatize])
def test_empty_inputs(function):
    assert function([]) == []
    assert function([[]]) == [[]]
    assert function([[], []]) == [[], []]
    assert function(([], ["wings"])) == [[], [function(["wings"])[0]]]
    assert function([""]) == [""]


@pytest.mark.parametrize("function", [stem, lemmatize])
def test_returns_new_lists_and_leaves_input(function):
    docs = [["wings", "wings"], ["were"]]
    out = function(docs)
    assert docs == [["wings", "wings"], ["were"]]
    out[0][0] = "changed"
    assert out[0][1] != "changed"  # no aliasing between documents' lists


@pytest.mark.parametrize("function", [remove_stop_words, stem, lemmatize])
@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        ("the wings were good", "tokenize it first"),
        (None, "got NoneType"),
        ({"a", "b"}, "got set"),
        (iter(["a"]), "list of str"),
        (["a", 3], r"tokens\[1\] is int 3"),
        (["a", None], r"tokens\[1\] is NoneType None"),
        (["a", b"b"], r"tokens\[1\] is bytes"),
        ([["a"], ["b", ["c"]]], r"tokens\[1\]\[1\] is list"),
        ([["a"], ["b", 2.5]], r"tokens\[1\]\[1\] is float 2.5"),
        ([["a"], "b"], r"tokens\[1\] is a str"),
        ([["a"], None], r"tokens\[1\] is a NoneType"),
        (["a", ["b"]], r"tokens\[1\] is list"),
    ],
)
def test_bad_tokens(function, tokens, message):
    with pytest.raises(TypeError, match=message):
        function(tokens)


@pytest.mark.parametrize(
    ("stop_words", "error", "message"),
    [
        ("french", ValueError, "'english' \\(the only built-in list\\)"),
        ("", ValueError, "got ''"),
        (None, TypeError, "got NoneType"),
        (3, TypeError, "got int"),
        (b"english", TypeError, "got bytes"),
        (["the", 1], TypeError, "got int 1"),
    ],
)
def test_bad_stop_words(stop_words, error, message):
    with pytest.raises(error, match=message):
        remove_stop_words(["the"], stop_words=stop_words)


@pytest.mark.parametrize(
    ("function", "language", "error", "listed"),
    [
        (stem, "klingon", ValueError, "english, esperanto"),
        (stem, "en", ValueError, "porter"),
        (stem, None, TypeError, "NoneType"),
        (lemmatize, "english", ValueError, "en, enm"),
        (lemmatize, "xx", ValueError, "de"),
        (lemmatize, ("en", "de"), TypeError, "tuple"),
    ],
)
def test_unknown_language(function, language, error, listed):
    with pytest.raises(error, match=listed) as info:
        function(["wings"], language=language)
    if error is ValueError:
        assert repr(language) in str(info.value)


def test_one_stemmer_per_language_and_thread():
    stem(["wings"], language="english")
    stem(["wings"], language="english")
    first = words._stemmer("english")
    assert words._stemmer("english") is first
    assert words._stemmer("french") is not first
    seen = []
    thread = threading.Thread(target=lambda: seen.append(words._stemmer("english")))
    thread.start()
    thread.join()
    assert seen[0] is not first


def test_stem_under_threads():
    docs = [WORDS * 20] * 4
    expected = stem(docs)
    results = [None] * 4

    def work(i):
        results[i] = stem(docs)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4


@given(docs=corpora, flat=st.booleans(), stop=st.sampled_from(["english", {"wings", "the"}]))
def test_equal_to_the_twins(docs, flat, stop):
    tokens = [t for doc in docs for t in doc] if flat else docs
    assert stem(tokens) == reference.stem(tokens)
    assert stem(tokens, language="porter") == reference.stem(tokens, language="porter")
    assert lemmatize(tokens) == reference.lemmatize(tokens)
    assert lemmatize(tokens, language="de") == reference.lemmatize(tokens, language="de")
    assert remove_stop_words(tokens, stop) == reference.remove_stop_words(tokens, stop)


@pytest.mark.parametrize(
    "function", [reference.stem, reference.lemmatize, reference.remove_stop_words]
)
def test_twins_refuse_what_fastnn_refuses(function):
    with pytest.raises(TypeError, match=r"tokens\[1\] is int 3"):
        function(["a", 3])
    with pytest.raises(TypeError, match="tokenize it first"):
        function("a sentence")
