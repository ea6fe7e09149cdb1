"""Words: stop-word removal, stemming and lemmatization of tokenized documents.

Each function takes what :func:`fastnn.text.tokenize` gives: a list of tokens
(one document) or a list of lists of tokens (a corpus), and gives back the
same shape. Stemming and lemmatization run once per *distinct* word and map
the results back: a corpus of millions of tokens has tens of thousands of
distinct words, and PyStemmer over 5 M tokens took 3.4 s here, against 0.5 s
for its 50 k distinct words plus a dictionary look-up, with the same output.
"""

import threading
from importlib import resources

import simplemma
import Stemmer
from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES

__all__ = ["ENGLISH_STOP_WORDS", "lemmatize", "remove_stop_words", "stem"]


def _read_word_list(filename):
    text = resources.files("fastnn.text").joinpath("data").joinpath(filename).read_text("utf-8")
    return frozenset(text.split())


#: scikit-learn's 318 English stop words (from the Glasgow Information
#: Retrieval Group's list), read from ``fastnn/text/data/english_stop_words.txt``
#: when :mod:`fastnn.text` is first used; source and licence in the README beside it.
ENGLISH_STOP_WORDS = _read_word_list("english_stop_words.txt")

STEMMER_LANGUAGES = tuple(sorted(Stemmer.algorithms()))
LEMMATIZER_LANGUAGES = tuple(sorted(SUPPORTED_LANGUAGES))

# Snowball stemmers keep state while they stem, so they are not thread-safe
# (snowballstem/snowball#162): one per language per thread.
_local = threading.local()


def _check_tokens(tokens, name="tokens"):
    """Return ``(docs, nested)``: the documents as a list of sequences of tokens.

    Only the kind of each document is checked here (one pass over the corpus,
    not over its tokens); the tokens themselves are checked once per distinct
    word by :func:`_distinct`.
    """
    if isinstance(tokens, str):
        raise TypeError(
            f"{name} must be a list of str (one document's tokens) or a list of lists of str, "
            f"got a str: tokenize it first, e.g. fastnn.text.tokenize({name})"
        )
    if not isinstance(tokens, list | tuple):
        raise TypeError(
            f"{name} must be a list of str or a list of lists of str, got {type(tokens).__name__}"
        )
    if not tokens or isinstance(tokens[0], str):
        return [tokens], False
    for i, doc in enumerate(tokens):
        if not isinstance(doc, list | tuple):
            raise TypeError(
                f"{name} must be a list of str or a list of lists of str; {name}[0] is a "
                f"{type(tokens[0]).__name__} but {name}[{i}] is a {type(doc).__name__}"
            )
    return tokens, True


def _where(docs, nested, name, bad):
    """Name the first token for which ``bad(token)`` holds, as ``tokens[i]`` or ``tokens[i][j]``."""
    for i, doc in enumerate(docs):
        for j, token in enumerate(doc):
            if bad(token):
                where = f"{name}[{i}][{j}]" if nested else f"{name}[{j}]"
                return f"{where} is {type(token).__name__} {token!r}"
    return "a token is not a str"  # unreachable when bad() matched a key of docs


def _distinct(docs, nested, name):
    """Return the distinct tokens of ``docs`` in order of first appearance, checked to be str."""
    try:
        distinct = dict.fromkeys(token for doc in docs for token in doc)
    except TypeError:  # an unhashable token: a list inside a list of tokens
        raise TypeError(
            f"{name} must hold str tokens; "
            + _where(docs, nested, name, lambda t: getattr(t, "__hash__", None) is None)
        ) from None
    words = list(distinct)
    if not all(isinstance(word, str) for word in words):
        raise TypeError(
            f"{name} must hold str tokens; "
            + _where(docs, nested, name, lambda t: not isinstance(t, str))
        )
    return words


def _map_words(tokens, words_to):
    """Apply ``words_to`` (distinct words → their forms, a list) once per distinct word."""
    docs, nested = _check_tokens(tokens)
    words = _distinct(docs, nested, "tokens")
    form = dict(zip(words, words_to(words), strict=True))
    out = [list(map(form.__getitem__, doc)) for doc in docs]
    return out if nested else out[0]


def _check_stop_words(stop_words):
    """Return ``stop_words`` as a frozenset of str."""
    if isinstance(stop_words, str):
        if stop_words != "english":
            raise ValueError(
                f"stop_words must be 'english' (the only built-in list) or a collection of str, "
                f"got {stop_words!r}"
            )
        return ENGLISH_STOP_WORDS
    if stop_words is None or isinstance(stop_words, bytes) or not hasattr(stop_words, "__iter__"):
        raise TypeError(
            f"stop_words must be 'english' or a collection of str (set, list, tuple), "
            f"got {type(stop_words).__name__}"
        )
    words = frozenset(stop_words)
    for word in words:
        if not isinstance(word, str):
            raise TypeError(
                f"stop_words must hold str, got {type(word).__name__} {word!r} among them"
            )
    return words


