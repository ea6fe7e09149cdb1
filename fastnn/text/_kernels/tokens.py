"""Tokenizing kernel: maximal runs of word characters in one UTF-8 buffer, given term ids.

The corpus arrives as one ``uint8`` buffer and ``doc_starts`` (``n_docs + 1``
byte offsets). A token is a maximal run of word characters of at least
``min_chars`` code points: exactly what ``re.findall(r"(?u)\\b\\w\\w+\\b")``
finds for ``min_chars=2``, since ``\\b\\w\\w+\\b`` matches a whole run or
nothing. Terms get ids in the order they are first seen, through an
open-addressing hash table (linear probing, load <= 1/2) whose slots pack
the upper half of a term's 64-bit hash with its id, over an arena
holding each distinct term's bytes once. A token is hashed a word (8 bytes)
at a time, not a byte at a time.
"""

import numpy as np

from fastnn._jit import jit

_SEED = np.uint64(0x243F6A8885A308D3)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_LOW = np.uint64(0xFFFFFFFF)
_HIGH = np.uint64(0xFFFFFFFF00000000)


@jit(inline=True)
def _code_point(buf, i):
    # Decode the UTF-8 sequence at buf[i] (valid, as Python encoded it): (code point, length).
    b = np.int64(buf[i])
    if b < 0xE0:
        return ((b & 0x1F) << 6) | (np.int64(buf[i + 1]) & 0x3F), 2
    if b < 0xF0:
        return (
            ((b & 0x0F) << 12)
            | ((np.int64(buf[i + 1]) & 0x3F) << 6)
            | (np.int64(buf[i + 2]) & 0x3F)
        ), 3
    return (
        ((b & 0x07) << 18)
        | ((np.int64(buf[i + 1]) & 0x3F) << 12)
        | ((np.int64(buf[i + 2]) & 0x3F) << 6)
        | (np.int64(buf[i + 3]) & 0x3F)
    ), 4


@jit(inline=True)
def _pushed(c, h, w, shift, head, n_words):
    # Append byte c to the token being read: it fills the word w from its low
    # byte up, and each full word is mixed into the hash h (the first one kept
    # as head, which compares the first 8 bytes of two terms at once).
    w |= np.uint64(c) << np.uint64(shift)
    shift += 8
    if shift == 64:
        if n_words == 0:
            head = w
        h = (h ^ w) * _GOLDEN
        h ^= h >> np.uint64(29)
        n_words += 1
        w = np.uint64(0)
        shift = 0
    return h, w, shift, head, n_words


@jit(inline=True)
def _finished(h, w, length):
    # The last, partial word and the length mixed in, then MurmurHash3's
    # 64-bit finalizer, so that the low bits (the slot) and the high bits
    # (the tag) both depend on every byte.
    h = (h ^ w ^ np.uint64(length)) * _GOLDEN
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


