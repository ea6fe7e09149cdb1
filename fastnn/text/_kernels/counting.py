"""Counting kernels: token ids → per-document counts in CSR, n-grams, column pruning.

Every kernel takes a token sequence as ``token_ids`` and ``token_starts``
(document ``d`` owns ``token_ids[token_starts[d]:token_starts[d + 1]]``) and a
``mapping`` from token id to output column (``-1`` drops the token; several
ids may share a column, as stems or hash buckets do).
"""

import numpy as np
from numba.cpython.unsafe.numbers import trailing_zeros

from fastnn._jit import jit
from fastnn.text._kernels.table import EMPTY, grown, rehashed


@jit
def row_sizes(token_ids, token_starts, mapping, n_columns):
    """Return ``indptr`` (int64, from 0): how many distinct columns each document's tokens hit."""
    n_docs = token_starts.size - 1
    last_doc = np.full(n_columns, -1, np.int64)
    indptr = np.empty(n_docs + 1, np.int64)
    nnz = 0
    for d in range(n_docs):
        indptr[d] = nnz
        for k in range(token_starts[d], token_starts[d + 1]):
            column = mapping[token_ids[k]]
            if column >= 0 and last_doc[column] != d:
                last_doc[column] = d
                nnz += 1
    indptr[n_docs] = nnz
    return indptr


@jit
def count_rows(token_ids, token_starts, mapping, sign, n_columns, indices, data):
    """Write each document's CSR row (columns increasing) into ``indices`` and ``data``.

    ``data[k]`` is the sum of ``sign[t]`` over the document's tokens ``t``
    mapped to column ``indices[k]``; an entry whose signs cancel stays, as 0,
    the way scikit-learn's summed duplicates do. The rows follow each other
    from ``indices[0]``, as long as :func:`row_sizes` says.

    No sort: a row's columns are marked in a three-level bitmap (a bit per
    column, per 64 columns, per 4096), and read back in increasing order by
    trailing-zero counts, skipping empty words. On the ``bow`` corpus (rows
    of ~37 columns out of 50,000) this counts 1.8x as fast as gathering each
    row and sorting it by insertion.
    """
    n_docs = token_starts.size - 1
    count = np.zeros(n_columns, np.int64)
    bits = np.zeros((n_columns + 63) >> 6, np.uint64)
    words = np.zeros((bits.size + 63) >> 6, np.uint64)
    blocks = np.zeros((words.size + 63) >> 6, np.uint64)
    one = np.uint64(1)
    k = 0
    for d in range(n_docs):
        for i in range(token_starts[d], token_starts[d + 1]):
            t = token_ids[i]
            column = mapping[t]
            if column < 0:
                continue
            count[column] += sign[t]
            bits[column >> 6] |= one << np.uint64(column & 63)
            words[column >> 12] |= one << np.uint64((column >> 6) & 63)
            blocks[column >> 18] |= one << np.uint64((column >> 12) & 63)
        for b in range(blocks.size):
            x = blocks[b]
            blocks[b] = 0
            while x != 0:
                s = (b << 6) + np.int64(trailing_zeros(x))
                x &= x - one
                y = words[s]
                words[s] = 0
                while y != 0:
                    w = (s << 6) + np.int64(trailing_zeros(y))
                    y &= y - one
                    z = bits[w]
                    bits[w] = 0
                    while z != 0:
                        column = (w << 6) + np.int64(trailing_zeros(z))
                        z &= z - one
                        indices[k] = column
                        data[k] = count[column]
                        count[column] = 0
                        k += 1


@jit
def mapped_tokens(token_ids, token_starts, mapping):
    """Return ``(ids, starts)``: the sequence with each token mapped and dropped ones removed."""
    n_docs = token_starts.size - 1
    ids = np.empty(token_ids.size, np.int32)
    starts = np.empty(n_docs + 1, np.int64)
    n = 0
    for d in range(n_docs):
        starts[d] = n
        for k in range(token_starts[d], token_starts[d + 1]):
            column = mapping[token_ids[k]]
            if column >= 0:
                ids[n] = column
                n += 1
    starts[n_docs] = n
    return ids[:n].copy(), starts


