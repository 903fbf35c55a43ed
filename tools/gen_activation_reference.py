#!/usr/bin/python3
"""Writes tests/golden/activations.json: PyTorch 1.13 ground truth for every activation of activ.

Run with the system python that has torch 1.13:  /usr/bin/python3 tools/gen_activation_reference.py
The output is deterministic (fixed seeds, single thread).

JSON schema (all floating-point values are JSON *strings* so they round-trip exactly:
 float32 values are the shortest decimal that strtof() maps back to the same float, float64
 values are Python repr() (shortest for strtod()); "nan", "inf", "-inf" and "-0.0" are spelled out):

{
  "generator": "tools/gen_activation_reference.py", "torch": "<version>", "cpu_capability": "AVX2",
  "elementwise": [                      # one entry per (activation, option set, dtype)
    { "module": "ELU",                  # torch.nn name (or Swish / CReLU / LearnableGELU, see below)
      "options": {"alpha": 1.0, "inplace": false},   # JSON numbers/bools/strings as given to the module
      "dtype": "float32" | "float64",
      "x":  [...],                      # inputs (edge values, kinks, their neighbours, random normal*3)
      "gy": [...],                      # grad_output used for backward (fixed random vector)
      "y":  [...],                      # torch forward, contiguous tensor (vectorised kernel path)
      "gx": [...],                      # torch.autograd.grad(y, x, gy), contiguous (vectorised path)
      "y_scalar": {"i": "v", ...},      # only where torch's scalar path (strided input) differs from y
      "gx_scalar": {"i": "v", ...},     # idem for gx
      "y_ref": {"i": "v"}, "gx_ref": {...},  # float32 only: where the float64 evaluation rounded to
                                        # float32 differs from y / gx (the accurate answer)
      "params": {"weight": [...]},      # learnable parameters (PReLU weight, Swish beta, GELU mu/sigma)
      "gparams_elem": {"weight": [...]},  # per input element i: d(y[i]*gy[i])/dparam (their sum is
                                        # the parameter gradient; kept apart since edge values give nan)
      "ggx": [...]                      # float64 default options only: d/dx sum(gx * gy), i.e. the
                                        # double-backward value; or "ggx_error": "<torch message>"
    } ],
  "shaped": [                           # dim-based activations and channel-wise PReLU
    { "module": "Softmax", "options": {"dim": 1}, "dtype": ..., "shape": [2,3,4],
      "x": [... row-major ...], "gy": [... output-shaped ...], "y": [...], "y_shape": [...],
      "gx": [...], "params": {...}, "gparams": {"weight": [...]} (total parameter gradients), "warning": "<torch UserWarning text>" (implicit dim) } ],
  "rrelu_training": [                   # RReLU in training mode: random slopes, so the noise is given
    { "options": {...}, "dtype": ..., "x": [...], "noise": [...], "y": [...], "gy": [...], "gx": [...] } ],
  "reprs": [ {"construct": "nn.ELU(alpha=1.0, inplace=True)", "repr": "ELU(alpha=1.0, inplace=True)"} ],
  "errors": [ {"call": "nn.Softshrink(-1.0)(x)", "type": "RuntimeError", "message": "..."} ]
}

Activations not in torch (from the project's seed documents), evaluated as torch composites:
  Swish(beta, learnable)   y = x * sigmoid(x * beta)         (seed: x * torch.nn.Sigmoid()(x * beta))
  SquaredReLU              y = relu(x) ** 2                  (Primer, So et al. 2021)
  CReLU(dim=1)             y = cat(relu(x), relu(-x), dim)   (seed: torch.cat((m(x), m(-x)), dim=1))
  LearnableGELU(mu, sigma) y = x * 0.5 * (1 + erf((x - mu) / (sigma * sqrt(2))))
"""

import json
import math
import os
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "golden", "activations.json")
NP = {torch.float32: np.float32, torch.float64: np.float64}
DTYPE_NAME = {torch.float32: "float32", torch.float64: "float64"}


