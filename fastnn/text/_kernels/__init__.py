"""Numba kernels of fastnn.text, one module per family. Plain arrays in; no validation.

Kernels never see ``str``: the corpus is one UTF-8 ``uint8`` buffer with
document offsets, and terms are integer ids.

- :mod:`.tokens`: word-character runs in a UTF-8 buffer, given term ids; the
  term tables of consecutive chunks merged.
- :mod:`.counting`: per-document counts in CSR (rows sorted by a bitmap), n-gram
  ids, column pruning.
- :mod:`.hashing`: MurmurHash3 32-bit of byte strings, CSR row normalisation.
- :mod:`.weighting`: count matrices to TF-IDF, normalised per row.
- :mod:`.table`: the open-addressing hash table helpers they share.
"""

from fastnn.text._kernels.counting import (
    count_rows,
    joined_grams,
    kept_columns,
    mapped_tokens,
    ngram_ids,
    row_sizes,
)
from fastnn.text._kernels.hashing import murmur3_32, normalize_rows
from fastnn.text._kernels.tokens import merged_ids, scan_terms
from fastnn.text._kernels.weighting import document_frequency, tfidf_rows

__all__ = [
    "count_rows",
    "document_frequency",
    "joined_grams",
    "kept_columns",
    "mapped_tokens",
    "merged_ids",
    "murmur3_32",
    "ngram_ids",
    "normalize_rows",
    "row_sizes",
    "scan_terms",
    "tfidf_rows",
]
