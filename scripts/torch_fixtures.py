#!/usr/bin/python3
"""Independent PyTorch float64 reference fixtures for exactprop.

Reads every test/fixtures/torch/specs/*.yaml, builds the network in torch float64,
trains it with the real torch.optim optimizer and writes test/fixtures/torch/expected.json.

Run by hand (see scripts/torch-fixtures.sh); CI never runs it. Needs Debian's python3-torch
and python3-yaml, so call it with /usr/bin/python3.

Besides writing the fixtures it prints, per spec, the loss at each step, the smallest
|pre-activation| seen by any relu/leaky_relu (a kink at exactly 0 makes float64 unreliable
against an exact engine) and a conditioning check: the whole run is repeated with every
number of the spec perturbed by about one float64 ulp, and the largest relative change of any
written value is reported. If that is far below 1e-12, float64 rounding cannot explain a
1e-12 disagreement with the exact engine.
"""

import argparse
import json
import math
import random
import re
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
import yaml

torch.set_default_dtype(torch.float64)

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT / "test" / "fixtures" / "torch" / "specs"
OUT_FILE = ROOT / "test" / "fixtures" / "torch" / "expected.json"


# --------------------------------------------------------------------------- YAML


class _StrNumLoader(yaml.SafeLoader):
    """SafeLoader that leaves every number as its text.

    PyYAML is YAML 1.1: it reads `1e-8` as a string, `010` as octal, `1_000` as 1000, ...
    Keeping the text and converting with float()/int() ourselves is unambiguous."""


_StrNumLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for (tag, rx) in resolvers
         if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def num(v, what):
    if isinstance(v, bool) or v is None:
        raise ValueError(f"{what}: expected a number, got {v!r}")
    try:
        x = float(str(v).strip())
    except ValueError:
        raise ValueError(f"{what}: expected a number, got {v!r}") from None
    if not math.isfinite(x):
        raise ValueError(f"{what}: not finite: {v!r}")
    return x


def integer(v, what):
    s = str(v).strip()
    if not re.fullmatch(r"[0-9]+", s):
        raise ValueError(f"{what}: expected a non-negative integer, got {v!r}")
    return int(s)


def boolean(v, what):
    if isinstance(v, bool):
        return v
    raise ValueError(f"{what}: expected true/false, got {v!r}")


# --------------------------------------------------------------------------- expressions

_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>[-+*/^(),]))"
)


class KinkWatch:
    """Records relu/leaky_relu pre-activations that are exactly 0 (or nearly)."""

    NEAR = 1e-9

    def __init__(self):
        self.where = None  # (step, row, expression name) while evaluating
        self.min_abs = math.inf
        self.min_where = None
        self.kinks = []  # exact zeros
        self.near = []  # 0 < |x| < NEAR
        self.softplus_linear = []  # softplus arguments above torch's threshold 20

    def see(self, x, fn):
        v = float(x.detach())
        a = abs(v)
        if a < self.min_abs:
            self.min_abs, self.min_where = a, self.where
        if v == 0.0:
            self.kinks.append((fn,) + tuple(self.where))
        elif a < self.NEAR:
            self.near.append((fn,) + tuple(self.where) + (v,))


def make_functions(watch, flip_at=None):
    """torch's functions. At the kink flip_at = (step, row, expression name), relu'(0) = 0 and
    leaky_relu'(0) = slope (torch's) become 1: used only to find which gradients a kink affects."""
    def relu(x):
        watch.see(x, "relu")
        if flip_at is not None and tuple(watch.where) == flip_at:
            return torch.where(x >= 0, x, 0.0 * x)
        return torch.relu(x)

    def leaky_relu(x, a=0.01):
        watch.see(x, "leaky_relu")
        if isinstance(a, torch.Tensor):
            a = float(a.detach())
        if flip_at is not None and tuple(watch.where) == flip_at:
            return torch.where(x >= 0, x, float(a) * x)
        return F.leaky_relu(x, negative_slope=float(a))

    def softplus(x):
        # torch's softplus is exactly x above its threshold 20 (log(1 + e^x) differs by ~e^-x there)
        if float(x.detach()) > 20.0:
            watch.softplus_linear.append(tuple(watch.where) + (float(x.detach()),))
        return F.softplus(x)

    return {
        "relu": relu,
        "leaky_relu": leaky_relu,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "softplus": softplus,
        "exp": torch.exp,
        "log": torch.log,
        "sqrt": torch.sqrt,
    }


