#!/usr/bin/python3
"""Writes tests/golden/autograd.json: PyTorch 1.13's gradients of every differentiable tensor
op and of the elementwise activations, read by tests/autograd_reference_test.cpp.

Run with the system python, which has torch:  /usr/bin/python3 tools/gen_autograd_reference.py

A case is {"name", "op", "args", "inputs", "grad_output", "output", "grad_fn", "grads",
"double"?}:
  op           the op's name in the test's table; args its scalar arguments
  inputs       [{"dtype", "shape", "values", "transpose"?, "requires_grad"}]: values row-major;
               "transpose": [d0, d1] makes a non-contiguous leaf out of the contiguous values
  grad_output  the random gradient of the output passed to backward
  output       torch's output; grad_fn its type(grad_fn).__name__
  grads        torch's gradient of each input (null: the input needs none)
  double       {"v", "grads"}: with g = autograd.grad(output, inputs, grad_output,
               create_graph=True), v a random tensor per input (null where g is None), grads the
               gradients of sum_k sum(g_k * v_k) with respect to the inputs (null: unused, zero)
Floats are the shortest decimal that round-trips the float64 value (float32 values widened
exactly), so inputs are reproduced bit for bit; NaN and infinities as strings.
"""

import json
import math
import os
import warnings

import torch
import torch.nn.functional as F

warnings.filterwarnings("ignore")
OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "golden",
                        "autograd.json")
DTYPES = {"float32": torch.float32, "float64": torch.float64, "bool": torch.bool}
DTYPE_NAMES = {v: k for k, v in DTYPES.items()}

gen = torch.Generator().manual_seed(20240607)


def encode_float(x):
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return float(x)


def encode_tensor(t):
    if t is None:
        return None
    t = t.detach()
    if t._is_zerotensor():  # torch's storage-less zeros (abs's second derivative)
        t = torch.zeros(t.shape, dtype=t.dtype)
    t = t.contiguous()
    name = DTYPE_NAMES[t.dtype]
    flat = t.reshape(-1).tolist()
    values = [bool(v) for v in flat] if name == "bool" else [encode_float(v) for v in flat]
    return {"dtype": name, "shape": list(t.shape), "values": values}


def randn(shape, scale=1.0):
    return torch.randn(tuple(shape), generator=gen, dtype=torch.float64) * scale


def uniform(shape, low, high):
    return torch.rand(tuple(shape), generator=gen, dtype=torch.float64) * (high - low) + low


# An input: float64 values (cast per dtype), optionally transposed into a non-contiguous leaf;
# bool inputs (where's condition) never require grad.
class In:
    def __init__(self, values, transpose=None, requires_grad=True):
        self.values = values if torch.is_tensor(values) else torch.tensor(values, dtype=torch.float64)
        self.transpose = transpose
        self.requires_grad = requires_grad and self.values.dtype != torch.bool

    def make(self, dtype):
        base = self.values if self.values.dtype == torch.bool else self.values.to(dtype)
        leaf = base.transpose(*self.transpose) if self.transpose else base
        leaf = leaf.detach()
        if self.requires_grad:
            leaf.requires_grad_(True)
        spec = encode_tensor(base)
        if self.transpose:
            spec["transpose"] = list(self.transpose)
        spec["requires_grad"] = self.requires_grad
        return leaf, spec


# --- the ops, by the names the C++ test uses ----------------------------------------------------

def activation(fn):
    return lambda x, a: fn(x[0], a)