def fmt(v, dtype):
    """Shortest exact spelling of v as a `dtype` value."""
    v = NP[dtype](v)
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(float(v)) if dtype == torch.float64 else str(v)


def fmt_list(t, dtype):
    return [fmt(v, dtype) for v in t.detach().reshape(-1).to(torch.float64).tolist()]


def same_bits(a, b):
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1, a) == math.copysign(1, b)


def sparse_diff(base, other, dtype):
    return {str(i): fmt(o, dtype) for i, (b, o) in enumerate(zip(base.tolist(), other.tolist()))
            if not same_bits(b, o)}


# --- elementwise activations -------------------------------------------------------------------
# Each config: module name, options, functional (x, params) -> y, kinks (option-dependent points
# where the formula switches), params (name -> initial list) for learnable ones.
def cfg(module, options, fn, kinks=(0.0,), params=None):
    return dict(module=module, options=options, fn=fn, kinks=list(kinks), params=params or {})


SELU_KINK = (0.0,)
ELEMENTWISE = [
    cfg("ELU", {"alpha": 1.0, "inplace": False}, lambda x, p: F.elu(x, 1.0)),
    cfg("ELU", {"alpha": 0.5, "inplace": False}, lambda x, p: F.elu(x, 0.5)),
    cfg("ELU", {"alpha": -1.5, "inplace": False}, lambda x, p: F.elu(x, -1.5)),
    cfg("Hardshrink", {"lambd": 0.5}, lambda x, p: F.hardshrink(x, 0.5), (-0.5, 0.5)),
    cfg("Hardshrink", {"lambd": 1.25}, lambda x, p: F.hardshrink(x, 1.25), (-1.25, 1.25)),
    cfg("Hardshrink", {"lambd": 0.0}, lambda x, p: F.hardshrink(x, 0.0), (0.0,)),
    cfg("Hardsigmoid", {"inplace": False}, lambda x, p: F.hardsigmoid(x), (-3.0, 3.0)),
    cfg("Hardtanh", {"min_val": -1.0, "max_val": 1.0, "inplace": False},
        lambda x, p: F.hardtanh(x, -1.0, 1.0), (-1.0, 1.0)),
    cfg("Hardtanh", {"min_val": -2.0, "max_val": 0.1, "inplace": False},
        lambda x, p: F.hardtanh(x, -2.0, 0.1), (-2.0, 0.1)),
    cfg("Hardswish", {"inplace": False}, lambda x, p: F.hardswish(x), (-3.0, 0.0, 3.0)),
    cfg("LeakyReLU", {"negative_slope": 0.01, "inplace": False}, lambda x, p: F.leaky_relu(x, 0.01)),
    cfg("LeakyReLU", {"negative_slope": 0.2, "inplace": False}, lambda x, p: F.leaky_relu(x, 0.2)),
    cfg("LeakyReLU", {"negative_slope": -0.5, "inplace": False}, lambda x, p: F.leaky_relu(x, -0.5)),
    cfg("LogSigmoid", {}, lambda x, p: F.logsigmoid(x)),
    cfg("PReLU", {"num_parameters": 1, "init": 0.25}, lambda x, p: F.prelu(x, p["weight"]),
        params={"weight": [0.25]}),
    cfg("PReLU", {"num_parameters": 1, "init": -0.75}, lambda x, p: F.prelu(x, p["weight"]),
        params={"weight": [-0.75]}),
    cfg("ReLU", {"inplace": False}, lambda x, p: F.relu(x)),
    cfg("ReLU6", {"inplace": False}, lambda x, p: F.relu6(x), (0.0, 6.0)),
    cfg("RReLU", {"lower": 0.125, "upper": 1.0 / 3, "inplace": False, "training": False},
        lambda x, p: F.rrelu(x, 0.125, 1.0 / 3, training=False)),
    cfg("RReLU", {"lower": 0.1, "upper": 0.3, "inplace": False, "training": False},
        lambda x, p: F.rrelu(x, 0.1, 0.3, training=False)),
    cfg("SELU", {"inplace": False}, lambda x, p: F.selu(x)),
    cfg("CELU", {"alpha": 1.0, "inplace": False}, lambda x, p: F.celu(x, 1.0)),
    cfg("CELU", {"alpha": 2.0, "inplace": False}, lambda x, p: F.celu(x, 2.0)),
    cfg("CELU", {"alpha": -0.5, "inplace": False}, lambda x, p: F.celu(x, -0.5)),
    cfg("GELU", {"approximate": "none"}, lambda x, p: F.gelu(x)),
    cfg("GELU", {"approximate": "tanh"}, lambda x, p: F.gelu(x, approximate="tanh")),
    cfg("Sigmoid", {}, lambda x, p: torch.sigmoid(x)),
    cfg("SiLU", {"inplace": False}, lambda x, p: F.silu(x)),
    cfg("Mish", {"inplace": False}, lambda x, p: F.mish(x)),
    cfg("Softplus", {"beta": 1, "threshold": 20}, lambda x, p: F.softplus(x, 1, 20), (0.0, 20.0)),
    cfg("Softplus", {"beta": 2.5, "threshold": 10}, lambda x, p: F.softplus(x, 2.5, 10), (0.0, 4.0)),
    cfg("Softplus", {"beta": 0.5, "threshold": 3}, lambda x, p: F.softplus(x, 0.5, 3), (0.0, 6.0)),
    cfg("Softshrink", {"lambd": 0.5}, lambda x, p: F.softshrink(x, 0.5), (-0.5, 0.5)),
    cfg("Softshrink", {"lambd": 1.25}, lambda x, p: F.softshrink(x, 1.25), (-1.25, 1.25)),
    cfg("Softshrink", {"lambd": 0.0}, lambda x, p: F.softshrink(x, 0.0), (0.0,)),
    cfg("Softsign", {}, lambda x, p: F.softsign(x)),
    cfg("Tanh", {}, lambda x, p: torch.tanh(x)),
    cfg("Tanhshrink", {}, lambda x, p: F.tanhshrink(x)),
    cfg("Threshold", {"threshold": 0.1, "value": 20.0, "inplace": False},
        lambda x, p: F.threshold(x, 0.1, 20.0), (0.1,)),
    cfg("Threshold", {"threshold": 0.0, "value": 0.0, "inplace": False},
        lambda x, p: F.threshold(x, 0.0, 0.0), (0.0,)),
    cfg("Threshold", {"threshold": -1.0, "value": -2.5, "inplace": False},
        lambda x, p: F.threshold(x, -1.0, -2.5), (-1.0,)),
    cfg("Swish", {"beta": 1.0, "learnable": False}, lambda x, p: x * torch.sigmoid(x * 1.0)),
    cfg("Swish", {"beta": 1.702, "learnable": True}, lambda x, p: x * torch.sigmoid(x * p["beta"]),
        params={"beta": [1.702]}),
    cfg("LearnableGELU", {"mu": 0.0, "sigma": 1.0},
        lambda x, p: x * 0.5 * (1.0 + torch.erf((x - p["mu"]) / (p["sigma"] * math.sqrt(2.0)))),
        params={"mu": [0.0], "sigma": [1.0]}),
    cfg("LearnableGELU", {"mu": 0.5, "sigma": 2.0},
        lambda x, p: x * 0.5 * (1.0 + torch.erf((x - p["mu"]) / (p["sigma"] * math.sqrt(2.0)))),
        (0.5,), params={"mu": [0.5], "sigma": [2.0]}),
]

