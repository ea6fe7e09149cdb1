"""The lecture's text pipeline end to end: restaurant reviews → bag of words → Perceptron.

``python examples/reviews.py`` prints the words whose weights push a review
most towards each sentiment, and writes them to ``reviews.txt`` beside you.

The lecture's three reviews open the list; a few dozen more were written for
this example. Each review becomes a vector of word counts (its dimension is
the vocabulary: the lecture's "high dimensions" problem), and the PLA learns
one weight per word: ``ŷ = sgn(w0 + Σ_r w_r x_r)``. Stop words are kept,
because the lecture's point is that "too" predicts a negative review, and
"too" is one of scikit-learn's English stop words, as are "not" and "never".
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from fastnn.linear import Perceptron
from fastnn.text import ENGLISH_STOP_WORDS, BagOfWords

# (review, +1 positive / -1 negative); the first three are the lecture's.
REVIEWS = [
    ("Chicken wings were amazing honestly", 1),
    ("Amazing wings, but waaaay too long to wait.", -1),
    ("Not worth it! Too salty chicken and expensive!", -1),
    ("The pasta was delicious and the staff were friendly.", 1),
    ("Great burgers, crispy fries, lovely service.", 1),
    ("Best ramen in town, rich broth and fresh noodles.", 1),
    ("Friendly waiter, cosy room, delicious dessert.", 1),
    ("Fresh fish, perfectly cooked. We will come back!", 1),
    ("Lovely brunch with great coffee and fresh bread.", 1),
    ("Amazing pizza, crispy crust, generous toppings.", 1),
    ("The curry was rich and flavourful, great value.", 1),
    ("Delicious tacos and a friendly, quick service.", 1),
    ("Honestly the best dumplings I have had, fresh and juicy.", 1),
    ("Great atmosphere, tasty food, fair prices.", 1),
    ("Wonderful steak, cooked exactly as asked.", 1),
    ("The soup was warm and tasty, staff lovely.", 1),
    ("Quick, friendly and delicious. Highly recommend.", 1),
    ("Amazing desserts and great coffee, we loved it.", 1),
    ("Perfect spot for lunch: fresh salads, quick service.", 1),
    ("Too expensive for such small portions.", -1),
    ("The soup was cold and the bread stale.", -1),
    ("Waited an hour for a burger. Never again.", -1),
    ("Rude waiter and the fries were soggy.", -1),
    ("Way too salty, and the rice was overcooked.", -1),
    ("Not fresh at all, the fish smelled bad.", -1),
    ("Overpriced and bland. Not worth the wait.", -1),
    ("The pizza was burnt and the service slow.", -1),
    ("Too loud, too crowded, too long a wait.", -1),
    ("Cold coffee, stale cake, rude staff.", -1),
    ("Bland curry and far too expensive.", -1),
    ("The steak was tough and the waiter rude.", -1),
    ("Slow service and a dirty table. Disappointing.", -1),
    ("Noodles were soggy and the broth too salty.", -1),
    ("Never again: we waited too long for cold food.", -1),
    ("Expensive, small and not tasty.", -1),
    ("The chicken was dry and overcooked, not worth it.", -1),
]

NEW_REVIEWS = ["Fresh wings and friendly staff.", "Too salty and not worth the price."]


def top_words(model, vocabulary, k=8):
    """The ``k`` words of largest weight towards each class, with their weights."""
    w = model.coef_[0]  # towards classes_[1] = +1, the positive reviews
    order = np.argsort(w, kind="stable")
    negative = [(vocabulary[r], w[r]) for r in order[:k]]
    positive = [(vocabulary[r], w[r]) for r in order[::-1][:k]]
    return positive, negative


def main(path="reviews.txt"):
    texts = [text for text, _ in REVIEWS]
    y = np.array([label for _, label in REVIEWS])
    bag = BagOfWords()  # lower-case, tokens of 2+ word characters, every word kept
    X = bag.fit_transform(texts)  # CSR counts, one column per word
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = Perceptron(max_iter=100, shuffle=True, random_state=0).fit(X, y)
    vocabulary = bag.get_feature_names_out()
    positive, negative = top_words(model, vocabulary)
    lines = [
        f"{len(texts)} reviews, {X.shape[1]} words in the vocabulary, "
        f"{X.nnz} non-zero counts; training accuracy {model.score(X, y):.0%} "
        f"after {model.n_iter_} epochs",
        "positive: " + ", ".join(f"{word} ({weight:+.0f})" for word, weight in positive),
        "negative: " + ", ".join(f"{word} ({weight:+.0f})" for word, weight in negative),
        "stop words among them (dropped by stop_words='english'): "
        + ", ".join(sorted({w for w, _ in positive + negative} & ENGLISH_STOP_WORDS)),
    ]
    for review in NEW_REVIEWS:  # words never seen in training are ignored
        label = model.predict(bag.transform([review]))[0]
        lines.append(f"{'positive' if label > 0 else 'negative'}: {review!r}")
    for line in lines:
        print(line)
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