class Expr:
    def __init__(self, code, src, lits):
        self.code, self.src, self.lits = code, src, lits
        self.floats = [float(t) for t in lits]

    def eval(self, v, f, exact=None):
        n = self.floats if exact is None else [exact(t) for t in self.lits]
        return eval(self.code, {"__builtins__": {}}, {"_v": v, "_f": f, "_n": n})


FUNCTION_NAMES = {"relu", "leaky_relu", "sigmoid", "tanh", "softplus", "exp", "log", "sqrt"}


def translate(expr, known, what):
    """Translate a spec expression to Python code over `_v` (values), `_f` (functions), `_n` (literals).

    Every identifier becomes _v['name'] (so names like `lambda` are fine), the i-th number literal
    becomes _n[i] (the caller supplies floats, or exact values for the cross-check), `^` becomes `**`.
    Python's `**` has the usual maths precedence: -x**2 == -(x**2), 2**3**2 == 2**(3**2)."""
    expr = str(expr)
    pos, out, names, lits = 0, [], set(), []
    toks = []
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            if expr[pos:].strip() == "":
                break
            raise ValueError(f"{what}: cannot read expression at {expr[pos:]!r}")
        pos = m.end()
        toks.append(m)
    for i, m in enumerate(toks):
        if m.group("num") is not None:
            out.append(f"_n[{len(lits)}]")
            lits.append(m.group("num"))
        elif m.group("name") is not None:
            n = m.group("name")
            nxt = toks[i + 1].group("op") if i + 1 < len(toks) else None
            if nxt == "(":
                if n not in FUNCTION_NAMES:
                    raise ValueError(f"{what}: unknown function {n!r}")
                out.append(f"_f[{n!r}]")
            else:
                if n not in known:
                    raise ValueError(f"{what}: unknown name {n!r}")
                names.add(n)
                out.append(f"_v[{n!r}]")
        else:
            op = m.group("op")
            out.append("**" if op == "^" else op)
    src = " ".join(out)
    return Expr(compile(src, f"<{what}>", "eval"), src, lits)


# --------------------------------------------------------------------------- spec

OPTIMIZERS = {
    "sgd": (torch.optim.SGD, {"lr": num, "momentum": num, "dampening": num,
                              "nesterov": boolean, "weight_decay": num}),
    "adam": (torch.optim.Adam, {"lr": num, "beta1": num, "beta2": num, "eps": num,
                                "weight_decay": num, "amsgrad": boolean}),
    "adamw": (torch.optim.AdamW, {"lr": num, "beta1": num, "beta2": num, "eps": num,
                                  "weight_decay": num, "amsgrad": boolean}),
    "rmsprop": (torch.optim.RMSprop, {"lr": num, "alpha": num, "eps": num, "momentum": num,
                                      "centered": boolean, "weight_decay": num}),
    "adagrad": (torch.optim.Adagrad, {"lr": num, "lr_decay": num, "eps": num,
                                      "initial_accumulator_value": num, "weight_decay": num}),
}


