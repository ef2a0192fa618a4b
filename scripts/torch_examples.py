#!/usr/bin/python3
"""PyTorch float64 reference values for the torch-style examples in examples/.

Reads every examples/*.yaml written the torch.nn way (tensor inputs, torch.nn layer types), builds the same
model from real torch.nn modules in float64 (the layer builder of scripts/torch_layer_fixtures.py), loads
the example's params with load_state_dict, runs it as the example says and writes
test/fixtures/examples-torch.json. Run by hand with /usr/bin/python3 (Debian's python3-torch, python3-yaml;
python3-mpmath and python3-numpy for the cross-check); CI never runs it: test/examples-torch.test.ts reads
the JSON.

Beyond the layer fixtures' format, an example may have:
- no `training` section: one forward and backward pass, nothing updated (the state_dict is written
  unchanged, as step 1);
- `loss: { upstream: g }`: dL/d(output) given per data row, the column g shaped like the output; the loss is
  sum(g * output) over the batch, whose backward pass is what output.backward(g) computes.

Written per example (key: the file's stem), as scripts/torch_layer_fixtures.py writes them:
- steps: per step `loss` (at the start of the step), `gradients` (d loss / d param), `params` (the whole
  state_dict after the step, buffers included);
- forward: per row of step 1's batch, `outputs`, `layers` (each layer's output, unbatched) and
  `input_grads` (dL/dx of that row; not for an index input);
- kink_watch: the smallest |value| entering a ReLU/LeakyReLU and the smallest gap between a max-pool
  window's two largest values, so that no example sits at a kink;
- training: whether the example trains; notes: its leading comment.

The run also prints two checks that float64 is good to well under 1e-12 on these numbers: the largest
relative change when every param, data value and option moves by about one ulp, and (with mpmath) the
largest relative difference of step 1's loss, layer outputs, gradients and input gradients from an
80-digit recomputation without torch (the layer fixtures' formulas, gradients by central differences).
"""

import json
import random
import sys
from collections import OrderedDict
from pathlib import Path

import torch
import torch.nn.functional as F
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch_layer_fixtures as tlf  # noqa: E402
from torch_fixtures import _StrNumLoader, integer, num  # noqa: E402

torch.set_default_dtype(torch.float64)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
OUT_FILE = ROOT / "test" / "fixtures" / "examples-torch.json"


def is_torch_style(raw):
    model = raw.get("model") if isinstance(raw, dict) else None
    return isinstance(model, dict) and isinstance(model.get("inputs"), dict)


def load(path, raw):
    name = path.stem
    model = raw["model"]
    (in_name, in_shape), = model["inputs"].items()
    in_name = str(in_name)
    in_shape = [integer(d, f"{name}: input shape") for d in in_shape]
    layers = model["layers"]
    is_index = str(layers[0]["type"]) == "Embedding"
    params = OrderedDict()
    for k, v in (raw.get("params") or {}).items():
        k = str(k)
        if k.endswith("num_batches_tracked"):
            params[k] = torch.tensor(integer(v, f"{name}: {k}"), dtype=torch.long)
        else:
            params[k] = torch.tensor(tlf.nested(v, num, f"{name}: param {k}"), dtype=torch.float64)
    loss = raw["loss"]
    if "upstream" in loss:
        kind, column = "upstream", str(loss["upstream"])
    else:
        kind = str(loss["name"])
        if kind not in ("mse", "cross_entropy"):
            raise ValueError(f"{name}: loss {kind!r} not supported (mse, cross_entropy, upstream)")
        (column,) = [str(t) for t in loss.get("targets") or ["y"]]
    rows = []
    for r, row in enumerate(raw["data"]):
        conv = integer if is_index else num
        x = torch.tensor(tlf.nested(row[in_name], conv, f"{name}: row {r + 1}"),
                         dtype=torch.long if is_index else torch.float64)
        if list(x.shape) != in_shape:
            raise ValueError(f"{name}: row {r + 1}: {in_name} has shape {list(x.shape)}, not {in_shape}")
        rows.append((x, torch.tensor(tlf.nested(row[column], num, f"{name}: row {r + 1} {column}"))))
    training = raw.get("training")
    tr = dict(training or {})
    opt = str(tr.pop("optimizer", "sgd"))
    epochs = integer(tr.pop("epochs", 1), f"{name}: epochs")
    batch = tr.pop("batch", "full")
    batch = len(rows) if str(batch) == "full" else integer(batch, f"{name}: batch")
    options = {k: tlf.TORCH_OPTIONS[opt][k](v, f"{name}: training.{k}") for k, v in tr.items()}
    if opt == "sgd" and "lr" not in options:
        options["lr"] = 0.001
    return {"name": name, "input": in_name, "is_index": is_index, "raw_layers": layers, "params": params,
            "rows": rows, "loss": kind, "optimizer": opt, "options": options, "epochs": epochs if training else 1,
            "batch": batch, "training": training is not None, "notes": tlf.leading_comment(path)}


