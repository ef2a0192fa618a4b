#!/usr/bin/env python3
# An independent computation of examples/relu-momentum-exact.yaml in Python's exact fractions, written
# from the textbook formulas (not from exactprop's equations): the forward pass, MSE over the batch,
# backpropagation by hand, and torch.optim.SGD with momentum (buf = g at step 1, then
# buf = momentum*buf + g; p = p - lr*buf). test/exactness.test.ts asserts the final params it prints.
# Run by hand: python3 scripts/relu-momentum-exact.py
from fractions import Fraction as F

p = {k: F(v) for k, v in dict(w1='0.5', w2='-0.25', w3='-0.5', w4='1', b1='0.1', b2='0.1', v1='1', v2='-0.5', c='0.2').items()}
data = [(F(1), F(2), F(1)), (F(2), F(1), F(0)), (F(-1), F(1), F(2))]
lr, momentum = F('0.1'), F('0.9')
buf = {}
for step in (1, 2):
    g = {k: F(0) for k in p}
    for x1, x2, y in data:
        z1 = p['w1'] * x1 + p['w2'] * x2 + p['b1']
        z2 = p['w3'] * x1 + p['w4'] * x2 + p['b2']
        assert z1 != 0 and z2 != 0  # no kink
        h1, h2 = max(z1, F(0)), max(z2, F(0))
        yhat = p['v1'] * h1 + p['v2'] * h2 + p['c']
        dyhat = 2 * (yhat - y) / len(data)
        dz1 = dyhat * p['v1'] * (1 if z1 > 0 else 0)
        dz2 = dyhat * p['v2'] * (1 if z2 > 0 else 0)
        for k, v in dict(w1=dz1 * x1, w2=dz1 * x2, b1=dz1, w3=dz2 * x1, w4=dz2 * x2, b2=dz2, v1=dyhat * h1, v2=dyhat * h2, c=dyhat).items():
            g[k] += v
    for k in p:
        buf[k] = g[k] if step == 1 else momentum * buf[k] + g[k]
        p[k] -= lr * buf[k]
print(', '.join(f"{k}: '{v}'" for k, v in p.items()))