# Activations added after the file's first version: generated after the shaped cases, so that
# adding one leaves the random inputs (one generator for the whole file) of the others unchanged.
ADDED_ELEMENTWISE = [
    cfg("SquaredReLU", {}, lambda x, p: F.relu(x) ** 2),
]


class SquaredReLU(nn.Module):
    """Primer's relu(x)^2: torch has no module, this is the repr activ gives it."""

    def forward(self, x):
        return F.relu(x) ** 2


# Constructs of the modules torch lacks, evaluated with these classes.
ADDED_MODULES = {"SquaredReLU": SquaredReLU}
ADDED_REPRS = ["nn.SquaredReLU()"]


def edge_inputs(dtype, kinks):
    f = NP[dtype]
    info = np.finfo(f)
    tiny_sub = f(np.nextafter(f(0), f(1)))
    vals = [0.0, -0.0, math.nan, math.inf, -math.inf, tiny_sub, -tiny_sub, info.tiny, -info.tiny,
            info.max, -info.max, 1e-8, -1e-8, 1e-4, -1e-4]
    for m in (1, 3, 6, 20, 88.7, 89, 709.8, 710, 1e30):
        vals += [m, -m]
    if dtype == torch.float64:
        vals += [1e300, -1e300]
    for k in kinks:
        k = f(k)
        vals += [k, np.nextafter(k, f(math.inf)), np.nextafter(k, f(-math.inf))]
    out, seen = [], set()
    for v in vals:
        v = f(v)
        key = (np.array(v).tobytes())
        if key not in seen:
            seen.add(key)
            out.append(float(v))
    return out