def load_spec(path):
    with open(path) as fh:
        raw = yaml.load(fh, Loader=_StrNumLoader)
    name = path.stem
    model = raw["model"]
    inputs = [str(x) for x in model["inputs"]]
    neurons = [(str(k), str(v)) for k, v in model["neurons"].items()]
    outputs = [str(x) for x in model.get("outputs", [])]
    params = [(str(k), num(v, f"{name}: param {k}")) for k, v in (raw.get("params") or {}).items()]
    constants = [(str(k), num(v, f"{name}: constant {k}")) for k, v in (raw.get("constants") or {}).items()]
    rows = []
    for i, row in enumerate(raw["data"]):
        rows.append({str(k): num(v, f"{name}: data row {i + 1} {k}") for k, v in row.items()})
    # the decimal text of every number, for the exact cross-check
    text = {
        "params": [(str(k), str(v).strip()) for k, v in (raw.get("params") or {}).items()],
        "constants": [(str(k), str(v).strip()) for k, v in (raw.get("constants") or {}).items()],
        "rows": [{str(k): str(v).strip() for k, v in row.items()} for row in raw["data"]],
        "options": {str(k): str(v).strip() for k, v in raw["training"].items() if not isinstance(v, bool)},
    }
    loss = raw["loss"]
    reduce = str(loss.get("reduce", "mean"))
    if reduce not in ("mean", "sum"):
        raise ValueError(f"{name}: reduce must be mean or sum")
    tr = dict(raw["training"])
    opt_name = str(tr.pop("optimizer"))
    epochs = integer(tr.pop("epochs", 1), f"{name}: epochs")
    batch = tr.pop("batch", "full")
    batch = len(rows) if str(batch) == "full" else integer(batch, f"{name}: batch")
    if batch < 1:
        raise ValueError(f"{name}: batch must be >= 1")
    if opt_name not in OPTIMIZERS:
        raise ValueError(f"{name}: unknown optimizer {opt_name!r}")
    cls, allowed = OPTIMIZERS[opt_name]
    options = {}
    for k, v in tr.items():
        if k not in allowed:
            raise ValueError(f"{name}: option {k!r} is not an option of {opt_name}")
        options[k] = allowed[k](v, f"{name}: training.{k}")
    conv = raw.get("conventions") or {}
    for k, v in conv.items():
        if k == "relu_at_zero" and num(v, "relu_at_zero") == 0.0:
            continue  # torch's relu'(0) is 0, leaky_relu'(0) is the slope: nothing else is possible here
        raise ValueError(f"{name}: convention {k}={v!r} cannot be reproduced by this generator")

    # names
    targets = []
    for row in rows:
        for k in row:
            if k not in inputs and k not in targets:
                targets.append(k)
    groups = [("input", inputs), ("param", [p for p, _ in params]),
              ("constant", [c for c, _ in constants]), ("neuron", [n for n, _ in neurons]),
              ("target", targets)]
    seen = {}
    for kind, names in groups:
        for n in names:
            if n in seen:
                raise ValueError(f"{name}: {n!r} is both {seen[n]} and {kind}")
            if n in FUNCTION_NAMES:
                raise ValueError(f"{name}: {n!r} is a function name")
            seen[n] = kind
    for i, row in enumerate(rows):
        missing = [x for x in inputs + targets if x not in row]
        if missing:
            raise ValueError(f"{name}: data row {i + 1} lacks {missing}")
    for o in outputs:
        if o not in seen or seen[o] != "neuron":
            raise ValueError(f"{name}: output {o!r} is not a neuron")

    base = set(inputs) | {p for p, _ in params} | {c for c, _ in constants}
    known = set(base)
    compiled_neurons = []
    for n, e in neurons:
        compiled_neurons.append((n, translate(e, known, f"{name}: neuron {n}")))
        known.add(n)
    sample = translate(loss["sample"], known | set(targets), f"{name}: loss.sample")
    pen_src = loss.get("penalty")
    penalty = None
    if pen_src is not None and str(pen_src).strip() != "":
        penalty = translate(pen_src, {p for p, _ in params} | {c for c, _ in constants},
                            f"{name}: loss.penalty")

    return {
        "name": name, "inputs": inputs, "targets": targets, "neurons": compiled_neurons,
        "params": params, "constants": constants, "rows": rows, "reduce": reduce,
        "sample": sample, "penalty": penalty, "optimizer": opt_name, "cls": cls,
        "options": options, "epochs": epochs, "batch": batch, "text": text,
    }


def perturbed(spec, rng):
    """A copy of the spec with every number moved by about one ulp (relative 2^-52)."""
    def p(x):
        return x * (1.0 + rng.choice((-1.0, 1.0)) * 2.0 ** -52)
    s = dict(spec)
    s["params"] = [(k, p(v)) for k, v in spec["params"]]
    s["constants"] = [(k, p(v)) for k, v in spec["constants"]]
    s["rows"] = [{k: p(v) for k, v in row.items()} for row in spec["rows"]]
    s["options"] = {k: (p(v) if isinstance(v, float) else v) for k, v in spec["options"].items()}
    return s


# --------------------------------------------------------------------------- training