@jit
def ngram_ids(token_ids, token_starts, min_n, max_n):
    """Return ``(ids, starts, gram_start, gram_n)``: the n-grams of each document, given ids.

    For each document, the ``min_n``- to ``max_n``-grams of its tokens in
    scikit-learn's order (by n, then by position). N-gram ``g`` is the run
    ``token_ids[gram_start[g]:gram_start[g] + gram_n[g]]`` at its first occurrence.
    """
    n_docs = token_starts.size - 1
    total = 0
    for d in range(n_docs):
        length = token_starts[d + 1] - token_starts[d]
        for n in range(min_n, max_n + 1):
            total += max(length - n + 1, 0)
    ids = np.empty(total, np.int32)
    starts = np.empty(n_docs + 1, np.int64)
    n_slots = 1 << 12
    slots = np.full(n_slots, EMPTY, np.int32)
    gram_start = np.empty(1 << 10, np.int64)
    gram_n = np.empty(1 << 10, np.int64)
    gram_hash = np.empty(1 << 10, np.uint64)
    n_grams = 0
    k = 0
    for d in range(n_docs):
        starts[d] = k
        first = token_starts[d]
        last = token_starts[d + 1]
        for n in range(min_n, max_n + 1):
            for i in range(first, last - n + 1):
                h = np.uint64(n) * np.uint64(0x9E3779B97F4A7C15)
                for j in range(i, i + n):
                    h = (h ^ np.uint64(token_ids[j])) * np.uint64(0x100000001B3)
                    h ^= h >> np.uint64(29)
                mask = n_slots - 1
                slot = np.int64(h & np.uint64(mask))
                while True:
                    g = slots[slot]
                    if g == EMPTY:
                        break
                    if gram_hash[g] == h and gram_n[g] == n:
                        same = True
                        for j in range(n):
                            if token_ids[gram_start[g] + j] != token_ids[i + j]:
                                same = False
                                break
                        if same:
                            break
                    slot = (slot + 1) & mask
                if g == EMPTY:
                    g = n_grams
                    if g == gram_start.size:
                        gram_start = grown(gram_start)
                        gram_n = grown(gram_n)
                        gram_hash = grown(gram_hash)
                    gram_start[g] = i
                    gram_n[g] = n
                    gram_hash[g] = h
                    slots[slot] = g
                    n_grams += 1
                    if 2 * n_grams > n_slots:
                        n_slots *= 2
                        slots = rehashed(gram_hash, n_grams, n_slots)
                ids[k] = g
                k += 1
    starts[n_docs] = k
    return ids, starts, gram_start[:n_grams].copy(), gram_n[:n_grams].copy()


@jit
def kept_columns(indptr, indices, data, new_column):
    """Return ``(indptr, indices, data)`` keeping the entries whose ``new_column`` is >= 0.

    ``new_column`` must be increasing over the kept columns, so rows stay sorted.
    """
    n_rows = indptr.size - 1
    out_indptr = np.empty(n_rows + 1, np.int64)
    out_indices = np.empty(indices.size, np.int32)
    out_data = np.empty(data.size, data.dtype)
    nnz = 0
    for r in range(n_rows):
        out_indptr[r] = nnz
        for k in range(indptr[r], indptr[r + 1]):
            column = new_column[indices[k]]
            if column >= 0:
                out_indices[nnz] = column
                out_data[nnz] = data[k]
                nnz += 1
    out_indptr[n_rows] = nnz
    return out_indptr, out_indices[:nnz].copy(), out_data[:nnz].copy()


@jit
def joined_grams(term_bytes, term_starts, token_ids, gram_start, gram_n):
    """Return ``(text, starts)``: each n-gram's terms joined by a space, as UTF-8 bytes.

    N-gram ``g`` is the terms ``token_ids[gram_start[g]:gram_start[g] + gram_n[g]]``,
    term ``t`` the bytes ``term_bytes[term_starts[t]:term_starts[t + 1]]``; its
    text is ``text[starts[g]:starts[g + 1]]``.
    """
    starts = np.zeros(gram_start.size + 1, np.int64)
    for g in range(gram_start.size):
        size = gram_n[g] - 1
        for j in range(gram_start[g], gram_start[g] + gram_n[g]):
            t = token_ids[j]
            size += term_starts[t + 1] - term_starts[t]
        starts[g + 1] = starts[g] + size
    text = np.empty(starts[-1], np.uint8)
    for g in range(gram_start.size):
        k = starts[g]
        for j in range(gram_start[g], gram_start[g] + gram_n[g]):
            if j > gram_start[g]:
                text[k] = 32  # a space
                k += 1
            t = token_ids[j]
            for b in range(term_starts[t], term_starts[t + 1]):
                text[k] = term_bytes[b]
                k += 1
    return text, starts
