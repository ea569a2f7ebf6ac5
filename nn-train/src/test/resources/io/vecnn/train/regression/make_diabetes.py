import numpy as np, gzip
from sklearn.datasets import load_diabetes
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler
from sklearn.metrics import r2_score
X, y = load_diabetes(return_X_y=True, scaled=False)
perm = np.random.RandomState(0).permutation(len(y))
X, y = X[perm], y[perm]
ntr = 353
with open("diabetes.csv", "w") as f:
    f.write("age,sex,bmi,bp,s1,s2,s3,s4,s5,s6,target\n")
    for xi, yi in zip(X, y):
        f.write(",".join(repr(float(v)) for v in xi) + "," + repr(float(yi)) + "\n")
sc = StandardScaler().fit(X[:ntr])
Xtr, Xte = sc.transform(X[:ntr]), sc.transform(X[ntr:])
ym, ys = y[:ntr].mean(), y[:ntr].std()
for hl in [(100,), (64,), (32,), (64, 32)]:
  for alpha in [1e-4, 1e-2, 1.0]:
    r2s=[]
    for seed in range(5):
        m = MLPRegressor(hidden_layer_sizes=hl, alpha=alpha, max_iter=3000, random_state=seed).fit(Xtr, (y[:ntr]-ym)/ys)
        r2s.append(r2_score(y[ntr:], m.predict(Xte)*ys+ym))
    print(hl, alpha, "R2 median %.4f  range %.4f..%.4f" % (np.median(r2s), min(r2s), max(r2s)))
for seed in range(3):
    m = MLPRegressor(random_state=seed, max_iter=3000).fit(Xtr, y[:ntr])
    print("default, raw y", seed, r2_score(y[ntr:], m.predict(Xte)))
from sklearn.linear_model import LinearRegression
print("linear", r2_score(y[ntr:], LinearRegression().fit(Xtr, y[:ntr]).predict(Xte)))
