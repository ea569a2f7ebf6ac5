"""Writes wine.csv and iris.csv from scikit-learn's copies of the UCI data (see README.md).

Run with Debian's /usr/bin/python3 and python3-sklearn: python3 make_fixtures.py
"""
import csv
from sklearn.datasets import load_iris, load_wine


def write(path, bunch, label_name, label_of):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(list(bunch.feature_names) + [label_name])
        for x, y in zip(bunch.data, bunch.target):
            w.writerow([repr(float(v)) if v != int(v) else str(int(v)) for v in x] + [label_of(y)])


wine = load_wine()
# The wine classes as numbers (cultivars 0, 1, 2), as exported tables often have them.
write("wine.csv", wine, "cultivar", lambda y: str(int(y)))
iris = load_iris()
# The iris classes as their names (strings).
write("iris.csv", iris, "species", lambda y: iris.target_names[y])