def eval_path(fn, x, gy, params, strided):
    """Forward + input/param gradients; strided=True routes torch through its scalar loop."""
    if strided:
        big = torch.zeros(2 * x.numel(), dtype=x.dtype)
        big[::2] = x
        xin = big[::2].detach().requires_grad_()
    else:
        xin = x.detach().clone().requires_grad_()
    ps = {k: torch.tensor(v, dtype=x.dtype, requires_grad=True) for k, v in params.items()}
    pin = {k: (v if k == "weight" else v[0]) for k, v in ps.items()}
    y = fn(xin, pin)
    grads = torch.autograd.grad(y, [xin] + list(ps.values()), gy, allow_unused=True)
    return y.detach(), grads[0], dict(zip(ps.keys(), grads[1:]))


def pad16(values):
    """Pads to a multiple of 16 so every element goes through torch's vectorised loop."""
    n = (len(values) + 15) // 16 * 16
    return values + [0.5] * (n - len(values)), n


def elementwise_entry(c, dtype, rng):
    xs = edge_inputs(dtype, c["kinks"]) + (rng.standard_normal(64) * 3).tolist()
    count = len(xs)
    padded, n = pad16(xs)
    x = torch.tensor(padded, dtype=dtype)
    gy = torch.tensor(np.round(rng.standard_normal(n), 3), dtype=dtype)
    y, gx, gp = eval_path(c["fn"], x, gy, c["params"], strided=False)
    ys, gxs, _ = eval_path(c["fn"], x, gy, c["params"], strided=True)
    entry = dict(module=c["module"], options=c["options"], dtype=DTYPE_NAME[dtype])
    cut = lambda t: t[:count]
    entry["x"] = fmt_list(cut(x), dtype)
    entry["gy"] = fmt_list(cut(gy), dtype)
    entry["y"] = fmt_list(cut(y), dtype)
    entry["gx"] = fmt_list(cut(gx), dtype)
    entry["y_scalar"] = sparse_diff(cut(y), cut(ys), dtype)
    entry["gx_scalar"] = sparse_diff(cut(gx), cut(gxs), dtype)
    if c["params"]:
        entry["params"] = {k: [fmt(v, dtype) for v in vs] for k, vs in c["params"].items()}
        # Per-element contributions: the sum over all inputs is nan once an edge value is nan/inf.
        contributions = {k: [] for k in c["params"]}
        for i in range(count):
            _, _, gp = eval_path(c["fn"], x[i:i + 1], gy[i:i + 1], c["params"], strided=False)
            for k, v in gp.items():
                contributions[k].append(v.reshape(-1)[0])
        entry["gparams_elem"] = {k: fmt_list(torch.stack(v), dtype) for k, v in contributions.items()}
    if dtype == torch.float32:
        y64, gx64, _ = eval_path(c["fn"], x.double(), gy.double(), c["params"], strided=False)
        entry["y_ref"] = sparse_diff(cut(y), cut(y64).float(), dtype)
        entry["gx_ref"] = sparse_diff(cut(gx), cut(gx64).float(), dtype)
    return entry