def train(spec, watch, flip_at=None):
    params = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in spec["params"]}
    consts = {k: torch.tensor(v, dtype=torch.float64) for k, v in spec["constants"]}
    order = [k for k, _ in spec["params"]]

    opts = dict(spec["options"])
    b1, b2 = opts.pop("beta1", None), opts.pop("beta2", None)
    if b1 is not None or b2 is not None:
        d1, d2 = 0.9, 0.999  # torch's default betas, for a spec that gives only one of them
        opts["betas"] = (d1 if b1 is None else b1, d2 if b2 is None else b2)
    optimizer = spec["cls"]([params[k] for k in order], foreach=False, **opts)

    funcs = make_functions(watch, flip_at)
    rows, bs = spec["rows"], spec["batch"]
    batches = [rows[i:i + bs] for i in range(0, len(rows), bs)]
    row_index = [list(range(i, min(i + bs, len(rows)))) for i in range(0, len(rows), bs)]

    steps = []
    step = 0
    for _epoch in range(spec["epochs"]):
        for batch, idx in zip(batches, row_index):
            step += 1
            optimizer.zero_grad(set_to_none=True)
            data = None
            for row, ri in zip(batch, idx):
                v = {}
                v.update(params)
                v.update(consts)
                for k in spec["inputs"]:
                    v[k] = torch.tensor(row[k], dtype=torch.float64)
                for k in spec["targets"]:
                    v[k] = torch.tensor(row[k], dtype=torch.float64)
                for n, code in spec["neurons"]:
                    watch.where = (step, ri + 1, n)
                    v[n] = torch.as_tensor(code.eval(v, funcs))
                watch.where = (step, ri + 1, "loss.sample")
                s = torch.as_tensor(spec["sample"].eval(v, funcs))
                data = s if data is None else data + s  # sequential sum in data order
            if spec["reduce"] == "mean":
                data = data / len(batch)
            if spec["penalty"] is not None:
                v = {}
                v.update(params)
                v.update(consts)
                watch.where = (step, None, "loss.penalty")
                penalty = torch.as_tensor(spec["penalty"].eval(v, funcs))
            else:
                penalty = torch.zeros((), dtype=torch.float64)
            total = data + penalty
            total.backward()
            grads = {}
            for k in order:
                p = params[k]
                if p.grad is None:
                    # torch would skip a param with no grad entirely (no weight decay, no state);
                    # an exact engine sees a 0 gradient: make torch see the same.
                    print(f"  warning: {spec['name']}: loss does not depend on {k}; using grad 0",
                          file=sys.stderr)
                    p.grad = torch.zeros_like(p)
                grads[k] = float(p.grad)  # d(total)/dp, before the optimizer's weight decay
            loss = {"data": float(data.detach()), "penalty": float(penalty.detach()),
                    "total": float(total.detach())}
            optimizer.step()
            after = {k: float(params[k].detach()) for k in order}
            steps.append({"step": step, "loss": loss, "gradients": grads, "params": after})
    return steps


def flatten(steps):
    out = {}
    for s in steps:
        for k, v in s["loss"].items():
            out[f"step {s['step']} loss.{k}"] = v
        for k, v in s["gradients"].items():
            out[f"step {s['step']} grad {k}"] = v
        for k, v in s["params"].items():
            out[f"step {s['step']} param {k}"] = v
    return out


def as_text(steps):
    res = []
    for s in steps:
        for group in ("loss", "gradients", "params"):
            for k, v in s[group].items():
                if not math.isfinite(v):
                    raise ValueError(f"step {s['step']} {group}.{k} is {v}")
        res.append({
            "step": s["step"],
            "loss": {k: repr(v) for k, v in s["loss"].items()},
            "gradients": {k: repr(v) for k, v in s["gradients"].items()},
            "params": {k: repr(v) for k, v in s["params"].items()},
        })
    return res

# --------------------------------------------------------------------------- exact cross-check
#
# Not part of the fixtures: an independent 60-digit recomputation (mpmath, forward-mode derivatives,
# optimizers written from the update formulas) that tells how far the float64 torch numbers are from
# the exact values the engine computes, and whether torch's optimizers follow those formulas.