OPS = {
    "add": lambda x, a: torch.add(x[0], x[1], alpha=a.get("alpha", 1)),
    "sub": lambda x, a: torch.sub(x[0], x[1], alpha=a.get("alpha", 1)),
    "mul": lambda x, a: x[0] * x[1],
    "div": lambda x, a: x[0] / x[1],
    "pow": lambda x, a: torch.pow(x[0], x[1]),
    "maximum": lambda x, a: torch.maximum(x[0], x[1]),
    "minimum": lambda x, a: torch.minimum(x[0], x[1]),
    "add_scalar": lambda x, a: x[0] + a["value"],
    "sub_scalar": lambda x, a: x[0] - a["value"],
    "mul_scalar": lambda x, a: x[0] * a["value"],
    "div_scalar": lambda x, a: x[0] / a["value"],
    "scalar_add": lambda x, a: a["value"] + x[0],
    "scalar_sub": lambda x, a: a["value"] - x[0],
    "scalar_mul": lambda x, a: a["value"] * x[0],
    "scalar_div": lambda x, a: a["value"] / x[0],
    "pow_scalar": lambda x, a: x[0] ** a["value"],
    "scalar_pow": lambda x, a: a["value"] ** x[0],
    "neg": lambda x, a: -x[0],
    "abs": lambda x, a: x[0].abs(),
    "exp": lambda x, a: x[0].exp(),
    "erf": lambda x, a: x[0].erf(),
    "log": lambda x, a: x[0].log(),
    "sqrt": lambda x, a: x[0].sqrt(),
    "clamp": lambda x, a: x[0].clamp(a.get("min"), a.get("max")),
    "clamp_min": lambda x, a: torch.clamp_min(x[0], a["min"]),
    "clamp_max": lambda x, a: torch.clamp_max(x[0], a["max"]),
    "where": lambda x, a: torch.where(x[0], x[1], x[2]),
    "where_scalar": lambda x, a: torch.where(x[0], x[1], a["value"]),
    "view": lambda x, a: x[0].view(a["shape"]),
    "reshape": lambda x, a: x[0].reshape(a["shape"]),
    "flatten": lambda x, a: x[0].flatten(a["start"], a["end"]),
    "unsqueeze": lambda x, a: x[0].unsqueeze(a["dim"]),
    "squeeze": lambda x, a: x[0].squeeze(),
    "squeeze_dim": lambda x, a: x[0].squeeze(a["dim"]),
    "transpose": lambda x, a: x[0].transpose(a["dim0"], a["dim1"]),
    "t": lambda x, a: x[0].t(),
    "permute": lambda x, a: x[0].permute(a["dims"]),
    "select": lambda x, a: x[0].select(a["dim"], a["index"]),
    "narrow": lambda x, a: x[0].narrow(a["dim"], a["start"], a["length"]),
    "slice": lambda x, a: x[0][(slice(None),) * a["dim"] + (slice(a["start"], a["end"], a["step"]),)],
    "expand": lambda x, a: x[0].expand(a["shape"]),
    "clone": lambda x, a: x[0].clone(),
    "contiguous": lambda x, a: x[0].contiguous(),
    "to_float64": lambda x, a: x[0].to(torch.float64),
    "to_float32": lambda x, a: x[0].to(torch.float32),
    "copy_": lambda x, a: torch.zeros(a["shape"], dtype=x[0].dtype).copy_(x[0]),
    "sum": lambda x, a: x[0].sum(),
    "sum_dims": lambda x, a: x[0].sum(a["dims"], keepdim=a["keepdim"]),
    "mean": lambda x, a: x[0].mean(),
    "mean_dims": lambda x, a: x[0].mean(a["dims"], keepdim=a["keepdim"]),
    "max": lambda x, a: x[0].max(),
    "min": lambda x, a: x[0].min(),
    "max_dim": lambda x, a: x[0].max(a["dim"], keepdim=a["keepdim"])[0],
    "min_dim": lambda x, a: x[0].min(a["dim"], keepdim=a["keepdim"])[0],
    "logsumexp": lambda x, a: x[0].logsumexp(a["dims"], keepdim=a["keepdim"]),
    "mm": lambda x, a: torch.mm(x[0], x[1]),
    "bmm": lambda x, a: torch.bmm(x[0], x[1]),
    "matmul": lambda x, a: torch.matmul(x[0], x[1]),
    "cat": lambda x, a: torch.cat(list(x), a["dim"]),
    "stack": lambda x, a: torch.stack(list(x), a["dim"]),
    # In-place ops on a non-leaf: the result takes over the history.
    "add_inplace": lambda x, a: (x[0] * 1).add_(x[1]),
    "mul_inplace": lambda x, a: (x[0] * 1).mul_(x[1]),
    "clamp_inplace": lambda x, a: (x[0] * 1).clamp_(a["min"], a["max"]),
    # Elementwise activations of activ::nn::functional; swish is x * sigmoid(beta x).
    "relu": activation(lambda x, a: F.relu(x)),
    "relu6": activation(lambda x, a: F.relu6(x)),
    "leaky_relu": activation(lambda x, a: F.leaky_relu(x, a["negative_slope"])),
    "hardtanh": activation(lambda x, a: F.hardtanh(x, a["min_val"], a["max_val"])),
    "threshold": activation(lambda x, a: F.threshold(x, a["threshold"], a["value"])),
    "hardshrink": activation(lambda x, a: F.hardshrink(x, a["lambd"])),
    "softshrink": activation(lambda x, a: F.softshrink(x, a["lambd"])),
    "hardsigmoid": activation(lambda x, a: F.hardsigmoid(x)),
    "hardswish": activation(lambda x, a: F.hardswish(x)),
    "elu": activation(lambda x, a: F.elu(x, a["alpha"])),
    "celu": activation(lambda x, a: F.celu(x, a["alpha"])),
    "selu": activation(lambda x, a: F.selu(x)),
    "sigmoid": activation(lambda x, a: torch.sigmoid(x)),
    "logsigmoid": activation(lambda x, a: F.logsigmoid(x)),
    "tanh": activation(lambda x, a: torch.tanh(x)),
    "tanhshrink": activation(lambda x, a: F.tanhshrink(x)),
    "softsign": activation(lambda x, a: F.softsign(x)),
    "softplus": activation(lambda x, a: F.softplus(x, a["beta"], a["threshold"])),
    "silu": activation(lambda x, a: F.silu(x)),
    "mish": activation(lambda x, a: F.mish(x)),
    "gelu": activation(lambda x, a: F.gelu(x, approximate=a["approximate"])),
    "swish": activation(lambda x, a: x * torch.sigmoid(a["beta"] * x)),
}