def add_double_backward(entry, c):
    x = torch.tensor([float(v) for v in entry["x"]], dtype=torch.float64, requires_grad=True)
    gy = torch.tensor([float(v) for v in entry["gy"]], dtype=torch.float64)
    p = {k: torch.tensor(v, dtype=torch.float64) for k, v in c["params"].items()}
    p = {k: (v if k == "weight" else v[0]) for k, v in p.items()}
    try:
        gx, = torch.autograd.grad(c["fn"](x, p), x, gy, create_graph=True)
        if not gx.requires_grad:  # piecewise-constant derivative: second derivative is zero
            entry["ggx"] = fmt_list(torch.zeros_like(x), torch.float64)
            return
        ggx, = torch.autograd.grad(gx, x, gy, allow_unused=True)
        entry["ggx"] = fmt_list(ggx if ggx is not None else torch.zeros_like(x), torch.float64)
    except RuntimeError as e:
        entry["ggx_error"] = str(e)


# --- dim-based activations ---------------------------------------------------------------------
def softmax_like(name, dim):
    fns = {"Softmax": F.softmax, "Softmin": F.softmin, "LogSoftmax": F.log_softmax}
    return lambda x, p: fns[name](x, dim)


def shaped_cases():
    cases = []
    for name in ("Softmax", "Softmin", "LogSoftmax"):
        for shape, dims in (((2, 3, 4), (0, 1, 2, -1, None)), ((5,), (0, -1, None)), ((), (0, None)),
                            ((3, 4), (None,)), ((2, 3, 2, 2), (None,))):
            for d in dims:
                cases.append((name, {"dim": d}, shape, softmax_like(name, d), {}))
        cases.append((name, {"dim": 1, "special": True}, (5, 3), softmax_like(name, 1), {}))
    cases.append(("Softmax2d", {}, (2, 3, 2, 2), lambda x, p: nn.Softmax2d()(x), {}))
    cases.append(("Softmax2d", {}, (3, 2, 2), lambda x, p: nn.Softmax2d()(x), {}))
    for shape, d in (((4, 6), -1), ((4, 6), 0), ((2, 4, 3), 1), ((6,), 0)):
        cases.append(("GLU", {"dim": d}, shape, lambda x, p, d=d: F.glu(x, d), {}))
    cases.append(("GLU", {"dim": -1, "special": True}, (4, 2), lambda x, p: F.glu(x, -1), {}))
    for shape, d in (((1, 2), 1), ((2, 3, 4), 1), ((2, 3), 0), ((4,), 0)):
        cases.append(("CReLU", {"dim": d}, shape,
                      lambda x, p, d=d: torch.cat((F.relu(x), F.relu(-x)), dim=d), {}))
    cases.append(("PReLU", {"num_parameters": 3, "init": 0.25}, (2, 3, 4),
                  lambda x, p: F.prelu(x, p["weight"]), {"weight": [0.25, -0.1, 1.5]}))
    cases.append(("PReLU", {"num_parameters": 3, "init": 0.25}, (2, 3),
                  lambda x, p: F.prelu(x, p["weight"]), {"weight": [0.25, -0.1, 1.5]}))
    cases.append(("PReLU", {"num_parameters": 1, "init": 0.25}, (2, 3, 2),
                  lambda x, p: F.prelu(x, p["weight"]), {"weight": [0.25]}))
    cases.append(("PReLU", {"num_parameters": 1, "init": 0.25}, (),
                  lambda x, p: F.prelu(x, p["weight"]), {"weight": [0.25]}))
    return cases


SPECIAL_ROWS = {  # rows exercising inf / nan / overflow handling of the dim-based kernels
    (5, 3): [[0.0, 1.0, 2.0], [-math.inf, 0.0, 1.0], [-math.inf, -math.inf, -math.inf],
             [math.inf, 0.0, 1.0], [1000.0, 0.0, math.nan]],
    (4, 2): [[1.0, math.inf], [1.0, -math.inf], [math.inf, 0.0], [math.nan, 1.0]],
}


