#!/usr/bin/python3
"""Measures PyTorch 1.13's float32 accuracy per activation, in ULPs of the exact result.

Run: /usr/bin/python3 tools/measure_torch_activation_ulp.py
Writes tests/golden/torch_activation_ulp.json and prints a Markdown table.

Reference: the exact function (mpmath, 40 digits) at each float32 input. Error of an output y
against the exact r: |y - r| / ulp(r), with ulp(r) the float32 spacing at |r| (subnormal spacing
2^-149 below FLT_MIN); a correctly rounded result scores <= 0.5. An r beyond FLT_MAX expects an
inf of the same sign. "nonfinite" counts inputs where torch gives nan/inf for a finite exact
result. Backward uses grad_output = 1. torch has two code paths with different results: the
vectorised one (contiguous tensors) and the scalar one (strided tensors, and the tail of every
contiguous tensor whose length is not a multiple of 2*vector width); both are measured, per
region of |x|: below 1e-3, 1e-3..10, 10..100.

Sweep (float32): 4001 points on [-20, 20], +-logspace(1e-30, 100) (1500 each side), and
+-[20, 100] in steps of 0.25.
"""

import json
import math
import os

import mpmath as mp
import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
mp.mp.dps = 40
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "golden", "torch_activation_ulp.json")

SQRT2 = mp.sqrt(2)
SELU_ALPHA = mp.mpf("1.6732632423543772848170429916717")
SELU_SCALE = mp.mpf("1.0507009873554804934193349852946")
GELU_K = mp.sqrt(2 / mp.pi)


def sig(x):
    return 1 / (1 + mp.exp(-x))


def softplus(x, beta=1):
    return mp.log1p(mp.exp(beta * x)) / beta


def tanh_gelu_parts(x):
    inner = GELU_K * (x + mp.mpf("0.044715") * x**3)
    return inner, mp.tanh(inner)


def phi(x):
    return mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)


def Phi(x):
    return mp.erfc(-x / SQRT2) / 2


# name -> (torch function, exact f, exact f')
FUNCS = {
    "ELU(alpha=1)": (lambda x: F.elu(x), lambda x: x if x > 0 else mp.expm1(x),
                     lambda x: 1 if x > 0 else mp.exp(x)),
    "CELU(alpha=2)": (lambda x: F.celu(x, 2.0), lambda x: x if x > 0 else 2 * mp.expm1(x / 2),
                      lambda x: 1 if x > 0 else mp.exp(x / 2)),
    "SELU": (F.selu, lambda x: SELU_SCALE * (x if x > 0 else SELU_ALPHA * mp.expm1(x)),
             lambda x: SELU_SCALE * (1 if x > 0 else SELU_ALPHA * mp.exp(x))),
    "GELU(none)": (F.gelu, lambda x: x * Phi(x), lambda x: Phi(x) + x * phi(x)),
    "GELU(tanh)": (lambda x: F.gelu(x, approximate="tanh"),
                   lambda x: x * (1 + tanh_gelu_parts(x)[1]) / 2,
                   lambda x: (1 + tanh_gelu_parts(x)[1]) / 2 + x / 2 * (1 - tanh_gelu_parts(x)[1]**2)
                   * GELU_K * (1 + 3 * mp.mpf("0.044715") * x * x)),
    "Sigmoid": (torch.sigmoid, sig, lambda x: sig(x) * sig(-x)),
    "LogSigmoid": (F.logsigmoid, lambda x: -mp.log1p(mp.exp(-x)), lambda x: sig(-x)),
    "SiLU": (F.silu, lambda x: x * sig(x), lambda x: sig(x) * (1 + x * sig(-x))),
    "Mish": (F.mish, lambda x: x * mp.tanh(softplus(x)),
             lambda x: mp.tanh(softplus(x)) + x * sig(x) / mp.cosh(softplus(x))**2),
    "Softplus(1,20)": (F.softplus, softplus, sig),
    "Softplus(2.5,10)": (lambda x: F.softplus(x, 2.5, 10), lambda x: softplus(x, mp.mpf(2.5)),
                         lambda x: sig(mp.mpf(2.5) * x)),
    "Softsign": (F.softsign, lambda x: x / (1 + abs(x)), lambda x: 1 / (1 + abs(x))**2),
    "Tanh": (torch.tanh, mp.tanh, lambda x: 1 / mp.cosh(x)**2),
    "Tanhshrink": (F.tanhshrink, lambda x: x - mp.tanh(x), lambda x: mp.tanh(x)**2),
    "Hardswish": (F.hardswish, lambda x: 0 if x <= -3 else (x if x >= 3 else x * (x + 3) / 6),
                  lambda x: 0 if x < -3 else (1 if x > 3 else (2 * x + 3) / 6)),
    "Hardsigmoid": (F.hardsigmoid, lambda x: 0 if x <= -3 else (1 if x >= 3 else x / 6 + mp.mpf(1) / 2),
                    lambda x: mp.mpf(1) / 6 if -3 < x < 3 else 0),
}