def exact_run(spec):
    import mpmath
    from mpmath import mpf

    mpmath.mp.dps = 60
    order = [k for k, _ in spec["text"]["params"]]
    n = len(order)
    zero = mpf(0)

    class D:
        __slots__ = ("v", "d")

        def __init__(self, v, d=None):
            self.v = v
            self.d = d if d is not None else [zero] * n

        @staticmethod
        def lift(x):
            return x if isinstance(x, D) else D(mpf(x))

        def __add__(a, b):
            b = D.lift(b)
            return D(a.v + b.v, [x + y for x, y in zip(a.d, b.d)])

        __radd__ = __add__

        def __sub__(a, b):
            b = D.lift(b)
            return D(a.v - b.v, [x - y for x, y in zip(a.d, b.d)])

        def __rsub__(a, b):
            return D.lift(b) - a

        def __neg__(a):
            return D(-a.v, [-x for x in a.d])

        def __pos__(a):
            return a

        def __mul__(a, b):
            b = D.lift(b)
            return D(a.v * b.v, [a.v * y + b.v * x for x, y in zip(a.d, b.d)])

        __rmul__ = __mul__

        def __truediv__(a, b):
            b = D.lift(b)
            q = a.v / b.v
            return D(q, [(x - q * y) / b.v for x, y in zip(a.d, b.d)])

        def __rtruediv__(a, b):
            return D.lift(b) / a

        def __pow__(a, b):
            b = D.lift(b)
            if all(y == 0 for y in b.d):  # constant exponent
                e = b.v
                if e == int(e):
                    v = a.v ** int(e)
                    dv = e * a.v ** (int(e) - 1) if e != 0 else zero
                else:
                    v = mpmath.power(a.v, e)
                    dv = e * mpmath.power(a.v, e - 1)
                return D(v, [dv * x for x in a.d])
            v = mpmath.power(a.v, b.v)
            la = mpmath.log(a.v)
            return D(v, [v * (y * la + b.v * x / a.v) for x, y in zip(a.d, b.d)])

        def __rpow__(a, b):
            return D.lift(b) ** a

    def chain(x, v, dv):
        return D(v, [dv * t for t in x.d])

    # A pre-activation within rounding noise of 0 is taken as exactly 0 (a kink: see the spec's comment);
    # relu'(0) = 0 and leaky_relu'(0) = slope, as in torch and relu_at_zero: 0.
    tiny = mpf(10) ** (15 - mpmath.mp.dps)

    def relu(x):
        if abs(x.v) < tiny:
            return D(zero)
        return chain(x, x.v if x.v > 0 else zero, mpf(1) if x.v > 0 else zero)

    def leaky_relu(x, a=mpf("0.01")):
        a = a.v if isinstance(a, D) else mpf(a)
        if abs(x.v) < tiny:
            return D(zero)
        return chain(x, x.v if x.v > 0 else a * x.v, mpf(1) if x.v > 0 else a)

    def sigmoid(x):
        s_ = 1 / (1 + mpmath.exp(-x.v))
        return chain(x, s_, s_ * (1 - s_))

    def tanh(x):
        t = mpmath.tanh(x.v)
        return chain(x, t, 1 - t * t)

    def softplus(x):
        return chain(x, mpmath.log(1 + mpmath.exp(x.v)), 1 / (1 + mpmath.exp(-x.v)))

    def exp(x):
        e = mpmath.exp(x.v)
        return chain(x, e, e)

    def log(x):
        return chain(x, mpmath.log(x.v), 1 / x.v)

    def sqrt(x):
        r = mpmath.sqrt(x.v)
        return chain(x, r, 1 / (2 * r))

    funcs = {"relu": relu, "leaky_relu": leaky_relu, "sigmoid": sigmoid, "tanh": tanh,
             "softplus": softplus, "exp": exp, "log": log, "sqrt": sqrt}

    T = spec["text"]
    p = {k: mpf(v) for k, v in T["params"]}
    consts = {k: D(mpf(v)) for k, v in T["constants"]}
    rows = [{k: mpf(v) for k, v in row.items()} for row in T["rows"]]
    o = {k: mpf(v) for k, v in T["options"].items() if k in OPTIMIZERS[spec["optimizer"]][1]}
    bools = spec["options"]
    kind = spec["optimizer"]
    defaults = {
        "sgd": {"momentum": 0, "dampening": 0, "weight_decay": 0},
        "adam": {"lr": "0.001", "beta1": "0.9", "beta2": "0.999", "eps": "1e-8", "weight_decay": 0},
        "adamw": {"lr": "0.001", "beta1": "0.9", "beta2": "0.999", "eps": "1e-8", "weight_decay": "0.01"},
        "rmsprop": {"lr": "0.01", "alpha": "0.99", "eps": "1e-8", "momentum": 0, "weight_decay": 0},
        "adagrad": {"lr": "0.01", "lr_decay": 0, "initial_accumulator_value": 0, "eps": "1e-10",
                    "weight_decay": 0},
    }[kind]
    for k, v in defaults.items():
        o.setdefault(k, mpf(v))
    flag = {k: bools.get(k, False) for k in ("nesterov", "amsgrad", "centered")}
    state = {k: {} for k in order}
    if kind == "adagrad":
        for k in order:
            state[k]["sum"] = o["initial_accumulator_value"]

    bs = spec["batch"]
    batches = [rows[i:i + bs] for i in range(0, len(rows), bs)]
    steps, t = [], 0
    for _epoch in range(spec["epochs"]):
        for batch in batches:
            t += 1
            pv = {k: D(p[k], [mpf(1) if j == i else zero for j in range(n)]) for i, k in enumerate(order)}
            data = None
            for row in batch:
                v = dict(pv)
                v.update(consts)
                for k in spec["inputs"] + spec["targets"]:
                    v[k] = D(row[k])
                for name, code in spec["neurons"]:
                    v[name] = D.lift(code.eval(v, funcs, mpf))
                s_ = D.lift(spec["sample"].eval(v, funcs, mpf))
                data = s_ if data is None else data + s_
            if spec["reduce"] == "mean":
                data = data / len(batch)
            if spec["penalty"] is not None:
                v = dict(pv)
                v.update(consts)
                pen = D.lift(spec["penalty"].eval(v, funcs, mpf))
            else:
                pen = D(zero)
            total = data + pen
            grads = dict(zip(order, total.d))
            for k in order:
                g, st, w = grads[k], state[k], p[k]
                if kind != "adamw":
                    g = g + o["weight_decay"] * w
                if kind == "sgd":
                    if o["momentum"] != 0:
                        st["buf"] = g if t == 1 else o["momentum"] * st["buf"] + (1 - o["dampening"]) * g
                        g = g + o["momentum"] * st["buf"] if flag["nesterov"] else st["buf"]
                    w = w - o["lr"] * g
                elif kind in ("adam", "adamw"):
                    if kind == "adamw":
                        w = w * (1 - o["lr"] * o["weight_decay"])
                    b1, b2 = o["beta1"], o["beta2"]
                    st["m"] = b1 * st.get("m", zero) + (1 - b1) * g
                    st["v"] = b2 * st.get("v", zero) + (1 - b2) * g * g
                    vv = st["v"]
                    if flag["amsgrad"]:
                        st["vmax"] = vv = max(st.get("vmax", zero), vv)
                    denom = mpmath.sqrt(vv / (1 - b2 ** t)) + o["eps"]
                    w = w - o["lr"] * (st["m"] / (1 - b1 ** t)) / denom
                elif kind == "rmsprop":
                    a = o["alpha"]
                    st["v"] = a * st.get("v", zero) + (1 - a) * g * g
                    vv = st["v"]
                    if flag["centered"]:
                        st["ga"] = a * st.get("ga", zero) + (1 - a) * g
                        vv = vv - st["ga"] ** 2
                    avg = mpmath.sqrt(vv) + o["eps"]
                    if o["momentum"] > 0:
                        st["buf"] = o["momentum"] * st.get("buf", zero) + g / avg
                        w = w - o["lr"] * st["buf"]
                    else:
                        w = w - o["lr"] * g / avg
                elif kind == "adagrad":
                    clr = o["lr"] / (1 + (t - 1) * o["lr_decay"])
                    st["sum"] = st["sum"] + g * g
                    w = w - clr * g / (mpmath.sqrt(st["sum"]) + o["eps"])
                p[k] = w
            steps.append({"step": t, "loss": {"data": data.v, "penalty": pen.v, "total": total.v},
                          "gradients": grads, "params": dict(p)})
    return steps