def shaped_entry(name, options, shape, fn, params, dtype, rng):
    numel = int(np.prod(shape)) if shape else 1
    if options.get("special"):
        x = torch.tensor(SPECIAL_ROWS[shape], dtype=dtype)
    else:
        x = torch.tensor(np.round(rng.standard_normal(numel) * 3, 4), dtype=dtype).reshape(shape)
    xin = x.clone().requires_grad_()
    ps = {k: torch.tensor(v, dtype=dtype, requires_grad=True) for k, v in params.items()}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = fn(xin, ps)
    gy = torch.tensor(np.round(rng.standard_normal(y.numel()), 3), dtype=dtype).reshape(y.shape)
    grads = torch.autograd.grad(y, [xin] + list(ps.values()), gy)
    opts = {k: v for k, v in options.items() if k != "special"}
    entry = dict(module=name, options=opts, dtype=DTYPE_NAME[dtype], shape=list(shape),
                 x=fmt_list(x, dtype), gy=fmt_list(gy, dtype), y=fmt_list(y, dtype),
                 y_shape=list(y.shape), gx=fmt_list(grads[0], dtype))
    if params:
        entry["params"] = {k: [fmt(v, dtype) for v in vs] for k, vs in params.items()}
        entry["gparams"] = {k: fmt_list(g, dtype) for k, g in zip(ps.keys(), grads[1:])}
    if caught:
        entry["warning"] = str(caught[0].message)
    return entry


def rrelu_training_entries():
    out = []
    for dtype in (torch.float32, torch.float64):
        for lower, upper in ((0.125, 1.0 / 3), (0.1, 0.3), (0.2, 0.2)):
            xs = edge_inputs(dtype, (0.0,))
            x = torch.tensor(xs, dtype=dtype)
            noise = torch.empty_like(x)
            torch.manual_seed(7)
            xin = x.clone().requires_grad_()
            y = torch._C._nn.rrelu_with_noise(xin, noise, lower, upper, training=True)
            gy = torch.linspace(-1, 1, len(xs), dtype=dtype)
            gx, = torch.autograd.grad(y, xin, gy)
            out.append(dict(options={"lower": lower, "upper": upper, "training": True},
                            dtype=DTYPE_NAME[dtype], x=fmt_list(x, dtype),
                            noise=fmt_list(noise, dtype), y=fmt_list(y, dtype),
                            gy=fmt_list(gy, dtype), gx=fmt_list(gx, dtype)))
    return out


REPRS = [
    "nn.ELU()", "nn.ELU(alpha=1.0)", "nn.ELU(alpha=1.0, inplace=True)", "nn.ELU(alpha=1)",
    "nn.ELU(0.5)", "nn.ELU(-1.5)", "nn.ELU(1e20)", "nn.ELU(1e-05)", "nn.ELU(1/3)",
    "nn.Hardshrink()", "nn.Hardshrink(0.5)", "nn.Hardshrink(1)", "nn.Hardshrink(lambd=2.0)",
    "nn.Hardsigmoid()", "nn.Hardsigmoid(inplace=True)", "nn.Hardtanh()", "nn.Hardtanh(-2, 2)",
    "nn.Hardtanh(min_val=-1.0, max_val=1.0)", "nn.Hardtanh(min_val=-1.0, max_val=1.0, inplace=True)",
    "nn.Hardtanh(-0.5, 0.25)", "nn.Hardswish()", "nn.Hardswish(inplace=True)", "nn.LeakyReLU()",
    "nn.LeakyReLU(negative_slope=0.01)", "nn.LeakyReLU(0.1, inplace=True)", "nn.LeakyReLU(1)",
    "nn.LogSigmoid()", "nn.PReLU()", "nn.PReLU(num_parameters=1)", "nn.PReLU(3, init=0.1)",
    "nn.ReLU()", "nn.ReLU(inplace=True)", "nn.ReLU6()", "nn.ReLU6(inplace=True)", "nn.RReLU()",
    "nn.RReLU(lower=0.125, upper=0.3333333333333333)", "nn.RReLU(0.1, 0.3)",
    "nn.RReLU(0.1, 0.3, inplace=True)", "nn.RReLU(0, 1)", "nn.SELU()", "nn.SELU(inplace=True)",
    "nn.CELU()", "nn.CELU(alpha=1.0)", "nn.CELU(2, inplace=True)", "nn.GELU()",
    "nn.GELU(approximate='none')", "nn.GELU(approximate='tanh')", "nn.Sigmoid()", "nn.SiLU()",
    "nn.SiLU(inplace=True)", "nn.Mish()", "nn.Mish(inplace=True)", "nn.Softplus()",
    "nn.Softplus(beta=1, threshold=20)", "nn.Softplus(beta=2.5, threshold=10)",
    "nn.Softplus(2.0, 15.5)", "nn.Softshrink()", "nn.Softshrink(0.5)", "nn.Softshrink(1)",
    "nn.Softsign()", "nn.Tanh()", "nn.Tanhshrink()", "nn.Threshold(threshold=0.1, value=20)",
    "nn.Threshold(0.1, 20.0, inplace=True)", "nn.Threshold(0, 0)", "nn.GLU()", "nn.GLU(dim=-1)",
    "nn.GLU(1)", "nn.Softmax()", "nn.Softmax(dim=1)", "nn.Softmax(dim=None)", "nn.Softmin(dim=-1)",
    "nn.Softmin()", "nn.LogSoftmax(dim=0)", "nn.LogSoftmax()", "nn.Softmax2d()",
    "nn.Sequential(nn.ReLU(), nn.Softmax(dim=1))",
]