FLT_MAX = float(np.finfo(np.float32).max)
REGIONS = {"x<1e-3": (0, 1e-3), "1e-3..10": (1e-3, 10.0001), "10..100": (10.0001, 101)}
# Points where the derivative jumps: torch's choice there is a convention, not an accuracy matter.
KINKS = {"Hardswish": (-3.0, 3.0), "Hardsigmoid": (-3.0, 3.0)}


def ulp_error(y, r):
    """|y - r| in float32 ULPs at r; (error, nonfinite flag)."""
    if abs(r) > FLT_MAX:
        return (0.0 if math.isinf(y) and (y > 0) == (r > 0) else math.inf), False
    if not math.isfinite(y):
        return math.inf, True
    e = max(int(mp.floor(mp.log(abs(r), 2))) if r != 0 else -200, -126)
    return float(abs(mp.mpf(y) - r) / mp.ldexp(1, e - 23)), False


def sweep():
    xs = np.concatenate([np.linspace(-20, 20, 4001), np.logspace(-30, 2, 1500),
                         -np.logspace(-30, 2, 1500), np.arange(20, 100, 0.25),
                         -np.arange(20, 100, 0.25)]).astype(np.float32)
    xs = np.unique(xs)
    n = (len(xs) + 15) // 16 * 16
    return np.concatenate([xs, np.full(n - len(xs), 0.5, np.float32)]), len(xs)


def torch_outputs(fn, x, strided):
    if strided:
        big = torch.zeros(2 * x.numel()); big[::2] = x
        xin = big[::2].detach().requires_grad_()
        gbig = torch.zeros(2 * x.numel()); gbig[::2] = 1.0
        gy = gbig[::2]
    else:
        xin = x.clone().requires_grad_()
        gy = torch.ones_like(x)
    y = fn(xin)
    gx, = torch.autograd.grad(y, xin, gy)
    return y.detach().tolist(), gx.tolist()


def main():
    xs, count = sweep()
    x = torch.tensor(xs)
    results = {}
    for name, (tfn, f, df) in FUNCS.items():
        exact_f = [f(mp.mpf(float(v))) for v in xs[:count]]
        exact_df = [df(mp.mpf(float(v))) for v in xs[:count]]
        row = {}
        for path in ("vectorised", "scalar"):
            y, gx = torch_outputs(tfn, x, path == "scalar")
            for kind, out, ref in (("forward", y, exact_f), ("backward", gx, exact_df)):
                for region, (lo, hi) in REGIONS.items():
                    worst, worst_x, nonfinite = 0.0, None, 0
                    for i in range(count):
                        xi = float(xs[i])
                        if not lo <= abs(xi) < hi or (kind == "backward" and xi in KINKS.get(name, ())):
                            continue
                        err, bad = ulp_error(out[i], ref[i])
                        nonfinite += bad
                        if not bad and err > worst:
                            worst, worst_x = err, xi
                    row[f"{kind}_{path}_{region}"] = {"max_ulp": worst, "at": worst_x,
                                                      "nonfinite": nonfinite}
        results[name] = row
        print(name, flush=True)
    with open(OUT, "w") as fh:
        json.dump({"generator": "tools/measure_torch_activation_ulp.py", "torch": torch.__version__,
                   "points": count, "results": results}, fh, indent=1)
        fh.write("\n")
    for kind in ("forward", "backward"):
        print(f"\n{kind}: max ULP (at x) per |x| region, vectorised / scalar path")
        print("| function | " + " | ".join(REGIONS) + " |\n|---|" + "---|" * len(REGIONS))
        for name, row in results.items():
            cells = []
            for region in REGIONS:
                parts = []
                for path in ("vectorised", "scalar"):
                    v = row[f"{kind}_{path}_{region}"]
                    parts.append(f"{v['max_ulp']:.3g}" + (f" @{v['at']:.3g}" if v["max_ulp"] > 4 else "")
                                 + (f" ({v['nonfinite']} nonfinite)" if v["nonfinite"] else ""))
                cells.append(" / ".join(parts))
            print(f"| {name} | " + " | ".join(cells) + " |")

if __name__ == "__main__":
    main()