def crosscheck(spec, steps):
    """Largest relative difference between the torch float64 values and the exact recomputation."""
    try:
        exact = flatten(exact_run(spec))
    except ImportError:
        return None, None
    worst, where = 0.0, None
    for k, a in flatten(steps).items():
        b = exact[k]
        scale = max(abs(a), abs(float(b)))
        d = 0.0 if scale == 0.0 else float(abs(a - b) / scale)
        if d > worst:
            worst, where = d, k
    return worst, where



def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--specs", type=Path, default=SPEC_DIR)
    ap.add_argument("--out", type=Path, default=OUT_FILE)
    ap.add_argument("--trials", type=int, default=8, help="perturbed re-runs for the conditioning check")
    args = ap.parse_args()

    files = sorted(args.specs.glob("*.yaml"))
    if not files:
        sys.exit(f"no specs in {args.specs}")
    result = {"generator": f"torch {torch.__version__} float64", "specs": {}}
    worst_overall = 0.0
    worst_exact = 0.0
    for path in files:
        spec = load_spec(path)
        watch = KinkWatch()
        steps = train(spec, watch)
        entry = {"steps": as_text(steps)}
        if watch.kinks:
            # which gradients of the kink's step would change if the derivative there were 1, not torch's 0
            entry["kinks"] = []
            for (fn, st, row, at) in watch.kinks:
                alt = train(spec, KinkWatch(), flip_at=(st, row, at))
                g0, g1 = steps[st - 1]["gradients"], alt[st - 1]["gradients"]
                entry["kinks"].append({
                    "step": st, "row": row, "at": at, "function": fn,
                    "gradients_that_depend_on_the_derivative_at_0": [k for k in g0 if g0[k] != g1[k]],
                })
        result["specs"][spec["name"]] = entry

        # conditioning check
        ref = flatten(steps)
        rng = random.Random(path.stem)
        worst, worst_key = 0.0, None
        for _ in range(args.trials):
            other = flatten(train(perturbed(spec, rng), KinkWatch()))
            for k, a in ref.items():
                b = other[k]
                scale = max(abs(a), abs(b))
                d = 0.0 if scale == 0.0 else abs(a - b) / scale
                if d > worst:
                    worst, worst_key = d, k
        if not watch.kinks:
            worst_overall = max(worst_overall, worst)

        losses = " ".join(f"{s['loss']['total']:.6g}" for s in steps)
        print(f"{spec['name']}: {spec['optimizer']} {len(steps)} steps, batch {spec['batch']}, "
              f"total loss {losses}")
        mw = watch.min_where
        if watch.min_abs < math.inf:
            print(f"    min |relu pre-activation| {watch.min_abs:.3g} (step {mw[0]}, row {mw[1]}, {mw[2]})")
        for fn, st, row, at in watch.kinks:
            print(f"    KINK: {fn} argument exactly 0 at step {st}, row {row}, {at}")
        for fn, st, row, at, v in watch.near:
            print(f"    NEAR KINK: {fn} argument {v!r} at step {st}, row {row}, {at}")
        for st, row, at, v in watch.softplus_linear:
            print(f"    SOFTPLUS > 20 (torch returns x): {v!r} at step {st}, row {row}, {at}")
        print(f"    ulp-perturbation: worst relative change {worst:.2g} ({worst_key})")
        xw, xwhere = crosscheck(spec, steps)
        if xw is None:
            print("    exact cross-check skipped (no mpmath: apt-get install python3-mpmath)")
        else:
            print(f"    exact cross-check (60 digits, update formulas): worst relative difference "
                  f"{xw:.2g} ({xwhere})")
            if not watch.kinks:
                worst_exact = max(worst_exact, xw)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=2)
        fh.write("\n")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out} "
          f"({len(files)} specs, {result['generator']}); "
          f"outside kinked specs: worst ulp-perturbation change {worst_overall:.2g}, "
          f"worst difference from the exact cross-check {worst_exact:.2g}")


if __name__ == "__main__":
    main()
