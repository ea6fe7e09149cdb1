"""Corpora and sparse-matrix checks shared by the fastnn.text tests."""

import numpy as np
from hypothesis import strategies as st

# Unicode letters and digits of several scripts, accents both composed and
# decomposed (NFKD), final sigma, dotted capital I (lower-cases to 2 chars),
# Kelvin sign (lower-cases to ASCII), fullwidth and superscript digits,
# underscores, punctuation, empty and whitespace-only documents, NUL.
CORPUS = [
    "The chicken was good, honestly!",
    "Too long to WAIT... the wait, the WAIT",
    "Chicken and expensive; chicken & rice_bowl",
    "",
    "   \t\n ",
    "Café crème brûlée, CAFÉ, cafe\u0301",
    "ΟΔΥΣΣΕΥΣ σοφός ΣΟΦΟΣ Σ",
    "İstanbul İSTANBUL ıi \u212aelvin",
    "数据 科学 データ 과학 ２０２４ x² ½ ١٢٣",
    "a I 1 ab 12 x_y __ a_ _b",
    "don't won't it's o'clock e-mail",
    "nul\x00inside the\x00document",
    "x" * 300 + " " + "é" * 100,
    "repeat repeat repeat repeat",
    "emoji 🙂 and 𝐛𝐨𝐥𝐝 math",
]

_ALPHABET = st.sampled_from(
    [
        *"abcxyzABCXYZ019_ \t\n.,;'!-",
        *"éÉßİıΣσς数жЖ٣²🙂\u00a0",
        "\u0301",  # a combining acute accent, so decomposed (NFKD) text occurs
    ]
)

_WORDS = st.text(_ALPHABET, max_size=40)
_LONG_WORD = st.text(st.just("w"), min_size=50, max_size=200)
documents = st.lists(_WORDS | st.just("") | _LONG_WORD, min_size=1, max_size=6)


def assert_same_csr(actual, expected, context=""):
    """Assert CSR ``actual`` (sorted indices) holds ``expected``'s arrays, ``expected`` sorted.

    CountVectorizer leaves its rows unsorted after it renumbers the columns
    into term order (``has_sorted_indices`` False), so its copy is sorted first.
    """
    expected = expected.copy()
    expected.sort_indices()
    assert actual.format == "csr", context
    assert actual.shape == expected.shape, (actual.shape, expected.shape, context)
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype, context)
    assert actual.has_sorted_indices, context
    np.testing.assert_array_equal(actual.indptr, expected.indptr, err_msg=context)
    np.testing.assert_array_equal(actual.indices, expected.indices, err_msg=context)
    np.testing.assert_array_equal(actual.data, expected.data, err_msg=context)
    assert actual.indices.dtype == expected.indices.dtype, context
    assert actual.indptr.dtype == expected.indptr.dtype, context