def leaf():
    return torch.tensor([-1.0, 0.5, 2.0, -3.0], requires_grad=True)


def backward_of_inplace(module):
    a = leaf()
    return torch.autograd.grad(module(a.clone()).sum(), a)


ERRORS = [
    ("nn.Softshrink(-1.0)(x)", lambda x: nn.Softshrink(-1.0)(x)),
    ("nn.Softshrink(float('nan'))(x)", lambda x: nn.Softshrink(float("nan"))(x)),
    ("nn.Hardtanh(1.0, 1.0)", lambda x: nn.Hardtanh(1.0, 1.0)),
    ("nn.Hardtanh(2.0, 1.0)", lambda x: nn.Hardtanh(2.0, 1.0)),
    ("nn.RReLU(0.5, 0.1)(x)", lambda x: nn.RReLU(0.5, 0.1)(x)),
    ("nn.RReLU(0.5, 0.1).eval()(x)", lambda x: nn.RReLU(0.5, 0.1).eval()(x)),
    ("nn.CELU(0.0)(x)", lambda x: nn.CELU(0.0)(x)),
    ("ELU(alpha=-1.0, inplace=True) backward", lambda x: backward_of_inplace(nn.ELU(-1.0, True))),
    ("CELU(alpha=-1.0, inplace=True) backward", lambda x: backward_of_inplace(nn.CELU(-1.0, True))),
    ("LeakyReLU(-0.1, inplace=True) backward",
     lambda x: backward_of_inplace(nn.LeakyReLU(-0.1, True))),
    ("nn.ReLU(inplace=True)(leaf requiring grad)", lambda x: nn.ReLU(inplace=True)(leaf())),
    ("nn.GLU()(randn(3, 5))", lambda x: nn.GLU()(torch.randn(3, 5))),
    ("nn.GLU()(tensor(1.0))", lambda x: nn.GLU()(torch.tensor(1.0))),
    ("nn.GLU(dim=2)(randn(3, 4))", lambda x: nn.GLU(dim=2)(torch.randn(3, 4))),
    ("nn.GLU(dim=-3)(randn(3, 4))", lambda x: nn.GLU(dim=-3)(torch.randn(3, 4))),
    ("nn.PReLU(3)(randn(2, 4))", lambda x: nn.PReLU(3)(torch.randn(2, 4))),
    ("nn.PReLU(3)(randn(3))", lambda x: nn.PReLU(3)(torch.randn(3))),
    ("nn.PReLU(3)(tensor(1.0))", lambda x: nn.PReLU(3)(torch.tensor(1.0))),
    ("F.prelu(randn(2, 3), randn(3, 1))", lambda x: F.prelu(torch.randn(2, 3), torch.randn(3, 1))),
    ("nn.GELU('foo')(x)", lambda x: nn.GELU("foo")(x)),
    ("nn.GELU(None)(x)", lambda x: nn.GELU(None)(x)),
    ("nn.Softmax2d()(randn(3, 4))", lambda x: nn.Softmax2d()(torch.randn(3, 4))),
    ("nn.Softmax2d()(randn(1, 2, 3, 4, 5))", lambda x: nn.Softmax2d()(torch.randn(1, 2, 3, 4, 5))),
    ("nn.Softmax(dim=2)(randn(2, 3))", lambda x: nn.Softmax(dim=2)(torch.randn(2, 3))),
    ("nn.Softmax(dim=-3)(randn(2, 3))", lambda x: nn.Softmax(dim=-3)(torch.randn(2, 3))),
    ("nn.Softmax(dim=1)(tensor(2.0))", lambda x: nn.Softmax(dim=1)(torch.tensor(2.0))),
    ("nn.LogSoftmax(dim=3)(randn(2, 3))", lambda x: nn.LogSoftmax(dim=3)(torch.randn(2, 3))),
    ("F.softmax(tensor([1, 2]), 0)", lambda x: F.softmax(torch.tensor([1, 2]), 0)),
    ("F.elu(tensor([1, -2]))", lambda x: F.elu(torch.tensor([1, -2]))),
    ("F.gelu(tensor([1, -2]))", lambda x: F.gelu(torch.tensor([1, -2]))),
    ("CReLU dim=1 on randn(2): torch.cat((relu(x), relu(-x)), dim=1)",
     lambda x: torch.cat((F.relu(x), F.relu(-x)), dim=1)),
    ("nn.Hardtanh(min_value=-2.0) (deprecated keyword: warning, no error)",
     lambda x: nn.Hardtanh(min_value=-2.0)),
]