def run(spec, watch):
    torch.manual_seed(0)
    model, kinds = tlf.build(spec)
    model.train()
    sd = model.state_dict()
    missing = {k for k, _ in model.named_parameters()} - set(spec["params"])
    unknown = set(spec["params"]) - set(sd)
    if missing or unknown:
        raise ValueError(f"{spec['name']}: params missing {sorted(missing)}, unknown {sorted(unknown)}")
    model.load_state_dict(spec["params"], strict=False)
    opts = dict(spec["options"])
    b1, b2 = opts.pop("beta1", None), opts.pop("beta2", None)
    if b1 is not None or b2 is not None:
        opts["betas"] = (0.9 if b1 is None else b1, 0.999 if b2 is None else b2)
    optimizer = tlf.TORCH_CLASSES[spec["optimizer"]](model.parameters(), foreach=False, **opts) if spec["training"] else None

    rows, bs = spec["rows"], spec["batch"]
    order = [list(range(i, min(i + bs, len(rows)))) for i in range(0, len(rows), bs)]
    steps, forward, step = [], None, 0
    for _epoch in range(spec["epochs"]):
        for idx in order:
            step += 1
            model.zero_grad(set_to_none=True)
            X = torch.stack([rows[i][0] for i in idx])
            Y = torch.stack([rows[i][1] for i in idx])
            if not spec["is_index"]:
                X.requires_grad_(True)
            h, outs = X, []
            for li, (mod, kind) in enumerate(zip(model, kinds), 1):
                if isinstance(mod, tlf.MaskedDropout):
                    mod.rows = torch.tensor(idx)
                if kind in ("ReLU", "LeakyReLU"):
                    watch.see_relu(h, step, idx, li, kind)
                elif kind in ("MaxPool1d", "MaxPool2d"):
                    watch.see_pool(mod, h, step, idx, li, kind)
                elif kind == "Softplus":
                    watch.see_softplus(mod, h, step, idx, li)
                h = mod(h)
                outs.append(h)
            if tuple(h.shape) != tuple(Y.shape):
                raise ValueError(f"{spec['name']}: output shape {list(h.shape[1:])}, data column {list(Y.shape[1:])}")
            if spec["loss"] == "mse":
                loss = F.mse_loss(h, Y)
            elif spec["loss"] == "cross_entropy":
                loss = -(Y * torch.log(h)).reshape(len(idx), -1).sum(dim=1).mean()
            else:  # upstream: h.backward(Y) is the gradient of sum(Y * h)
                loss = (Y * h).sum()
            loss.backward()
            grads = OrderedDict((k, torch.zeros_like(p) if p.grad is None else p.grad.detach().clone())
                                for k, p in model.named_parameters())
            if step == 1:
                forward = []
                for b, r in enumerate(idx):
                    e = {"row": r + 1, "outputs": tlf.text(h[b]), "layers": [tlf.text(o[b]) for o in outs]}
                    if not spec["is_index"]:
                        e["input_grads"] = {spec["input"]: tlf.text(X.grad[b])}
                    forward.append(e)
            if optimizer is not None:
                for p in model.parameters():
                    if p.grad is None:
                        p.grad = torch.zeros_like(p)
                optimizer.step()
            after = OrderedDict((k, v.detach().clone()) for k, v in model.state_dict().items())
            steps.append({"step": step, "rows": [i + 1 for i in idx], "loss": float(loss.detach()),
                          "gradients": grads, "params": after})
    return steps, forward