def remove_stop_words(tokens, stop_words="english"):
    """Return the tokens that are not stop words, in their order.

    Parameters
    ----------
    tokens : list of str, or list of lists of str
        One document's tokens, or a corpus of them (as :func:`tokenize` gives).
    stop_words : "english" or collection of str, default "english"
        ``"english"`` is :data:`ENGLISH_STOP_WORDS` (scikit-learn's list, all
        lower-case); any set, list or tuple of str is a custom list. Matching
        is exact, so tokens should be lower-cased the way the list is.

    Returns
    -------
    list of str, or list of lists of str
        The same shape as ``tokens``: one list per document, every document
        kept (a document of stop words only becomes ``[]``).

    Raises
    ------
    TypeError
        ``tokens`` is a bare ``str`` or holds something other than str (the
        message names its position); ``stop_words`` is not a collection of str.
    ValueError
        ``stop_words`` is a string other than ``"english"``.

    Notes
    -----
    In a bag of words (:class:`BagOfWords`) stop words are removed after
    stemming or lemmatization and before n-grams are built, as scikit-learn
    does, so a bigram spans a removed stop word.

    Examples
    --------
    >>> from fastnn.text import remove_stop_words
    >>> remove_stop_words(["chicken", "wings", "were", "amazing", "honestly"])
    ['chicken', 'wings', 'amazing', 'honestly']
    >>> remove_stop_words([["too", "salty"], ["not", "worth", "it"]], stop_words={"it"})
    [['too', 'salty'], ['not', 'worth']]
    """
    stop = _check_stop_words(stop_words)
    docs, nested = _check_tokens(tokens)
    _distinct(docs, nested, "tokens")
    out = [[token for token in doc if token not in stop] for doc in docs]
    return out if nested else out[0]


def _check_language(language, languages, tool):
    if not isinstance(language, str):
        raise TypeError(f"language must be a str, one of {tool}'s, got {type(language).__name__}")
    if language not in languages:
        raise ValueError(f"language {language!r} is not one of {tool}'s: {', '.join(languages)}")
    return language


def _stemmer(language):
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if language not in stemmers:
        # maxCacheSize=0: every word reaching the stemmer is distinct, so
        # PyStemmer's own cache would only cost time (3x on 50 k words here).
        stemmers[language] = Stemmer.Stemmer(language, 0)
    return stemmers[language]


def stem(tokens, *, language="english"):
    """Return the Snowball stem of every token (PyStemmer), in the shape of ``tokens``.

    Parameters
    ----------
    tokens : list of str, or list of lists of str
        One document's tokens, or a corpus of them.
    language : str, default "english"
        A Snowball algorithm: ``Stemmer.algorithms()``, e.g. ``"english"``
        (Porter2), ``"porter"`` (the original Porter), ``"french"``, ``"german"``.

    Returns
    -------
    list of str, or list of lists of str
        ``stem_i = Stemmer.Stemmer(language).stemWord(token_i)`` for every token.

    Raises
    ------
    TypeError
        ``tokens`` is a bare ``str`` or holds a non-str (named by position).
    ValueError
        ``language`` is not a Snowball algorithm (the message lists them).

    Notes
    -----
    A stemmer strips suffixes by rules ("connected", "connection" →
    "connect"); its stems need not be words ("amazing" → "amaz"). Each
    distinct word is stemmed once and the stems are mapped back, so a corpus
    costs one stemmer call per vocabulary word, not per token. One stemmer
    per language and thread is kept (Snowball stemmers are not thread-safe).

    Examples
    --------
    >>> from fastnn.text import stem
    >>> stem(["chicken", "wings", "were", "amazing"])
    ['chicken', 'wing', 'were', 'amaz']
    >>> stem([["waiting"], ["waited", "wings"]])
    [['wait'], ['wait', 'wing']]
    """
    stemmer = _stemmer(_check_language(language, STEMMER_LANGUAGES, "Snowball (PyStemmer)"))
    return _map_words(tokens, stemmer.stemWords)


def lemmatize(tokens, *, language="en"):
    """Return the dictionary form (lemma) of every token (simplemma), in the shape of ``tokens``.

    Parameters
    ----------
    tokens : list of str, or list of lists of str
        One document's tokens, or a corpus of them.
    language : str, default "en"
        An ISO 639 code simplemma has a dictionary for, e.g. ``"en"``,
        ``"de"``, ``"fr"``. The dictionaries ship in simplemma's wheel:
        nothing is downloaded.

    Returns
    -------
    list of str, or list of lists of str
        ``simplemma.lemmatize(token_i, language)`` for every token.

    Raises
    ------
    TypeError
        ``tokens`` is a bare ``str`` or holds a non-str (named by position).
    ValueError
        ``language`` is not one of simplemma's (the message lists them).

    Notes
    -----
    A lemmatizer looks words up ("were" → "be", "wings" → "wing") where a
    stemmer cuts suffixes; words it does not know come back as they are
    (lower-cased where simplemma does so), and an empty token stays ``""``
    (simplemma raises on it). Each distinct word is looked up once and the
    lemmas are mapped back.

    Examples
    --------
    >>> from fastnn.text import lemmatize
    >>> lemmatize(["chicken", "wings", "were", "amazing"])
    ['chicken', 'wing', 'be', 'amazing']
    """
    language = _check_language(language, LEMMATIZER_LANGUAGES, "simplemma")
    return _map_words(tokens, lambda words: [_lemma(w, language) for w in words])


def _lemma(word, language):
    # simplemma refuses "" (a ValueError); the lemma of an empty token is itself.
    return simplemma.lemmatize(word, language) if word else word