cases = []
names = set()


def case(name, op, inputs, args=None, double=False, dtypes=("float64", "float32")):
    args = args or {}
    for dtype_name in dtypes:
        full_name = f"{name}_{dtype_name}"
        assert full_name not in names, full_name
        names.add(full_name)
        dtype = DTYPES[dtype_name]
        made = [i.make(dtype) for i in inputs]
        leaves = [m[0] for m in made]
        out = OPS[op](leaves, args)
        grad_output = randn(out.shape).to(out.dtype)
        wrt = [t for t in leaves if t.requires_grad]
        first = torch.autograd.grad(out, wrt, grad_output, create_graph=double, allow_unused=True)
        grads, k = [], 0
        for t in leaves:
            if t.requires_grad:
                grads.append(first[k])
                k += 1
            else:
                grads.append(None)
        entry = {
            "name": full_name, "op": op, "args": args, "inputs": [m[1] for m in made],
            "grad_output": encode_tensor(grad_output), "output": encode_tensor(out),
            "grad_fn": type(out.grad_fn).__name__, "grads": [encode_tensor(g) for g in grads],
        }
        if double:
            vs = [None if g is None else randn(g.shape).to(g.dtype) for g in grads]
            total = sum((g * v).sum() for g, v in zip(grads, vs) if g is not None and g.requires_grad)
            if torch.is_tensor(total) and total.requires_grad:
                try:
                    second = torch.autograd.grad(total, wrt, allow_unused=True)
                except RuntimeError:  # torch has no second derivative (hardsigmoid)
                    cases.append(entry)
                    continue
            else:
                second = [None] * len(wrt)
            second_grads, k = [], 0
            for t in leaves:
                if t.requires_grad:
                    second_grads.append(second[k])
                    k += 1
                else:
                    second_grads.append(None)
            entry["double"] = {"v": [encode_tensor(v) for v in vs],
                               "grads": [encode_tensor(g) for g in second_grads]}
        cases.append(entry)


def positive(shape, low=0.5, high=2.0):
    return In(uniform(shape, low, high))


def normal(shape, transpose=None, scale=1.0):
    return In(randn(shape, scale), transpose)


# --- elementwise binary ---------------------------------------------------------------------

