"""Predict what a shopper spends from group features and a formula, with an MLP.

A small, seeded table of purchases is made here: customers in cities buy from
stores at prices that depend on the store, in quantities that depend on the
customer. The features are the lecture's tabular ones: group aggregates
(each store's mean price, each customer's mean quantity, learned on the
training rows only), a count encoding of the city, and a domain formula (the
list price times the quantity, discounted). An ``MLPRegressor`` predicts the
spend from them. Run it after the README's first command (it needs
matplotlib, from the bench extra): ``python examples/shop.py`` writes
``shop.png`` beside you.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from fastnn.nn import MLPRegressor
from fastnn.tabular import CountEncoder, FormulaFeatures, GroupFeatures, aggregate


def purchases(n=3000, seed=0):
    """A table of purchases: who bought where, at what price, how many, and the spend."""
    rng = np.random.default_rng(seed)
    stores = rng.uniform(5, 20, 12)  # each store's typical price
    appetite = rng.gamma(2.0, 1.5, 300)  # each customer's typical quantity
    customer = rng.integers(0, 300, n)
    store = rng.integers(0, 12, n)
    price = stores[store] * rng.lognormal(0, 0.1, n)
    qty = rng.poisson(appetite[customer]) + 1
    discount = rng.choice([0.0, 0.1, 0.2], n, p=[0.7, 0.2, 0.1])
    spend = price * qty * (1 - discount) + rng.normal(0, 1, n)
    city = np.array(["north", "south", "east", "west", "centre"])[customer % 5]
    return pd.DataFrame(
        {
            "customer": customer,
            "store": [f"s{s:02d}" for s in store],
            "city": city,
            "price": price,
            "qty": qty,
            "discount": discount,
            "spend": spend,
        }
    )


def features():
    return ColumnTransformer(
        [
            ("store", GroupFeatures("store", {"price": ["mean", "std"]}), ["store", "price"]),
            ("customer", GroupFeatures("customer", {"qty": ["mean"]}), ["customer", "qty"]),
            ("city", CountEncoder("city", normalize=True), ["city"]),
            (
                "formula",
                FormulaFeatures({"list_spend": "price * qty * (1 - discount)"}),
                ["price", "qty", "discount"],
            ),
        ]
    )


def main(path="shop.png"):
    table = purchases()
    train, test = table.iloc[:2400], table.iloc[2400:]
    model = make_pipeline(
        features(),
        StandardScaler(),
        MLPRegressor((32, 16), "relu", max_iter=300, learning_rate_init=0.003, random_state=0),
    )
    model.fit(train, train["spend"].to_numpy())
    predicted = model.predict(test)
    error = predicted - test["spend"].to_numpy()
    rmse = float(np.sqrt(np.mean(error**2)))
    per_store = aggregate(train, by="store", features={"spend": ["mean", "count"]})

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    left.scatter(test["spend"], predicted, s=6, alpha=0.5)
    top = float(test["spend"].max())
    left.plot([0, top], [0, top], "k--", lw=1)
    left.set(
        xlabel="spend", ylabel="predicted spend", title=f"held-out purchases (RMSE {rmse:.2f})"
    )
    right.bar(per_store["store"], per_store["spend_mean"])
    right.set(xlabel="store", ylabel="mean spend (training rows)", title="aggregate(by='store')")
    right.tick_params(axis="x", rotation=60)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"wrote {path}: RMSE {rmse:.2f} on {len(test)} held-out purchases")
    return rmse


if __name__ == "__main__":
    main()