def exact_step1(spec, raw, entry):
    """Step 1 in 80 digits without torch (the layer fixtures' layer formulas): the loss, every layer's
    output, the gradients of the params and of the input (central differences, h = 1e-25). Returns the
    largest relative difference from `entry` and where."""
    mp, np = tlf.mp, tlf.np
    layers = spec["raw_layers"]
    P = {k: tlf.mp_M(v) for k, v in raw["params"].items() if not str(k).endswith("num_batches_tracked")}
    idx = [r - 1 for r in entry["steps"][0]["rows"]]
    column = str(raw["loss"].get("upstream") or (raw["loss"].get("targets") or ["y"])[0])
    iname = spec["input"]
    X = (np.array([np.array([int(str(v)) for v in raw["data"][i][iname]]) for i in idx]) if spec["is_index"]
         else tlf.mp_M([raw["data"][i][iname] for i in idx]))
    Y = tlf.mp_M([raw["data"][i][column] for i in idx])

    def loss_of(h):
        if spec["loss"] == "upstream":
            return np.sum(Y * h)
        return tlf.mp_loss_of(spec["loss"], h, Y)

    def L():
        return loss_of(tlf.mp_forward(layers, P, X, idx)[0])

    worst = [0.0, None]

    def cmp(exact, text, where):
        exact, text = np.asarray(exact, dtype=object).reshape(-1), list(tlf._leaves(text))
        for i, (a, t) in enumerate(zip(exact, text)):
            d = tlf.mp_rel(a, mp.mpf(t))
            if d > worst[0]:
                worst[0], worst[1] = d, f"{where}[{i}]"

    h, outs = tlf.mp_forward(layers, P, X, idx)
    cmp([loss_of(h)], [entry["steps"][0]["loss"]], "step 1 loss")
    for b, rec in enumerate(entry["forward"]):
        for j, o in enumerate(outs):
            cmp(o[b], rec["layers"][j], f"row {rec['row']} layer {j + 1}")
    hstep = mp.mpf("1e-25")

    def central(arr):
        g = tlf.mp_zeros(arr.shape)
        for pos in np.ndindex(*arr.shape):
            old = arr[pos]
            arr[pos] = old + hstep
            lp = L()
            arr[pos] = old - hstep
            lm = L()
            arr[pos] = old
            g[pos] = (lp - lm) / (2 * hstep)
        return g
    for k, want in entry["steps"][0]["gradients"].items():
        cmp(central(P[k]), want, f"step 1 gradient {k}")
    if not spec["is_index"]:
        gx = central(X)
        for b, rec in enumerate(entry["forward"]):
            cmp(gx[b], rec["input_grads"][iname], f"row {rec['row']} dL/d{iname}")
    return worst


def main():
    generator = f"torch {torch.__version__} float64"
    result = OrderedDict()
    for path in sorted(EXAMPLES.glob("*.yaml")):
        with open(path) as fh:
            raw = yaml.load(fh, Loader=_StrNumLoader)
        if not is_torch_style(raw):
            continue
        spec = load(path, raw)
        watch = tlf.KinkWatch()
        steps, forward = run(spec, watch)
        entry = OrderedDict()
        entry["generator"] = generator
        entry["notes"] = spec["notes"]
        entry["training"] = spec["training"]
        entry["steps"] = [{"step": s["step"], "rows": s["rows"], "loss": repr(s["loss"]),
                           "gradients": {k: tlf.as_text(v) for k, v in s["gradients"].items()},
                           "params": {k: tlf.as_text(v) for k, v in s["params"].items()}} for s in steps]
        entry["forward"] = forward
        entry["kink_watch"] = watch.report()
        result[spec["name"]] = entry

        ref = tlf.flatten(steps)
        ref.update(tlf.flatten_forward(forward))
        rng, worst, wk = random.Random(spec["name"]), 0.0, None
        for _ in range(4):
            p_steps, p_forward = run(tlf.perturbed(spec, rng), tlf.KinkWatch())
            other = tlf.flatten(p_steps)
            other.update(tlf.flatten_forward(p_forward))
            d, k = tlf.worst_difference(ref, other)
            if d > worst:
                worst, wk = d, k
        kw = entry["kink_watch"]
        losses = " ".join(f"{s['loss']:.6g}" for s in steps)
        what = "training " + spec["optimizer"] if spec["training"] else "forward only"
        print(f"{spec['name']}: {what}, loss {spec['loss']}; {len(steps)} step(s); loss {losses}")
        for key in ("relu_min_abs_input", "maxpool_min_gap"):
            if key in kw:
                print(f"    {key} {float(kw[key]['value']):.3g} at {kw[key]['at']}")
        for key in ("relu_inputs_exactly_0", "maxpool_ties", "softplus_linear_region"):
            for z in kw.get(key, []):
                print(f"    {key.upper()}: {z}")
        print(f"    ulp-perturbation: worst relative change {worst:.2g} ({wk})")
        if tlf.mp is not None:
            xw, xk = exact_step1(spec, raw, entry)
            print(f"    80-digit cross-check of step 1: worst relative difference {xw:.2g} ({xk})")
    OUT_FILE.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT_FILE, "w") as fh:
        json.dump(result, fh, indent=1)
        fh.write("\n")
    print(f"wrote {OUT_FILE.relative_to(ROOT)} ({len(result)} examples, {generator})")


if __name__ == "__main__":
    main()