for op in ("add", "sub", "mul", "div", "maximum", "minimum"):
    rhs = (lambda s: positive(s)) if op == "div" else (lambda s: normal(s))
    case(f"{op}_same", op, [normal([3, 4]), rhs([3, 4])], double=True)
    case(f"{op}_broadcast", op, [normal([3, 1]), rhs([4])], double=True)
    case(f"{op}_zero_dim", op, [normal([2, 3]), rhs([])], double=True)
    case(f"{op}_noncontiguous", op, [normal([4, 3], transpose=(0, 1)), rhs([3, 4])])
case("add_alpha", "add", [normal([3, 4]), normal([4])], {"alpha": 2.5})
case("sub_alpha", "sub", [normal([3, 4]), normal([3, 4])], {"alpha": -0.5})
case("mul_one_requires_grad", "mul", [normal([3, 4]), In(randn([3, 4]), requires_grad=False)])
case("maximum_ties", "maximum", [In([[1.0, 2.0, -1.0], [0.5, 3.0, 3.0]]),
                                 In([[1.0, 0.0, -1.0], [0.5, 4.0, 3.0]])])
case("minimum_ties", "minimum", [In([[1.0, 2.0, -1.0], [0.5, 3.0, 3.0]]),
                                 In([[1.0, 0.0, -1.0], [0.5, 4.0, 3.0]])])
case("maximum_ties_broadcast", "maximum", [In([[1.0], [2.0]]), In([1.0, 2.0, 0.0])])
case("pow_same", "pow", [positive([3, 4]), normal([3, 4])], double=True)
case("pow_broadcast", "pow", [positive([3, 1]), normal([4])], double=True)
case("pow_zero_base", "pow", [In([0.0, 0.0, 2.0, 0.5]), In([2.0, 0.0, 3.0, 1.5])])

# --- tensor-scalar forms -------------------------------------------------------------------

for op, value in (("add_scalar", 2.5), ("sub_scalar", 1.5), ("mul_scalar", -3.0),
                  ("div_scalar", 4.0), ("scalar_add", 2.0), ("scalar_sub", 1.0),
                  ("scalar_mul", 0.5), ("scalar_div", 3.0)):
    inp = positive([3, 4]) if op == "scalar_div" else normal([3, 4])
    case(op, op, [inp], {"value": value}, double=True)
case("mul_scalar_int", "mul_scalar", [normal([5])], {"value": 3})
case("pow_scalar_2", "pow_scalar", [normal([3, 4])], {"value": 2}, double=True)
case("pow_scalar_3", "pow_scalar", [normal([3, 4])], {"value": 3.0}, double=True)
case("pow_scalar_half", "pow_scalar", [positive([3, 4])], {"value": 0.5}, double=True)
case("pow_scalar_negative", "pow_scalar", [positive([3, 4])], {"value": -1.5}, double=True)
case("scalar_pow", "scalar_pow", [normal([3, 4])], {"value": 2.0}, double=True)

# --- unary ---------------------------------------------------------------------------------