def error_entries():
    out = []
    x = torch.tensor([-1.0, 0.5])
    for call, f in ERRORS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                r = f(x)
                entry = {"call": call, "type": None, "message": None, "result": repr(r)}
            except Exception as e:  # the exception class and text are the data we record
                entry = {"call": call, "type": type(e).__name__, "message": str(e)}
        if caught:
            entry["warning"] = str(caught[0].message)
        out.append(entry)
    return out


def main():
    rng = np.random.default_rng(1313)
    doc = {"generator": "tools/gen_activation_reference.py", "torch": torch.__version__,
           "cpu_capability": torch.backends.cpu.get_cpu_capability()
           if hasattr(torch.backends, "cpu") else "AVX2",
           "elementwise": [], "shaped": [], "rrelu_training": [], "reprs": [], "errors": []}
    first_of_module = set()

    def add_elementwise(configs):
        for c in configs:
            for dtype in (torch.float32, torch.float64):
                entry = elementwise_entry(c, dtype, rng)
                if dtype == torch.float64 and c["module"] not in first_of_module:
                    first_of_module.add(c["module"])
                    add_double_backward(entry, c)
                doc["elementwise"].append(entry)

    add_elementwise(ELEMENTWISE)
    for name, options, shape, fn, params in shaped_cases():
        for dtype in (torch.float32, torch.float64):
            doc["shaped"].append(shaped_entry(name, options, shape, fn, params, dtype, rng))
    add_elementwise(ADDED_ELEMENTWISE)
    doc["rrelu_training"] = rrelu_training_entries()
    doc["reprs"] = [{"construct": c, "repr": repr(eval(c))} for c in REPRS]
    added = type("nn", (), ADDED_MODULES)
    doc["reprs"] += [{"construct": c, "repr": repr(eval(c, {"nn": added}))} for c in ADDED_REPRS]
    doc["errors"] = error_entries()
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {os.path.getsize(OUT)} bytes, {len(doc['elementwise'])} elementwise, "
          f"{len(doc['shaped'])} shaped, {len(doc['errors'])} error cases")


if __name__ == "__main__":
    main()
