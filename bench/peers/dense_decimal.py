#!/usr/bin/env python3
"""The Python peer of the dense benchmarks (bench/run.ts): the straight-line program a numerically minded
user would write instead of exactprop, with the standard `decimal` module (libmpdec, in C).

The same arithmetic as bench/floor.ts: forward pass, MSE (mean over outputs and samples), backpropagation,
Adam with PyTorch's defaults, every operation rounded to P significant digits, half to even. With --trace
it also writes every value as JSON, as `exactprop run --format json` does: per sample the pre-activations,
activations, deltas and each weight's share of the gradient; per step the gradients, m, v and params.

    dense_decimal.py NET.json [--trace OUT.json] [--mpmath]

NET.json: {sizes, activations, W, b, x, y, steps, lr, precision}, numbers as decimal text.
--mpmath uses mpmath's binary floating point at the same number of decimal digits instead (mp.dps).
Prints {"ms": ..., "params": [...final W and b as text...]} on its last line.
"""
import json
import sys
import time

args = sys.argv[1:]
net = json.load(open(args[0]))
trace_path = args[args.index('--trace') + 1] if '--trace' in args else None
use_mpmath = '--mpmath' in args
P = int(net['precision'])

t0 = time.perf_counter()
if use_mpmath:
    import mpmath
    mpmath.mp.dps = P
    D = mpmath.mpf
    def sqrt(v): return mpmath.sqrt(v)
    def tanh(v): return mpmath.tanh(v)
    def exp(v): return mpmath.exp(v)
    def text(v): return mpmath.nstr(v, P, min_fixed=-10**9, max_fixed=10**9) if v else '0'
else:
    import decimal
    ctx = decimal.getcontext()
    ctx.prec = P
    ctx.rounding = decimal.ROUND_HALF_EVEN
    ctx.Emax = decimal.MAX_EMAX
    ctx.Emin = decimal.MIN_EMIN
    D = decimal.Decimal
    def sqrt(v): return v.sqrt()
    def exp(v): return v.exp()
    def tanh(v):
        # decimal has no tanh: (e^2z - 1) / (e^2z + 1), as a straight-line script would write it.
        e = (v + v).exp()
        return (e - 1) / (e + 1)
    def text(v): return str(v)

zero, one, two = D(0), D(1), D(2)
sizes = net['sizes']
acts = net['activations']
W = [[[D(v) for v in row] for row in layer] for layer in net['W']]
b = [[D(v) for v in layer] for layer in net['b']]
X = [[D(v) for v in row] for row in net['x']]
Y = [[D(v) for v in row] for row in net['y']]
L = len(W)
n = D(len(X))
K = D(sizes[-1])
beta1, beta2, eps, lr = D('0.9'), D('0.999'), D('1e-8'), D(net['lr'])


def act(a, z):
    if a == 'relu': return z if z > 0 else zero
    if a == 'tanh': return tanh(z)
    if a == 'sigmoid': return one / (one + exp(-z))
    return z


def act_prime(a, z, h):
    if a == 'relu': return one if z > 0 else zero
    if a == 'tanh': return one - h * h
    if a == 'sigmoid': return h * (one - h)
    return one


out = open(trace_path, 'w') if trace_path else None
def write(s): out.write(s)
def values(vs): return '[' + ','.join('"' + text(v) + '"' for v in vs) + ']'

mW = [[[zero for _ in row] for row in layer] for layer in W]
vW = [[[zero for _ in row] for row in layer] for layer in W]
mb = [[zero for _ in layer] for layer in b]
vb = [[zero for _ in layer] for layer in b]
if out: write('{"steps":[')
for t in range(1, net['steps'] + 1):
    gW = [[[zero for _ in row] for row in layer] for layer in W]
    gb = [[zero for _ in layer] for layer in b]
    if out: write(('' if t == 1 else ',') + '{"step":%d,"samples":[' % t)
    for s in range(len(X)):
        hs = [X[s]]
        zs = []
        for l in range(L):
            z = []
            for j, row in enumerate(W[l]):
                acc = b[l][j]
                for i, w in enumerate(row):
                    acc = acc + w * hs[l][i]
                z.append(acc)
            zs.append(z)
            hs.append([act(acts[l], zj) for zj in z])
        delta = [(o - Y[s][k]) * two / K / n for k, o in enumerate(hs[L])]
        deltas = []
        shares = []
        for l in range(L - 1, -1, -1):
            dz = [d * act_prime(acts[l], zs[l][j], hs[l + 1][j]) for j, d in enumerate(delta)]
            deltas.append(dz)
            for j, d in enumerate(dz):
                gb[l][j] = gb[l][j] + d
                row = gW[l][j]
                for i, h in enumerate(hs[l]):
                    share = d * h
                    if out: shares.append(share)
                    row[i] = row[i] + share
            if l > 0:
                delta = [sum((d * W[l][j][i] for j, d in enumerate(dz)), zero) for i in range(len(hs[l]))]
        if out:
            write(('' if s == 0 else ',') + '{"z":[' + ','.join(values(z) for z in zs) + '],"h":[' + ','.join(values(h) for h in hs[1:]) +
                  '],"delta":[' + ','.join(values(d) for d in deltas) + '],"shares":' + values(shares) + '}')
    c1 = one - beta1 ** t
    c2 = one - beta2 ** t
    for l in range(L):
        for j, row in enumerate(W[l]):
            for i, w in enumerate(row):
                g = gW[l][j][i]
                m2 = beta1 * mW[l][j][i] + (one - beta1) * g
                v2 = beta2 * vW[l][j][i] + (one - beta2) * (g * g)
                row[i] = w - lr * (m2 / c1) / (sqrt(v2 / c2) + eps)
                mW[l][j][i], vW[l][j][i] = m2, v2
        for j, bj in enumerate(b[l]):
            g = gb[l][j]
            m2 = beta1 * mb[l][j] + (one - beta1) * g
            v2 = beta2 * vb[l][j] + (one - beta2) * (g * g)
            b[l][j] = bj - lr * (m2 / c1) / (sqrt(v2 / c2) + eps)
            mb[l][j], vb[l][j] = m2, v2
    if out:
        flat = lambda xs: [v for layer in xs for row in layer for v in (row if isinstance(row, list) else [row])]
        write('],"gradients":' + values(flat(gW) + flat(gb)) + ',"m":' + values(flat(mW) + flat(mb)) + ',"v":' + values(flat(vW) + flat(vb)) +
              ',"params":' + values(flat(W) + flat(b)) + '}')
if out:
    write(']}\n')
    out.close()
ms = (time.perf_counter() - t0) * 1000
import resource
print(json.dumps({'ms': ms, 'maxRssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'params': [text(v) for layer in W for row in layer for v in row] + [text(v) for layer in b for v in layer]}))