case("neg", "neg", [normal([3, 4])], double=True)
case("abs", "abs", [In([-2.0, -0.5, 0.0, 0.5, 3.0, -0.0])], double=True)
case("exp", "exp", [normal([3, 4])], double=True)
case("erf", "erf", [normal([3, 4])], double=True)
case("log", "log", [positive([3, 4], 0.1, 5.0)], double=True)
case("sqrt", "sqrt", [positive([3, 4], 0.1, 5.0)], double=True)
case("exp_noncontiguous", "exp", [normal([4, 3], transpose=(0, 1))])
bounded = In([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
case("clamp_both", "clamp", [bounded], {"min": -1.0, "max": 1.0}, double=True)
case("clamp_min_only", "clamp", [bounded], {"min": -0.5})
case("clamp_max_only", "clamp", [bounded], {"max": 0.5})
case("clamp_min", "clamp_min", [bounded], {"min": 0.0})
case("clamp_max", "clamp_max", [bounded], {"max": 1.0})
condition = In(torch.tensor([[True, False, True, False], [False, False, True, True],
                             [True, True, False, False]]))
case("where", "where", [condition, normal([3, 4]), normal([3, 4])], double=True)
case("where_broadcast", "where", [condition, normal([4]), normal([3, 1])])
case("where_scalar", "where_scalar", [condition, normal([3, 4])], {"value": 0.5})

# --- views and copies ----------------------------------------------------------------------

case("view", "view", [normal([3, 4])], {"shape": [2, 6]}, double=True)
case("view_infer", "view", [normal([2, 3, 2])], {"shape": [-1, 3]})
case("reshape_viewable", "reshape", [normal([3, 4])], {"shape": [4, 3]}, double=True)
case("reshape_copy", "reshape", [normal([4, 3], transpose=(0, 1))], {"shape": [12]})
case("flatten", "flatten", [normal([2, 3, 2])], {"start": 1, "end": -1})
case("unsqueeze", "unsqueeze", [normal([3, 4])], {"dim": 1}, double=True)
case("unsqueeze_last", "unsqueeze", [normal([3, 4])], {"dim": -1})
case("squeeze", "squeeze", [normal([3, 1, 4, 1])], double=True)
case("squeeze_dim", "squeeze_dim", [normal([3, 1, 4])], {"dim": 1})
case("squeeze_dim_noop", "squeeze_dim", [normal([3, 4])], {"dim": 0})
case("transpose", "transpose", [normal([2, 3, 4])], {"dim0": 0, "dim1": 2}, double=True)
case("t", "t", [normal([3, 4])])
case("permute", "permute", [normal([2, 3, 4])], {"dims": [2, 0, 1]}, double=True)
case("select", "select", [normal([3, 4])], {"dim": 1, "index": 2}, double=True)
case("select_negative", "select", [normal([2, 3, 4])], {"dim": 0, "index": -1})
case("narrow", "narrow", [normal([3, 5])], {"dim": 1, "start": 1, "length": 3}, double=True)
case("slice_step", "slice", [normal([3, 7])], {"dim": 1, "start": 1, "end": 6, "step": 2},
     double=True)
case("slice_noncontiguous", "slice", [normal([7, 3], transpose=(0, 1))],
     {"dim": 1, "start": 0, "end": 7, "step": 3})
case("expand", "expand", [normal([3, 1])], {"shape": [2, 3, 4]}, double=True)
case("clone", "clone", [normal([3, 4])], double=True)
case("contiguous", "contiguous", [normal([4, 3], transpose=(0, 1))])
case("to_float64", "to_float64", [normal([3, 4])], dtypes=("float32",))
case("to_float32", "to_float32", [normal([3, 4])], dtypes=("float64",))
case("copy_", "copy_", [normal([3, 4])], {"shape": [3, 4]})
case("copy_broadcast", "copy_", [normal([4])], {"shape": [3, 4]})

# --- reductions ----------------------------------------------------------------------------

case("sum", "sum", [normal([3, 4])], double=True)
case("sum_dim", "sum_dims", [normal([3, 4])], {"dims": [1], "keepdim": False}, double=True)
case("sum_dims_keepdim", "sum_dims", [normal([2, 3, 4])], {"dims": [0, 2], "keepdim": True})
case("sum_noncontiguous", "sum_dims", [normal([4, 3], transpose=(0, 1))],
     {"dims": [0], "keepdim": False})
case("mean", "mean", [normal([3, 4])], double=True)
case("mean_dim", "mean_dims", [normal([3, 4])], {"dims": [0], "keepdim": True})
case("mean_dims", "mean_dims", [normal([2, 3, 4])], {"dims": [-1, 0], "keepdim": False})
ties = In([[1.0, 3.0, 3.0, -2.0], [0.5, 0.5, -1.0, 3.0], [-2.0, 0.0, -2.0, 1.0]])
case("max", "max", [normal([3, 4])], double=True)
case("max_ties", "max", [ties])
case("min_ties", "min", [ties])
case("max_dim", "max_dim", [normal([3, 4])], {"dim": 1, "keepdim": False}, double=True)
case("max_dim_keepdim", "max_dim", [normal([3, 4])], {"dim": 0, "keepdim": True})
case("max_dim_ties", "max_dim", [ties], {"dim": 1, "keepdim": False})
case("min_dim_ties", "min_dim", [ties], {"dim": 0, "keepdim": True})
case("logsumexp", "logsumexp", [normal([3, 4])], {"dims": [1], "keepdim": False}, double=True)
case("logsumexp_keepdim", "logsumexp", [normal([2, 3, 4])], {"dims": [0, 2], "keepdim": True})

# --- linear algebra ------------------------------------------------------------------------

case("mm", "mm", [normal([3, 4]), normal([4, 2])], double=True)
case("mm_noncontiguous", "mm", [normal([4, 3], transpose=(0, 1)), normal([2, 4], transpose=(0, 1))])
case("bmm", "bmm", [normal([2, 3, 4]), normal([2, 4, 5])], double=True)
for a_shape, b_shape in (([4], [4]), ([4], [4, 3]), ([3, 4], [4]), ([3, 4], [4, 2]),
                         ([2, 3, 4], [4]), ([4], [2, 4, 3]), ([2, 3, 4], [4, 5]),
                         ([3, 4], [2, 4, 5]), ([2, 3, 4], [2, 4, 5]), ([2, 1, 3, 4], [3, 4, 2]),
                         ([1, 3, 4], [2, 4, 2])):
    label = "x".join(str(len(s)) for s in (a_shape, b_shape))
    suffix = "_broadcast" if len(a_shape) + len(b_shape) > 6 or a_shape[0] == 1 else ""
    case(f"matmul_{label}{suffix}", "matmul", [normal(a_shape), normal(b_shape)],
         double=label in ("1x1", "2x2", "3x3"))

# --- joining ---------------------------------------------------------------------------------

case("cat_dim0", "cat", [normal([2, 3]), normal([1, 3]), normal([3, 3])], {"dim": 0}, double=True)
case("cat_dim1", "cat", [normal([2, 3]), normal([2, 1])], {"dim": 1})
case("cat_negative_dim", "cat", [normal([2, 3, 2]), normal([2, 3, 1])], {"dim": -1})
case("cat_partial_requires_grad", "cat", [normal([2, 3]), In(randn([2, 3]), requires_grad=False)],
     {"dim": 0})
case("stack_dim0", "stack", [normal([2, 3]), normal([2, 3])], {"dim": 0}, double=True)
case("stack_last", "stack", [normal([2, 3]), normal([2, 3]), normal([2, 3])], {"dim": -1})

# --- in place on non-leaves ------------------------------------------------------------------

case("add_inplace", "add_inplace", [normal([3, 4]), normal([4])], double=True)
case("mul_inplace", "mul_inplace", [normal([3, 4]), normal([3, 4])], double=True)
case("clamp_inplace", "clamp_inplace", [bounded], {"min": -1.0, "max": 0.5})

# --- elementwise activations: first and second order, inputs away from kinks ---------------

KINKS = (-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0, -0.4, 0.4)


def activation_input():
    x = randn([4, 6], 3.0)
    for k in KINKS:
        near = (x - k).abs() < 0.05
        x = torch.where(near, x + 0.1, x)
    x[0, 0] = 7.0  # above relu6's top
    return In(x)


for op, args in (("relu", {}), ("relu6", {}), ("leaky_relu", {"negative_slope": 0.2}),
                 ("hardtanh", {"min_val": -1.0, "max_val": 1.0}),
                 ("threshold", {"threshold": 0.4, "value": -2.0}), ("hardshrink", {"lambd": 0.5}),
                 ("softshrink", {"lambd": 0.5}), ("hardsigmoid", {}), ("hardswish", {}),
                 ("elu", {"alpha": 1.0}), ("elu", {"alpha": 0.5}), ("celu", {"alpha": 1.5}),
                 ("selu", {}), ("sigmoid", {}), ("logsigmoid", {}), ("tanh", {}),
                 ("tanhshrink", {}), ("softsign", {}), ("softplus", {"beta": 1, "threshold": 20}),
                 ("softplus", {"beta": 2.0, "threshold": 3.0}), ("silu", {}), ("mish", {}),
                 ("gelu", {"approximate": "none"}), ("gelu", {"approximate": "tanh"}),
                 ("swish", {"beta": 1.0}), ("swish", {"beta": 1.702})):
    label = op + "".join(f"_{k}_{v}" for k, v in args.items()).replace(".", "p").replace("-", "m")
    case(label, op, [activation_input()], args, double=True)


def main():
    data = {"generator": "tools/gen_autograd_reference.py", "torch": torch.__version__,
            "cases": cases}
    with open(OUT_PATH, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT_PATH)}")


if __name__ == "__main__":
    main()
