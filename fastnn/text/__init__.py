"""Text features: tokenizing, bag of words (sparse counts) and feature hashing.

The lecture's pipeline: preprocess a string into words, drop stop words,
stem or lemmatize, and encode as a bag of words whose dimension is the
vocabulary. Every result equals scikit-learn's ``CountVectorizer`` /
``HashingVectorizer`` for the same parameters; the hot loops (tokenizing,
counting, hashing) are Numba kernels over one UTF-8 buffer.
"""

from fastnn.text.bag import BagOfWords
from fastnn.text.hashing import HashingBagOfWords
from fastnn.text.tfidf import TfIdf
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