def scan_terms(buf, doc_starts, ascii_map, word, min_chars):
    """Return ``(token_ids, token_starts, term_bytes, term_starts)`` of a UTF-8 corpus.

    ``token_ids`` (int32) lists each document's tokens as term ids in reading
    order, document ``d`` owning ``token_ids[token_starts[d]:token_starts[d + 1]]``;
    term ``t`` is the byte string ``term_bytes[term_starts[t]:term_starts[t + 1]]``.
    ``ascii_map[b]`` is 0 for an ASCII byte that is no word character, else
    the byte a token holds for it (so it lower-cases an ASCII corpus, sparing
    Python's ``str.lower``); ``word[cp]`` is 1 for a word code point (a
    1-entry array for an ASCII corpus, which is never decoded).

    A Python driver around the kernel ``_scan``: the tables are allocated
    and grown (a few times a call) by NumPy, which costs nothing at run time
    and spares compiling the allocations and copies (~2 s at a first call).
    """
    n_docs = doc_starts.size - 1
    # Room for a token per 5 bytes (English averages about 6), grown when full.
    token_ids = np.empty(buf.size // 5 + 1024, np.int32)
    token_starts = np.empty(n_docs + 1, np.int64)
    slots = np.zeros(1 << 12, np.uint64)
    capacity = slots.size // 2
    term_starts = np.zeros(capacity + 1, np.int64)
    term_bytes = np.empty(1 << 14, np.uint8)
    term_hash = np.empty(capacity, np.uint64)
    term_head = np.empty(capacity, np.uint64)
    state = np.zeros(4, np.int64)  # document, byte, tokens, terms: where a scan stopped
    state[1] = doc_starts[0]
    while True:
        grow = _scan(
            buf, doc_starts, ascii_map, word, min_chars, token_ids, token_starts,
            slots, term_starts, term_bytes, term_hash, term_head, state,
        )  # fmt: skip
        if grow == 0:
            break
        # Go on from the token that found the table half full, the arena or the tokens full.
        if grow == 3:
            token_ids = _doubled(token_ids)
        elif grow == 1:
            term_hash = _doubled(term_hash)
            term_head = _doubled(term_head)
            term_starts = _doubled(term_starts)[: term_hash.size + 1]
            slots = _rehashed(term_hash, state[3], 2 * term_hash.size)
        else:
            term_bytes = _doubled(term_bytes)
    n_tokens, n_terms = state[2], state[3]
    token_starts[n_docs] = n_tokens
    # A view: the pages past n_tokens were never touched, so they cost no memory.
    return (
        token_ids[:n_tokens],
        token_starts,
        term_bytes[: term_starts[n_terms]].copy(),
        term_starts[: n_terms + 1].copy(),
    )


def _doubled(values):
    # `values` copied into an array twice as long (the rest uninitialised).
    out = np.empty(2 * values.size, values.dtype)
    out[: values.size] = values
    return out


@jit
def _rehashed(term_hash, n_terms, n_slots):
    slots = np.zeros(n_slots, np.uint64)
    mask = n_slots - 1
    for t in range(n_terms):
        slot = np.int64(term_hash[t] & np.uint64(mask))
        while slots[slot] != 0:
            slot = (slot + 1) & mask
        slots[slot] = (term_hash[t] & _HIGH) | np.uint64(t + 1)
    return slots


@jit
def _scan(
    buf, doc_starts, ascii_map, word, min_chars, token_ids, token_starts,
    slots, term_starts, term_bytes, term_hash, term_head, state,
):  # fmt: skip
    # The hot loop, apart from the growing: arrays reassigned inside a loop
    # cost Numba reference counting on every access (2.6x slower here). A
    # slot is 0 (empty) or hash's upper half | (term id + 1), so a probe reads
    # one word; a term's first 8 bytes (its head) and length settle most
    # comparisons. Returns 0 when done, 1 when the table must grow first, 2
    # when the arena must, 3 when the tokens must, with `state` at the token
    # that needs it.
    n_docs = doc_starts.size - 1
    mask = slots.size - 1
    capacity = term_hash.size  # term_starts has one more entry, slots twice as many
    d, i, n_tokens, n_terms = state[0], state[1], state[2], state[3]
    while d < n_docs:
        if i == doc_starts[d]:
            token_starts[d] = n_tokens
        stop = doc_starts[d + 1]
        while i < stop:
            b = buf[i]
            if b < 0x80:
                if ascii_map[b] == 0:
                    i += 1
                    continue
            else:
                cp, width = _code_point(buf, i)
                if word[cp] == 0:
                    i += width
                    continue
            start = i
            chars = 0
            h, w, shift, head, n_words = _SEED, np.uint64(0), 0, np.uint64(0), 0
            while i < stop:
                b = buf[i]
                if b < 0x80:
                    c = ascii_map[b]
                    if c == 0:
                        break
                    h, w, shift, head, n_words = _pushed(c, h, w, shift, head, n_words)
                    i += 1
                else:
                    cp, width = _code_point(buf, i)
                    if word[cp] == 0:
                        break
                    for k in range(i, i + width):
                        h, w, shift, head, n_words = _pushed(buf[k], h, w, shift, head, n_words)
                    i += width
                chars += 1
            if chars < min_chars:
                continue
            if n_tokens == token_ids.size:
                state[0], state[1], state[2], state[3] = d, start, n_tokens, n_terms
                return 3
            length = i - start
            if n_words == 0:
                head = w
            h = _finished(h, w, length)
            tag = h & _HIGH
            slot = np.int64(h & np.uint64(mask))
            t = -1
            while True:
                entry = slots[slot]
                if entry == 0:
                    break
                if entry & _HIGH == tag:
                    t = np.int64(entry & _LOW) - 1
                    a = term_starts[t]
                    if (
                        term_head[t] == head
                        and term_starts[t + 1] - a == length
                        and (
                            length <= 8
                            or _same_bytes(term_bytes, a + 8, buf, start + 8, length - 8, ascii_map)
                        )
                    ):
                        break
                    t = -1
                slot = (slot + 1) & mask
            if t < 0:
                t = n_terms
                end = term_starts[t] + length
                if t == capacity or end > term_bytes.size:
                    state[0], state[1], state[2], state[3] = d, start, n_tokens, n_terms
                    return 1 if t == capacity else 2
                a = term_starts[t]
                for k in range(length):
                    b = buf[start + k]
                    term_bytes[a + k] = ascii_map[b] if b < 0x80 else b
                term_starts[t + 1] = end
                term_hash[t] = h
                term_head[t] = head
                slots[slot] = tag | np.uint64(t + 1)
                n_terms += 1
            token_ids[n_tokens] = t
            n_tokens += 1
        d += 1
        if d < n_docs:
            i = doc_starts[d]
    state[0], state[1], state[2], state[3] = d, i, n_tokens, n_terms
    return 0


@jit(inline=True)
def _same_bytes(x, a, y, b, length, ascii_map):
    # x[a:a + length] == y[b:b + length], y's ASCII bytes mapped as tokens hold them.
    for k in range(length):
        c = y[b + k]
        if x[a + k] != (ascii_map[c] if c < 0x80 else c):
            return False
    return True


@jit
def merged_ids(term_bytes, term_starts, other_bytes, other_starts):
    """Return the ids (int32) of ``other``'s terms in the table ``term`` extended by them.

    Both are term tables as :func:`scan_terms` returns them, each holding
    distinct terms: one of ``other``'s terms that ``term`` holds gets its id
    there, a new one the next id from ``term``'s count on, in ``other``'s
    order. So the tables of consecutive chunks of a corpus merge into the
    ids one scan of the whole corpus gives (first seen, first numbered).
    """
    n = term_starts.size - 1
    hashes = _term_hashes(term_bytes, term_starts)
    other = _term_hashes(other_bytes, other_starts)
    n_slots = 16
    while n_slots < 2 * n:
        n_slots *= 2
    mask = np.uint64(n_slots - 1)
    slots = np.full(n_slots, -1, np.int64)
    for t in range(n):
        slot = np.int64(hashes[t] & mask)
        while slots[slot] >= 0:
            slot = (slot + 1) & (n_slots - 1)
        slots[slot] = t
    ids = np.empty(other.size, np.int32)
    new = n
    for u in range(other.size):
        a, length = other_starts[u], other_starts[u + 1] - other_starts[u]
        slot = np.int64(other[u] & mask)
        found = -1
        while slots[slot] >= 0:
            t = slots[slot]
            b = term_starts[t]
            if hashes[t] == other[u] and term_starts[t + 1] - b == length:
                k = 0
                while k < length and term_bytes[b + k] == other_bytes[a + k]:
                    k += 1
                if k == length:
                    found = t
                    break
            slot = (slot + 1) & (n_slots - 1)
        if found < 0:
            found = new
            new += 1
        ids[u] = found
    return ids


@jit
def _term_hashes(term_bytes, term_starts):
    hashes = np.empty(term_starts.size - 1, np.uint64)
    for t in range(hashes.size):
        h = _SEED
        for k in range(term_starts[t], term_starts[t + 1]):
            h = (h ^ np.uint64(term_bytes[k])) * _GOLDEN
        hashes[t] = h ^ (h >> np.uint64(31))
    return hashes
