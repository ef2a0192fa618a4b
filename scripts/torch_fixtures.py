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
1e-12 disagreement with the exact engine. Then an exact 60-digit recomputation (mpmath) tells
how far the torch numbers are from the exact values.

What it understands of the spec format:
- model.inputs as a list of names or a count n (x1..xn); model.neurons (expressions) or
  model.layers (dense layers; built here as matrices, X @ W.T + b, one torch op per layer);
- params as scalars, vectors (b1 -> b1_1, b1_2, ...) and matrices (W1 -> W1_1_1, ..., rows are units);
- frozen params (by scalar name, or a whole vector/matrix by its name): they get gradients but are
  left out of the optimizer, so torch never touches them;
- data as rows or as the path of a CSV file beside the spec;
- loss.sample (an expression) or loss.name (mse, sse, half_sse, mae, bce, cross_entropy; computed with
  torch.nn.functional, and re-computed from the written formula as a check);
- conventions: pytorch, paper (the same optimizers), keras (mapped to the torch.optim counterpart
  where one exists exactly; refused otherwise), and relu_at_zero: 0.
"""

import argparse
import csv
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

DECIMAL_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def num(v, what):
    if isinstance(v, bool) or v is None:
        raise ValueError(f"{what}: expected a number, got {v!r}")
    s = str(v).strip()
    if not DECIMAL_TEXT.fullmatch(s):
        raise ValueError(f"{what}: expected a number, got {v!r}")
    x = float(s)
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

KINKED = {"relu", "leaky_relu", "abs", "max", "min"}


class KinkWatch:
    """Records the arguments of kinked functions (relu, leaky_relu, abs; max/min's a - b) that are
    exactly 0 (or nearly)."""

    NEAR = 1e-9

    def __init__(self):
        self.where = None  # (step, row, expression name) while evaluating
        self.min_abs = math.inf
        self.min_where = None
        self.min_fn = None
        self.kinks = []  # exact zeros
        self.near = []  # 0 < |x| < NEAR
        self.softplus_linear = []  # softplus arguments above torch's threshold 20

    def see(self, x, fn, where=None):
        where = tuple(self.where if where is None else where)
        v = float(x.detach()) if isinstance(x, torch.Tensor) else float(x)
        a = abs(v)
        if a < self.min_abs:
            self.min_abs, self.min_where, self.min_fn = a, where, fn
        if v == 0.0:
            self.kinks.append((fn,) + where)
        elif a < self.NEAR:
            self.near.append((fn,) + where + (v,))


def _t(x):
    return x if isinstance(x, torch.Tensor) else torch.tensor(float(x), dtype=torch.float64)


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

    def abs_(x):
        watch.see(x, "abs")
        return torch.abs(_t(x))

    def max_(a, b):
        a, b = _t(a), _t(b)
        watch.see(a - b, "max")
        return torch.maximum(a, b)

    def min_(a, b):
        a, b = _t(a), _t(b)
        watch.see(a - b, "min")
        return torch.minimum(a, b)

    def softmax(k, *z):
        k = int(float(k))
        if not 1 <= k <= len(z):
            raise ValueError(f"softmax's first argument must be 1..{len(z)}, got {k}")
        return torch.softmax(torch.stack([_t(t) for t in z]), dim=0)[k - 1]

    return {
        "relu": relu,
        "leaky_relu": leaky_relu,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "softplus": softplus,
        "exp": torch.exp,
        "log": torch.log,
        "sqrt": torch.sqrt,
        "abs": abs_,
        "max": max_,
        "min": min_,
        "softmax": softmax,
    }


class Expr:
    def __init__(self, code, src, lits):
        self.code, self.src, self.lits = code, src, lits
        self.floats = [float(t) for t in lits]

    def eval(self, v, f, exact=None):
        n = self.floats if exact is None else [exact(t) for t in self.lits]
        return eval(self.code, {"__builtins__": {}}, {"_v": v, "_f": f, "_n": n})


FUNCTION_NAMES = {"relu", "leaky_relu", "sigmoid", "tanh", "softplus", "exp", "log", "sqrt",
                  "abs", "max", "min", "softmax"}


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


# --------------------------------------------------------------------------- layers and named losses
# Written from the naming documented in the README / src/spec/layers.ts and the formulas of
# src/spec/losses.ts. The expansion to scalar equations is used by the exact cross-check only;
# torch computes a layer as one matrix product (see forward_layers).

ACTIVATIONS = ("linear", "relu", "leaky_relu", "sigmoid", "tanh", "softplus", "softmax")
LOSSES = ("mse", "sse", "half_sse", "mae", "bce", "cross_entropy")


def unit_name(layer, l, j):
    if layer["name"]:
        return layer["name"] if layer["units"] == 1 else f"{layer['name']}_{j}"
    return f"h{l}_{j}"


def expand_layers(inputs, layers):
    neurons, needs, previous = [], [], inputs
    for l, layer in enumerate(layers, 1):
        def affine(j):
            terms = [f"W{l}_{j}_{i}*{x}" for i, x in enumerate(previous, 1)]
            if layer["bias"]:
                terms.append(f"b{l}_{j}")
            return " + ".join(terms) or "0"
        names = [unit_name(layer, l, j) for j in range(1, layer["units"] + 1)]
        if layer["activation"] == "softmax":
            logits = [f"z{l}_{j}" for j in range(1, layer["units"] + 1)]
            neurons += [(z, affine(j)) for j, z in enumerate(logits, 1)]
            neurons += [(n, f"softmax({j}, {', '.join(logits)})") for j, n in enumerate(names, 1)]
        elif layer["activation"] == "linear":
            neurons += [(n, affine(j)) for j, n in enumerate(names, 1)]
        else:
            neurons += [(n, f"{layer['activation']}({affine(j)})") for j, n in enumerate(names, 1)]
        needs.append((l, f"W{l}", layer["units"], len(previous), f"b{l}" if layer["bias"] else None))
        previous = names
    return neurons, previous, needs


def named_loss(name, outputs, targets):
    """(sample expression, default reduce), as src/spec/losses.ts writes them."""
    pairs = list(zip(targets, outputs))
    sq = [f"({y} - {o})^2" for y, o in pairs]

    def mean_of(terms):
        return terms[0] if len(terms) == 1 else f"({' + '.join(terms)}) / {len(terms)}"

    if name == "mse":
        return mean_of(sq), "mean"
    if name == "sse":
        return " + ".join(sq), "sum"
    if name == "half_sse":
        return (f"{sq[0]} / 2" if len(sq) == 1 else f"({' + '.join(sq)}) / 2"), "sum"
    if name == "mae":
        return mean_of([f"abs({y} - {o})" for y, o in pairs]), "mean"
    if name == "bce":
        return mean_of([f"-({y}*log({o}) + (1 - {y})*log(1 - {o}))" for y, o in pairs]), "mean"
    if name == "cross_entropy":
        return "-(" + " + ".join(f"{y}*log({o})" for y, o in pairs) + ")", "mean"
    raise ValueError(f"unknown loss {name!r}")


def read_csv(path, what):
    """Rows of a CSV file as {column: text}, the first line naming the columns (values trimmed)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            lines = [ln for ln in fh.read().splitlines() if ln.strip() != ""]
    except OSError as e:
        raise ValueError(f"{what}: cannot read {path.name}: {e.strerror}") from None
    reader = csv.reader(lines)
    header = [h.strip() for h in next(reader)]
    rows = []
    for i, rec in enumerate(reader):
        if len(rec) != len(header):
            raise ValueError(f"{what}: {path.name} line {i + 2}: {len(rec)} fields, the header has {len(header)}")
        rows.append({h: v.strip() for h, v in zip(header, rec)})
    if not rows:
        raise ValueError(f"{what}: {path.name} has no data rows")
    return rows


# --------------------------------------------------------------------------- optimizers and conventions

TORCH_CLASSES = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
                 "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad}

# option names a spec may give, per preset (as the engine's optimizer definitions name them)
TORCH_OPTIONS = {
    "sgd": {"lr": num, "momentum": num, "dampening": num, "nesterov": boolean, "weight_decay": num},
    "adam": {"lr": num, "beta1": num, "beta2": num, "eps": num, "weight_decay": num, "amsgrad": boolean},
    "adamw": {"lr": num, "beta1": num, "beta2": num, "eps": num, "weight_decay": num, "amsgrad": boolean},
    "rmsprop": {"lr": num, "alpha": num, "eps": num, "momentum": num, "centered": boolean, "weight_decay": num},
    "adagrad": {"lr": num, "lr_decay": num, "eps": num, "initial_accumulator_value": num, "weight_decay": num},
}
KERAS_OPTIONS = {
    "sgd": {"lr": num, "momentum": num, "nesterov": boolean, "weight_decay": num},
    "adam": {"lr": num, "beta1": num, "beta2": num, "eps": num, "weight_decay": num, "amsgrad": boolean},
    "adamw": {"lr": num, "beta1": num, "beta2": num, "eps": num, "weight_decay": num, "amsgrad": boolean},
    "rmsprop": {"lr": num, "rho": num, "eps": num, "momentum": num, "centered": boolean, "weight_decay": num},
    "adagrad": {"lr": num, "initial_accumulator_value": num, "eps": num, "weight_decay": num},
}
PRESET_OPTIONS = {"pytorch": TORCH_OPTIONS, "paper": TORCH_OPTIONS, "keras": KERAS_OPTIONS}

# defaults of the options (text), for the exact cross-check and for the keras mapping.
# torch 1.13's SGD has no default lr; newer torch (and the engine) use 1e-3.
TORCH_DEFAULTS = {
    "sgd": {"lr": "0.001", "momentum": "0", "dampening": "0", "weight_decay": "0", "nesterov": False},
    "adam": {"lr": "0.001", "beta1": "0.9", "beta2": "0.999", "eps": "1e-8", "weight_decay": "0", "amsgrad": False},
    "adamw": {"lr": "0.001", "beta1": "0.9", "beta2": "0.999", "eps": "1e-8", "weight_decay": "0.01", "amsgrad": False},
    "rmsprop": {"lr": "0.01", "alpha": "0.99", "eps": "1e-8", "momentum": "0", "weight_decay": "0", "centered": False},
    "adagrad": {"lr": "0.01", "lr_decay": "0", "initial_accumulator_value": "0", "eps": "1e-10", "weight_decay": "0"},
}
KERAS_DEFAULTS = {
    "sgd": {"lr": "0.01", "momentum": "0", "nesterov": False, "weight_decay": "0"},
    "adam": {"lr": "0.001", "beta1": "0.9", "beta2": "0.999", "eps": "1e-7", "weight_decay": "0", "amsgrad": False},
    "adamw": {"lr": "0.001", "beta1": "0.9", "beta2": "0.999", "eps": "1e-7", "weight_decay": "0.004", "amsgrad": False},
    "rmsprop": {"lr": "0.001", "rho": "0.9", "eps": "1e-7", "momentum": "0", "centered": False, "weight_decay": "0"},
    "adagrad": {"lr": "0.001", "initial_accumulator_value": "0.1", "eps": "1e-7", "weight_decay": "0"},
}
PRESET_DEFAULTS = {"pytorch": TORCH_DEFAULTS, "paper": TORCH_DEFAULTS, "keras": KERAS_DEFAULTS}


def keras_counterpart(opt, o, what):
    """The torch.optim optimizer (name, options) whose trajectory is exactly Keras's `opt` with options `o`
    (every option, Keras defaults filled in), or ValueError when there is none."""
    def refuse(why):
        raise ValueError(f"{what}: conventions keras, optimizer {opt}: {why}; no torch.optim optimizer "
                         f"computes the same steps, so this generator cannot make a fixture for it")

    wd = o["weight_decay"]
    if opt == "sgd":
        mu = o["momentum"]
        if mu != 0 and wd != 0:
            refuse("Keras decays the param outside the velocity (p - p*wd*lr), torch's SGD adds wd*p to the "
                   "gradient inside the momentum buffer; they agree only without momentum")
        # velocity v = mu*v - lr*g, p += v (nesterov: p += mu*v - lr*g) is torch's buffer b = mu*b + g,
        # p -= lr*b (nesterov: p -= lr*(g + mu*b)) with v = -lr*b, for a constant lr and no dampening;
        # without momentum, decoupled decay p - p*wd*lr - lr*g is torch's coupled p - lr*(g + wd*p).
        out = {"lr": o["lr"], "weight_decay": wd}
        if mu != 0:
            out.update(momentum=mu, nesterov=o["nesterov"])
        return "sgd", out
    if o["eps"] != 0:
        why = {
            "adam": "Keras adds eps (epsilon-hat) to the uncorrected sqrt(v), torch to the bias-corrected one",
            "adamw": "Keras adds eps (epsilon-hat) to the uncorrected sqrt(v), torch to the bias-corrected one",
            "rmsprop": "Keras puts eps inside the square root, torch outside",
            "adagrad": "Keras puts eps inside the square root, torch outside",
        }[opt]
        refuse(f"eps {o['eps']!r} (give eps: 0): {why}")
    if opt in ("adam", "adamw"):
        # lr*sqrt(1-b2^t)/(1-b1^t) * m/sqrt(v) == lr * (m/(1-b1^t)) / sqrt(v/(1-b2^t)); amsgrad's max is
        # on the raw v in both. Keras's decay is always decoupled: torch's AdamW (p*(1 - lr*wd) first).
        out = {"lr": o["lr"], "beta1": o["beta1"], "beta2": o["beta2"], "eps": 0.0, "amsgrad": o["amsgrad"]}
        if wd != 0:
            return "adamw", dict(out, weight_decay=wd)
        return "adam", dict(out, weight_decay=0.0)
    if wd != 0:
        refuse("Keras decays the param outside the step (p - p*wd*lr), torch adds wd*p to the gradient, "
               "which then enters the square-gradient average")
    if opt == "rmsprop":
        # Keras's rho is torch's alpha; momentum: Keras buf = mu*buf + lr*g/sqrt(v) is lr times torch's
        return "rmsprop", {"lr": o["lr"], "alpha": o["rho"], "eps": 0.0, "momentum": o["momentum"],
                           "centered": o["centered"]}
    if opt == "adagrad":
        return "adagrad", {"lr": o["lr"], "initial_accumulator_value": o["initial_accumulator_value"], "eps": 0.0}
    raise ValueError(f"{what}: unknown optimizer {opt!r}")


# --------------------------------------------------------------------------- spec


def load_spec(path):
    with open(path) as fh:
        raw = yaml.load(fh, Loader=_StrNumLoader)
    name = path.stem
    known_keys = {"$schema", "precision", "model", "params", "frozen", "constants", "data", "loss", "training",
                  "conventions"}
    unknown = set(raw) - known_keys
    if unknown:
        raise ValueError(f"{name}: unknown keys {sorted(unknown)}")

    # conventions: a preset name, or a mapping { preset, relu_at_zero }
    conv = raw.get("conventions", "pytorch")
    if isinstance(conv, str):
        conv = {"preset": conv}
    preset = str(conv.get("preset", "pytorch"))
    if preset not in PRESET_OPTIONS:
        raise ValueError(f"{name}: unknown conventions preset {preset!r}")
    for k, v in conv.items():
        if k == "preset":
            continue
        if k == "relu_at_zero" and num(v, "relu_at_zero") == 0.0:
            continue  # torch's relu'(0) is 0, leaky_relu'(0) is the slope: nothing else is possible here
        raise ValueError(f"{name}: convention {k}={v!r} cannot be reproduced by this generator")

    model = raw["model"]
    unknown = set(model) - {"inputs", "neurons", "layers", "outputs"}
    if unknown:
        raise ValueError(f"{name}: unknown model keys {sorted(unknown)}")
    raw_inputs = model.get("inputs", [])
    if isinstance(raw_inputs, list):
        inputs = [str(x) for x in raw_inputs]
    else:
        inputs = [f"x{i}" for i in range(1, integer(raw_inputs, f"{name}: model.inputs") + 1)]

    # params: scalars, vectors (b -> b_1, b_2, ...), matrices (W -> W_1_1, W_1_2, ...; row j is unit j)
    ptext, groups = [], {}
    for k, v in (raw.get("params") or {}).items():
        k = str(k)
        if isinstance(v, list):
            if all(not isinstance(e, list) for e in v):
                names = [f"{k}_{j}" for j in range(1, len(v) + 1)]
                ptext += [(n, str(e).strip()) for n, e in zip(names, v)]
                groups[k] = (names, (len(v),))
            elif all(isinstance(e, list) for e in v) and len({len(e) for e in v}) == 1:
                names = []
                for j, row in enumerate(v, 1):
                    for i, e in enumerate(row, 1):
                        names.append(f"{k}_{j}_{i}")
                        ptext.append((f"{k}_{j}_{i}", str(e).strip()))
                groups[k] = (names, (len(v), len(v[0])))
            else:
                raise ValueError(f"{name}: param {k}: a vector or a matrix with rows of equal length")
        else:
            ptext.append((k, str(v).strip()))
    params = [(k, num(v, f"{name}: param {k}")) for k, v in ptext]
    param_names = {k for k, _ in params}
    ctext = [(str(k), str(v).strip()) for k, v in (raw.get("constants") or {}).items()]
    constants = [(k, num(v, f"{name}: constant {k}")) for k, v in ctext]

    # neurons: written out, or dense layers
    layers = None
    if "neurons" in model and "layers" in model:
        raise ValueError(f"{name}: model has both neurons and layers")
    if "layers" in model:
        layers = []
        for i, l in enumerate(model["layers"], 1):
            unknown = set(l) - {"units", "activation", "name", "bias"}
            if unknown:
                raise ValueError(f"{name}: layer {i}: unknown keys {sorted(unknown)}")
            layer = {"units": integer(l["units"], f"{name}: layer {i} units"),
                     "activation": str(l.get("activation", "linear")),
                     "name": str(l["name"]) if l.get("name") else None,
                     "bias": boolean(l.get("bias", True), f"{name}: layer {i} bias")}
            if layer["activation"] not in ACTIVATIONS:
                raise ValueError(f"{name}: layer {i}: unknown activation {layer['activation']!r}")
            if layer["units"] < 1:
                raise ValueError(f"{name}: layer {i}: no units")
            layers.append(layer)
        neurons, layer_outputs, needs = expand_layers(inputs, layers)
        for (l, w, rows_, cols, b) in needs:
            if w not in groups or groups[w][1] != (rows_, cols):
                raise ValueError(f"{name}: layer {l} needs params.{w}, a {rows_}x{cols} matrix")
            if b is not None and (b not in groups or groups[b][1] != (rows_,)):
                raise ValueError(f"{name}: layer {l} needs params.{b}, a vector of {rows_}")
    else:
        neurons = [(str(k), str(v)) for k, v in (model.get("neurons") or {}).items()]
        layer_outputs = None
    neuron_names = [n for n, _ in neurons]
    outputs = [str(x) for x in model["outputs"]] if model.get("outputs") else (
        layer_outputs if layer_outputs is not None else neuron_names[-1:])

    # data: rows, or a CSV file beside the spec
    if isinstance(raw["data"], str):
        rows_text = read_csv(path.parent / raw["data"], f"{name}: data")
    else:
        rows_text = [{str(k): str(v).strip() for k, v in row.items()} for row in raw["data"]]
    rows = []
    for i, row in enumerate(rows_text):
        rows.append({k: num(v, f"{name}: data row {i + 1} {k}") for k, v in row.items()})

    # loss: an expression, or a loss by name over the outputs and targets
    loss = raw["loss"]
    unknown = set(loss) - {"sample", "name", "targets", "reduce", "penalty"}
    if unknown:
        raise ValueError(f"{name}: unknown loss keys {sorted(unknown)}")
    loss_name = str(loss["name"]) if loss.get("name") is not None else None
    if (loss_name is None) == (loss.get("sample") is None):
        raise ValueError(f"{name}: give loss.sample or loss.name")
    loss_targets = None
    if loss_name is not None:
        if loss_name not in LOSSES:
            raise ValueError(f"{name}: unknown loss {loss_name!r}")
        loss_targets = ([str(t) for t in loss["targets"]] if loss.get("targets") is not None
                        else (["y"] if len(outputs) == 1 else [f"y{k}" for k in range(1, len(outputs) + 1)]))
        if len(loss_targets) != len(outputs):
            raise ValueError(f"{name}: {len(outputs)} outputs need as many targets, got {loss_targets}")
        sample_text, reduce = named_loss(loss_name, outputs, loss_targets)
        reduce = str(loss.get("reduce", reduce))
    else:
        sample_text, reduce = str(loss["sample"]), str(loss.get("reduce", "mean"))
    if reduce not in ("mean", "sum"):
        raise ValueError(f"{name}: reduce must be mean or sum")

    # training
    tr = dict(raw["training"])
    opt_name = tr.pop("optimizer")
    if not isinstance(opt_name, str):
        raise ValueError(f"{name}: an optimizer written as equations has no torch.optim counterpart")
    epochs = integer(tr.pop("epochs", 1), f"{name}: epochs")
    batch = tr.pop("batch", "full")
    batch = len(rows) if str(batch) == "full" else integer(batch, f"{name}: batch")
    if batch < 1:
        raise ValueError(f"{name}: batch must be >= 1")
    table = PRESET_OPTIONS[preset]
    if opt_name not in table:
        raise ValueError(f"{name}: unknown optimizer {opt_name!r} for conventions {preset}")
    allowed = table[opt_name]
    given = {}
    for k, v in tr.items():
        if k not in allowed:
            raise ValueError(f"{name}: option {k!r} is not an option of {opt_name} ({preset})")
        given[k] = allowed[k](v, f"{name}: training.{k}")
    option_text = {str(k): str(v).strip() for k, v in tr.items() if not isinstance(v, bool)}
    flags = {k: v for k, v in PRESET_DEFAULTS[preset][opt_name].items() if isinstance(v, bool)}
    flags.update({k: v for k, v in given.items() if isinstance(v, bool)})
    if preset == "keras":
        filled = {k: (v if isinstance(v, bool) else float(v)) for k, v in KERAS_DEFAULTS[opt_name].items()}
        filled.update(given)
        torch_name, options = keras_counterpart(opt_name, filled, name)
    else:
        torch_name, options = opt_name, dict(given)
        if opt_name == "sgd" and "lr" not in options:
            options["lr"] = 0.001

    # frozen: scalar params, or whole vectors/matrices by name
    frozen = set()
    for f in raw.get("frozen") or []:
        f = str(f)
        if f in groups:
            frozen.update(groups[f][0])
        elif f in param_names:
            frozen.add(f)
        else:
            raise ValueError(f"{name}: frozen {f!r} is not a param")

    # names
    targets = []
    for row in rows:
        for k in row:
            if k not in inputs and k not in targets:
                targets.append(k)
    name_groups = [("input", inputs), ("param", [p for p, _ in params]),
                   ("constant", [c for c, _ in constants]), ("neuron", neuron_names),
                   ("target", targets)]
    seen = {}
    for kind, names in name_groups:
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
    for t in loss_targets or []:
        if t not in targets:
            raise ValueError(f"{name}: target {t!r} is not a data column")

    base = set(inputs) | {p for p, _ in params} | {c for c, _ in constants}
    known = set(base)
    compiled_neurons = []
    for n, e in neurons:
        compiled_neurons.append((n, translate(e, known, f"{name}: neuron {n}")))
        known.add(n)
    sample = translate(sample_text, known | set(targets), f"{name}: loss.sample")
    pen_src = loss.get("penalty")
    penalty = None
    if pen_src is not None and str(pen_src).strip() != "":
        penalty = translate(pen_src, {p for p, _ in params} | {c for c, _ in constants},
                            f"{name}: loss.penalty")

    # the logits of softmax outputs, for F.cross_entropy: a softmax last layer, or outputs written as
    # softmax(1, a, b, c), softmax(2, a, b, c), ... over the same names
    logits = None
    if layers is not None and layers[-1]["activation"] == "softmax" and outputs == layer_outputs:
        logits = [f"z{len(layers)}_{j}" for j in range(1, layers[-1]["units"] + 1)]
    elif layers is None:
        written = dict(neurons)
        args = []
        for k, o in enumerate(outputs, 1):
            m = re.fullmatch(r"\s*softmax\(\s*(\d+)\s*,([A-Za-z0-9_,\s]+)\)\s*", written.get(o, ""))
            args.append([a.strip() for a in m.group(2).split(",")] if m and int(m.group(1)) == k else None)
        if args and all(a is not None and a == args[0] and len(a) == len(outputs) for a in args):
            logits = args[0]

    return {
        "name": name, "inputs": inputs, "targets": targets, "neurons": compiled_neurons,
        "layers": layers, "outputs": outputs,
        "params": params, "constants": constants, "rows": rows, "reduce": reduce,
        "sample": sample, "penalty": penalty, "loss_name": loss_name, "loss_targets": loss_targets,
        "logits": logits, "frozen": frozen,
        "preset": preset, "optimizer": opt_name, "flags": flags,
        "torch_optimizer": torch_name, "cls": TORCH_CLASSES[torch_name], "options": options,
        "epochs": epochs, "batch": batch,
        "text": {"params": ptext, "constants": ctext, "rows": rows_text, "options": option_text},
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


def forward_layers(spec, params, base, batch, idx, step, watch, flip_at):
    """The dense layers over a whole batch: H = act(X @ W.T + b), W the (units x inputs) matrix of the
    layer's 0-d param tensors. Returns, per row, the values of every neuron (and softmax logit) by name."""
    X = torch.tensor([[row[x] for x in spec["inputs"]] for row in batch], dtype=torch.float64)
    vs = [dict(base[r]) for r in range(len(batch))]
    prev = X
    for l, layer in enumerate(spec["layers"], 1):
        units, cols = layer["units"], prev.shape[1]
        W = torch.stack([torch.stack([params[f"W{l}_{j}_{i}"] for i in range(1, cols + 1)])
                         for j in range(1, units + 1)])
        Z = prev @ W.T
        if layer["bias"]:
            Z = Z + torch.stack([params[f"b{l}_{j}"] for j in range(1, units + 1)])
        names = [unit_name(layer, l, j) for j in range(1, units + 1)]
        act = layer["activation"]
        if act in ("relu", "leaky_relu"):
            flip = torch.zeros(Z.shape, dtype=torch.bool)
            for r, ri in enumerate(idx):
                for j, n in enumerate(names):
                    where = (step, ri + 1, n)
                    watch.see(Z[r, j], act, where)
                    if flip_at is not None and where == flip_at:
                        flip[r, j] = True
            slope = 0.0 if act == "relu" else 0.01
            if flip.any():
                zd = Z.detach()
                H = torch.where((zd > 0) | (flip & (zd >= 0)), Z, slope * Z)
            else:
                H = torch.relu(Z) if act == "relu" else F.leaky_relu(Z, negative_slope=slope)
        elif act == "softplus":
            for r, ri in enumerate(idx):
                for j, n in enumerate(names):
                    if float(Z[r, j]) > 20.0:
                        watch.softplus_linear.append((step, ri + 1, n, float(Z[r, j])))
            H = F.softplus(Z)
        elif act == "sigmoid":
            H = torch.sigmoid(Z)
        elif act == "tanh":
            H = torch.tanh(Z)
        elif act == "softmax":
            H = torch.softmax(Z, dim=1)
            for r in range(len(batch)):
                for j in range(units):
                    vs[r][f"z{l}_{j + 1}"] = Z[r, j]
        else:
            H = Z
        for r in range(len(batch)):
            for j, n in enumerate(names):
                vs[r][n] = H[r, j]
        prev = H
    return vs


def named_loss_torch(spec, vs, batch, idx, step, watch):
    """The per-sample named loss with torch.nn.functional, over the batch as (rows x outputs) tensors."""
    O = torch.stack([torch.stack([v[o] for o in spec["outputs"]]) for v in vs])
    Y = torch.tensor([[row[t] for t in spec["loss_targets"]] for row in batch], dtype=torch.float64)
    name = spec["loss_name"]
    if name in ("mse", "sse", "half_sse"):
        se = F.mse_loss(O, Y, reduction="none")
        return {"mse": se.mean(dim=1), "sse": se.sum(dim=1), "half_sse": se.sum(dim=1) / 2}[name]
    if name == "mae":
        d = (O - Y).detach()
        for r, ri in enumerate(idx):
            for k, o in enumerate(spec["outputs"]):
                watch.see(d[r, k], "abs", (step, ri + 1, f"loss |{spec['loss_targets'][k]} - {o}|"))
        return F.l1_loss(O, Y, reduction="none").mean(dim=1)
    if name == "bce":
        return F.binary_cross_entropy(O, Y, reduction="none").mean(dim=1)
    if name == "cross_entropy":
        if spec["logits"] is None:
            return -(Y * torch.log(O)).sum(dim=1)
        Z = torch.stack([torch.stack([v[z] for z in spec["logits"]]) for v in vs])
        one_hot = bool(((Y == 0) | (Y == 1)).all()) and bool((Y.sum(dim=1) == 1).all())
        if one_hot:
            return F.cross_entropy(Z, Y.argmax(dim=1), reduction="none")  # class indices
        return F.cross_entropy(Z, Y, reduction="none")  # class probabilities
    raise ValueError(name)


def train(spec, watch, flip_at=None, loss_form="torch"):
    """loss_form: "torch" computes a named loss with torch.nn.functional; "formula" evaluates the
    written formula of src/spec/losses.ts instead (a check that the two agree)."""
    params = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in spec["params"]}
    consts = {k: torch.tensor(v, dtype=torch.float64) for k, v in spec["constants"]}
    order = [k for k, _ in spec["params"]]
    trainable = [k for k in order if k not in spec["frozen"]]

    opts = dict(spec["options"])
    b1, b2 = opts.pop("beta1", None), opts.pop("beta2", None)
    if b1 is not None or b2 is not None:
        d1, d2 = 0.9, 0.999  # torch's default betas, for a spec that gives only one of them
        opts["betas"] = (d1 if b1 is None else b1, d2 if b2 is None else b2)
    # frozen params are left out of the optimizer: torch never touches them (no decay, no state)
    optimizer = spec["cls"]([params[k] for k in trainable], foreach=False, **opts) if trainable else None

    funcs = make_functions(watch, flip_at)
    rows, bs = spec["rows"], spec["batch"]
    batches = [rows[i:i + bs] for i in range(0, len(rows), bs)]
    row_index = [list(range(i, min(i + bs, len(rows)))) for i in range(0, len(rows), bs)]

    steps = []
    step = 0
    for _epoch in range(spec["epochs"]):
        for batch, idx in zip(batches, row_index):
            step += 1
            for p in params.values():  # optimizer.zero_grad() would miss the frozen ones
                p.grad = None
            base = []
            for row in batch:
                v = {}
                v.update(params)
                v.update(consts)
                for k in spec["inputs"]:
                    v[k] = torch.tensor(row[k], dtype=torch.float64)
                for k in spec["targets"]:
                    v[k] = torch.tensor(row[k], dtype=torch.float64)
                base.append(v)
            if spec["layers"] is not None:
                vs = forward_layers(spec, params, base, batch, idx, step, watch, flip_at)
            else:
                vs = []
                for v, ri in zip(base, idx):
                    for n, code in spec["neurons"]:
                        watch.where = (step, ri + 1, n)
                        v[n] = torch.as_tensor(code.eval(v, funcs))
                    vs.append(v)
            if spec["loss_name"] is not None and loss_form == "torch":
                s = named_loss_torch(spec, vs, batch, idx, step, watch)
                data = s.mean() if spec["reduce"] == "mean" else s.sum()
            else:
                data = None
                for v, ri in zip(vs, idx):
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
            if optimizer is not None:
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


def worst_difference(a, b):
    """Largest relative difference between two flattened runs (a: floats; b: floats or mpf)."""
    worst, where = 0.0, None
    for k, x in a.items():
        y = b[k]
        scale = max(abs(x), abs(float(y)))
        d = 0.0 if scale == 0.0 else float(abs(x - y) / scale)
        if d > worst:
            worst, where = d, k
    return worst, where


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
# the exact values the engine computes, and whether torch's optimizers follow those formulas. Dense
# layers are evaluated as their scalar equations (expand_layers), named losses as their written formulas,
# and a keras spec with Keras's own update formulas (not the torch counterpart torch ran), so the check
# also confirms that the counterpart is exact.


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

    def abs_(x):  # |x|' = sign(x), 0 at 0 (as torch)
        x = D.lift(x)
        if abs(x.v) < tiny:
            return D(zero)
        return chain(x, abs(x.v), mpf(1) if x.v > 0 else mpf(-1))

    def max_(a, b):  # a tie gives derivative 0 to both (heaviside(0) with relu_at_zero 0, as the engine)
        a, b = D.lift(a), D.lift(b)
        if abs(a.v - b.v) < tiny:
            return D(a.v)
        return a if a.v > b.v else b

    def min_(a, b):
        a, b = D.lift(a), D.lift(b)
        if abs(a.v - b.v) < tiny:
            return D(a.v)
        return a if a.v < b.v else b

    def softmax(k, *z):  # d s_k / d z_i = s_k * (delta_ki - s_i)
        k = int(D.lift(k).v)
        z = [D.lift(t) for t in z]
        top = max(t.v for t in z)
        e = [mpmath.exp(t.v - top) for t in z]
        total = sum(e)
        s = [x / total for x in e]
        sk = s[k - 1]
        d = [zero] * n
        for i, t in enumerate(z):
            c = sk * ((1 if i == k - 1 else 0) - s[i])
            d = [x + c * y for x, y in zip(d, t.d)]
        return D(sk, d)

    funcs = {"relu": relu, "leaky_relu": leaky_relu, "sigmoid": sigmoid, "tanh": tanh,
             "softplus": softplus, "exp": exp, "log": log, "sqrt": sqrt, "abs": abs_,
             "max": max_, "min": min_, "softmax": softmax}

    T = spec["text"]
    p = {k: mpf(v) for k, v in T["params"]}
    consts = {k: D(mpf(v)) for k, v in T["constants"]}
    rows = [{k: mpf(v) for k, v in row.items()} for row in T["rows"]]
    kind, preset = spec["optimizer"], spec["preset"]
    o = {k: mpf(v) for k, v in PRESET_DEFAULTS[preset][kind].items() if not isinstance(v, bool)}
    o.update({k: mpf(v) for k, v in T["options"].items()})
    flag = spec["flags"]
    state = {k: {} for k in order}
    for k in order:
        if kind == "adagrad":
            state[k]["sum"] = o["initial_accumulator_value"]
        for s_ in ("m", "v", "vmax", "buf", "ga", "velocity"):
            state[k][s_] = zero
    frozen = spec["frozen"]

    def torch_update(g, st, w, t):
        if kind != "adamw":
            g = g + o["weight_decay"] * w
        if kind == "sgd":
            if o["momentum"] != 0:
                st["buf"] = g if t == 1 else o["momentum"] * st["buf"] + (1 - o["dampening"]) * g
                g = g + o["momentum"] * st["buf"] if flag["nesterov"] else st["buf"]
            return w - o["lr"] * g
        if kind in ("adam", "adamw"):
            if kind == "adamw":
                w = w * (1 - o["lr"] * o["weight_decay"])
            b1, b2 = o["beta1"], o["beta2"]
            st["m"] = b1 * st["m"] + (1 - b1) * g
            st["v"] = b2 * st["v"] + (1 - b2) * g * g
            vv = st["v"]
            if flag["amsgrad"]:
                st["vmax"] = vv = max(st["vmax"], vv)
            denom = mpmath.sqrt(vv / (1 - b2 ** t)) + o["eps"]
            return w - o["lr"] * (st["m"] / (1 - b1 ** t)) / denom
        if kind == "rmsprop":
            a = o["alpha"]
            st["v"] = a * st["v"] + (1 - a) * g * g
            vv = st["v"]
            if flag["centered"]:
                st["ga"] = a * st["ga"] + (1 - a) * g
                vv = vv - st["ga"] ** 2
            avg = mpmath.sqrt(vv) + o["eps"]
            if o["momentum"] > 0:
                st["buf"] = o["momentum"] * st["buf"] + g / avg
                return w - o["lr"] * st["buf"]
            return w - o["lr"] * g / avg
        if kind == "adagrad":
            clr = o["lr"] / (1 + (t - 1) * o["lr_decay"])
            st["sum"] = st["sum"] + g * g
            return w - clr * g / (mpmath.sqrt(st["sum"]) + o["eps"])
        raise ValueError(kind)

    def keras_update(g, st, w, t):
        # src/optimizers/keras.ts / shared notes: decoupled decay p - p*wd*lr before the step
        lr = o["lr"]
        base = w - w * o["weight_decay"] * lr if o["weight_decay"] != 0 else w
        if kind == "sgd":
            if o["momentum"] != 0:
                st["velocity"] = o["momentum"] * st["velocity"] - lr * g
                if flag["nesterov"]:
                    return base + o["momentum"] * st["velocity"] - lr * g
                return base + st["velocity"]
            return base - lr * g
        if kind in ("adam", "adamw"):
            b1, b2 = o["beta1"], o["beta2"]
            st["m"] = b1 * st["m"] + (1 - b1) * g
            st["v"] = b2 * st["v"] + (1 - b2) * g * g
            vv = st["v"]
            if flag["amsgrad"]:
                st["vmax"] = vv = max(st["vmax"], vv)
            alpha = lr * mpmath.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            return base - alpha * st["m"] / (mpmath.sqrt(vv) + o["eps"])
        if kind == "rmsprop":
            rho = o["rho"]
            st["velocity"] = rho * st["velocity"] + (1 - rho) * g * g
            if flag["centered"]:
                st["ga"] = rho * st["ga"] + (1 - rho) * g
                inc = lr * g / mpmath.sqrt(st["velocity"] - st["ga"] ** 2 + o["eps"])
            else:
                inc = lr * g / mpmath.sqrt(st["velocity"] + o["eps"])
            if o["momentum"] != 0:
                st["buf"] = o["momentum"] * st["buf"] + inc
                return base - st["buf"]
            return base - inc
        if kind == "adagrad":
            st["sum"] = st["sum"] + g * g
            return base - lr * g / mpmath.sqrt(st["sum"] + o["eps"])
        raise ValueError(kind)

    update = keras_update if preset == "keras" else torch_update

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
                if k not in frozen:
                    p[k] = update(grads[k], state[k], p[k], t)
            steps.append({"step": t, "loss": {"data": data.v, "penalty": pen.v, "total": total.v},
                          "gradients": grads, "params": dict(p)})
    return steps


def crosscheck(spec, steps):
    """Largest relative difference between the torch float64 values and the exact recomputation."""
    try:
        exact = flatten(exact_run(spec))
    except ImportError:
        return None, None
    return worst_difference(flatten(steps), exact)


def describe_optimizer(spec):
    opts = ", ".join(f"{k}={v!r}" for k, v in spec["options"].items())
    torch_call = f"torch.optim.{spec['cls'].__name__}({opts})"
    if spec["preset"] == "keras":
        return f"keras {spec['optimizer']} -> {torch_call}"
    return f"{spec['preset']} {spec['optimizer']}: {torch_call}"


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
    worst_forms = 0.0
    for path in files:
        try:
            spec = load_spec(path)
        except ValueError as e:
            sys.exit(f"error: {e}")
        watch = KinkWatch()
        steps = train(spec, watch)
        entry = {"steps": as_text(steps)}
        relu_kinks = [k for k in watch.kinks if k[0] in ("relu", "leaky_relu")]
        if relu_kinks:
            # which gradients of the kink's step would change if the derivative there were 1, not torch's 0
            entry["kinks"] = []
            for (fn, st, row, at) in relu_kinks:
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
            d, k = worst_difference(ref, flatten(train(perturbed(spec, rng), KinkWatch())))
            if d > worst:
                worst, worst_key = d, k
        if not watch.kinks:
            worst_overall = max(worst_overall, worst)

        losses = " ".join(f"{s['loss']['total']:.6g}" for s in steps)
        print(f"{spec['name']}: {describe_optimizer(spec)}; {len(steps)} steps, batch {spec['batch']}, "
              f"total loss {losses}")
        if spec["frozen"]:
            print(f"    frozen (not in the optimizer): {', '.join(k for k, _ in spec['params'] if k in spec['frozen'])}")
        mw = watch.min_where
        if watch.min_abs < math.inf:
            print(f"    min |kink argument| {watch.min_abs:.3g} ({watch.min_fn}: step {mw[0]}, row {mw[1]}, {mw[2]})")
        for fn, st, row, at in watch.kinks:
            print(f"    KINK: {fn} argument exactly 0 at step {st}, row {row}, {at}")
        for fn, st, row, at, v in watch.near:
            print(f"    NEAR KINK: {fn} argument {v!r} at step {st}, row {row}, {at}")
        for st, row, at, v in watch.softplus_linear:
            print(f"    SOFTPLUS > 20 (torch returns x): {v!r} at step {st}, row {row}, {at}")
        if spec["loss_name"] is not None:
            how = {"cross_entropy": ("F.cross_entropy on the logits" if spec["logits"] else "-(Y*log(O)).sum(1)"),
                   "bce": "F.binary_cross_entropy", "mae": "F.l1_loss"}.get(spec["loss_name"], "F.mse_loss")
            d, k = worst_difference(ref, flatten(train(spec, KinkWatch(), loss_form="formula")))
            worst_forms = max(worst_forms, d)
            flag = "  DISAGREE" if d > 1e-13 else ""
            print(f"    loss {spec['loss_name']}: {how} vs the written formula in torch: worst relative "
                  f"difference {d:.2g} ({k}){flag}")
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
          f"worst difference from the exact cross-check {worst_exact:.2g}; "
          f"named losses, torch.nn.functional vs formula: {worst_forms:.2g}")


if __name__ == "__main__":
    main()
