"""Text features: tokenizing, bag of words (sparse counts) and feature hashing.

The lecture's pipeline: preprocess a string into words, drop stop words,
stem or lemmatize, and encode as a bag of words whose dimension is the
vocabulary. Every result equals scikit-learn's ``CountVectorizer`` /
``HashingVectorizer`` for the same parameters; the hot loops (tokenizing,
counting, hashing) are Numba kernels over one UTF-8 buffer.
"""

from fastnn.text.tokenize import tokenize
from fastnn.text.words import ENGLISH_STOP_WORDS, lemmatize, remove_stop_words, stem

__all__ = [
    "ENGLISH_STOP_WORDS",
    "BagOfWords",
    "HashingBagOfWords",
    "TfIdf",
    "lemmatize",
    "remove_stop_words",
    "stem",
    "tokenize",
]

_TRANSFORMERS = {"BagOfWords": "bag", "HashingBagOfWords": "hashing", "TfIdf": "tfidf"}


def __getattr__(name):
    # The transformers import scikit-learn (~1.2 s), which tokenize, stem,
    # lemmatize and remove_stop_words never need: they load when first asked
    # for, as fastnn.temporal's do.
    if name in _TRANSFORMERS:
        import importlib

        return getattr(importlib.import_module(f"fastnn.text.{_TRANSFORMERS[name]}"), name)
    raise AttributeError(f"module 'fastnn.text' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
