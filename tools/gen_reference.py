#!/usr/bin/python3
"""Writes tests/golden/tensor_ops.json: reference results of PyTorch 1.13 for every tensor op
declared in include/activ/tensor.h, read by tests/tensor_ops_reference_test.cpp.

Run with the system python, which has torch:  /usr/bin/python3 tools/gen_reference.py

A case is {"name", "op", "inputs", "args", "outputs" | "error", "compare", "atol"}:
  inputs   [{"dtype", "shape", "values", "view"?}]: values row-major; "view" is a list of steps
           ({"transpose": [d0, d1]}, {"permute": dims}, {"slice": [dim, start, end, step]},
           {"expand": shape}) applied in order to make a non-contiguous input.
  args     scalar arguments; a JSON bool, integer or float is a Scalar of that kind, and the
           strings "nan", "inf", "-inf" are floats.
  outputs  [{"dtype", "shape", "values"}]: several for (values, indices) and chunk/split.
  error    true when torch raises for this input: activ must raise an activ::Error.
  compare  "exact", or "close": |actual - expected| <= atol + rtol * |expected| with rtol 1e-6
           for float32 and 1e-12 for float64; atol is rtol times the magnitude of the terms a
           reduction adds (the same op on |inputs|), so summation order does not matter.
Floats are stored as the shortest decimal that round-trips the float64 value (a float32 value
widened exactly), so every value is reproduced bit for bit; NaN and infinities as strings.
"""

import json
import math
import os

import torch

OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "golden",
                        "tensor_ops.json")

DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64,
          "bool": torch.bool}
DTYPE_NAMES = {v: k for k, v in DTYPES.items()}
RTOL = {"float32": 1e-6, "float64": 1e-12}

gen = torch.Generator().manual_seed(1234)
cases = []
names = set()


# --- value encoding ---------------------------------------------------------------------------

def encode_float(x):
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return float(x)


def encode_tensor(t):
    t = t.detach().contiguous()
    name = DTYPE_NAMES[t.dtype]
    flat = t.reshape(-1).tolist()
    if name in ("float32", "float64"):
        values = [encode_float(v) for v in flat]
    elif name == "bool":
        values = [bool(v) for v in flat]
    else:
        values = [int(v) for v in flat]
    return {"dtype": name, "shape": list(t.shape), "values": values}


def encode_scalar(x):
    if isinstance(x, float):
        return encode_float(x)
    return x


# --- input makers -----------------------------------------------------------------------------

def randn(*shape, dtype=torch.float32):
    return torch.randn(tuple(shape), generator=gen, dtype=torch.float64).to(dtype)


def randint(*shape, low=-5, high=6, dtype=torch.int64):
    return torch.randint(low, high, tuple(shape), generator=gen).to(dtype)


def randbool(*shape):
    return torch.randint(0, 2, tuple(shape), generator=gen).bool()


def make(dtype, *shape):
    """Typical values of dtype: normal floats, small integers, random bools."""
    if dtype in (torch.float32, torch.float64):
        return randn(*shape, dtype=dtype)
    if dtype == torch.int64:
        return randint(*shape)
    return randbool(*shape)


def f32(values, dtype=torch.float32):
    return torch.tensor(values, dtype=dtype)


SPECIALS = [float("nan"), float("inf"), -float("inf"), 0.0, -0.0, 1.0, -1.5, 2.0, 1e-3]


class Input:
    """A tensor plus the view steps that turn its contiguous base into the op's input."""

    def __init__(self, base, view=None, pattern=None):
        self.base = base
        self.view = view or []
        self.pattern = pattern

    def value(self):
        t = self.base
        for step in self.view:
            (kind, arg), = step.items()
            if kind == "transpose":
                t = t.transpose(*arg)
            elif kind == "permute":
                t = t.permute(*arg)
            elif kind == "slice":
                dim, start, end, step_size = arg
                index = [slice(None)] * t.dim()
                index[dim] = slice(start, end, step_size)
                t = t[tuple(index)]
            elif kind == "expand":
                t = t.expand(*arg)
            else:
                raise ValueError(kind)
        return t

    def encode(self):
        if self.pattern:
            d = {"dtype": DTYPE_NAMES[self.base.dtype], "shape": list(self.base.shape),
                 "pattern": self.pattern}
        else:
            d = encode_tensor(self.base)
        if self.view:
            d["view"] = self.view
        return d


def pattern(*shape, dtype=torch.float32, mul=7919, mod=1999, offset=-999, divisor=256):
    """A large input stored as its formula, element i = ((i * mul) % mod + offset) / divisor,
    exact in float32, so the JSON stays small."""
    i = torch.arange(math.prod(shape), dtype=torch.int64)
    values = (((i * mul) % mod + offset).double() / divisor).to(dtype).reshape(shape)
    return Input(values, pattern=[mul, mod, offset, divisor])


def transposed(t):
    """An input equal to t but stored transposed (last two dims swapped)."""
    return Input(t.transpose(-1, -2).contiguous(), [{"transpose": [t.dim() - 2, t.dim() - 1]}])


def strided(t, dim=0):
    """An input equal to t, taken every second element of a base twice as long along dim."""
    shape = list(t.shape)
    shape[dim] *= 2
    base = torch.zeros(shape, dtype=t.dtype)
    index = [slice(None)] * t.dim()
    index[dim] = slice(0, None, 2)
    base[tuple(index)] = t
    return Input(base, [{"slice": [dim, 0, None, 2]}])


def as_input(x):
    return x if isinstance(x, Input) else Input(x)


# --- case recording ---------------------------------------------------------------------------

CLOSE_OPS = {"exp", "erf", "log", "sqrt", "pow", "pow_scalar", "rpow_scalar", "mean", "logsumexp",
             "matmul", "mm", "bmm", "linspace", "sum"}
# Ops whose error grows with the magnitude of the terms they add up.
ACCUMULATING_OPS = {"sum", "mean", "logsumexp", "matmul", "mm", "bmm"}


def add_case(name, op, fn, inputs=(), args=None, compare=None, abs_fn=None):
    assert name not in names, name
    assert all(c.isalnum() or c == "_" for c in name), name
    names.add(name)
    args = args or {}
    inputs = [as_input(x) for x in inputs]
    values = [x.value() for x in inputs]
    case = {"name": name, "op": op, "inputs": [x.encode() for x in inputs],
            "args": {k: encode_scalar(v) for k, v in args.items()}}
    try:
        result = fn(*values)
    except (RuntimeError, TypeError, ValueError, IndexError):
        case["error"] = True
        cases.append(case)
        return
    outputs = list(result) if isinstance(result, (tuple, list)) else [result]
    case["outputs"] = [encode_tensor(t) for t in outputs]
    if compare is None:
        compare = "close" if op in CLOSE_OPS else "exact"
        if op in ("add", "sub") and args.get("alpha", 1) != 1:
            compare = "close"  # torch fuses a + alpha * b into one FMA on vectorized paths
        if op == "rdiv_scalar":
            compare = "close"  # Python's s / t is t.reciprocal() * s, rounded twice
    floating = [o for o in outputs if o.is_floating_point()]
    if compare == "close" and floating:
        rtol = RTOL[DTYPE_NAMES[floating[0].dtype]]
        scale = 1.0
        if op in ACCUMULATING_OPS:
            magnitude = (abs_fn or fn)(*[v.abs().double() if v.dtype != torch.bool else v
                                         for v in values])
            magnitude = magnitude[0] if isinstance(magnitude, (tuple, list)) else magnitude
            finite = magnitude[torch.isfinite(magnitude)]
            if finite.numel():
                scale = max(scale, float(finite.abs().max()))
        case["atol"] = rtol * scale
    case["compare"] = compare if floating else "exact"
    cases.append(case)


# --- elementwise binary ops -------------------------------------------------------------------

BINARY = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "pow": torch.pow,
    "maximum": torch.maximum, "minimum": torch.minimum, "eq": torch.eq, "ne": torch.ne,
    "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge,
}
ALL_DTYPES = ["float32", "float64", "int64", "bool"]


def binary_operand(op, dtype, shape, role):
    """Values suited to op: positive bases and small non-negative integer exponents for pow."""
    if op == "pow":
        if dtype in (torch.float32, torch.float64):
            if role == 1:
                return randn(*shape, dtype=dtype)
            uniform = torch.rand(tuple(shape), generator=gen, dtype=torch.float64)
            return (uniform * 2 + 0.25).to(dtype)
        if dtype == torch.int64:
            return randint(*shape, low=0 if role else -3, high=4)
    if op == "div" and dtype == torch.int64 and role == 1:
        return randint(*shape, low=1, high=6) * (1 - 2 * randint(*shape, low=0, high=2))
    return make(dtype, *shape)


def binary_fn(op):
    return lambda a, b: BINARY[op](a, b)


for op in BINARY:
    # Type promotion over every dtype pair.
    for da in ALL_DTYPES:
        for db in ALL_DTYPES:
            a = binary_operand(op, DTYPES[da], (2, 3), 0)
            b = binary_operand(op, DTYPES[db], (2, 3), 1)
            add_case(f"{op}_{da}_{db}", op, binary_fn(op), [a, b])
    # Broadcasting corners.
    shapes = [((), (2, 3)), ((3, 1), (1, 4)), ((0, 3), (1, 3)), ((4,), (2, 3, 4)),
              ((2, 1, 3), (4, 1)), ((), ()), ((1,), (0,))]
    for sa, sb in shapes:
        tag = "x".join(map(str, sa)) or "scalar"
        tag += "_" + ("x".join(map(str, sb)) or "scalar")
        a = binary_operand(op, torch.float32, sa, 0)
        b = binary_operand(op, torch.float32, sb, 1)
        add_case(f"{op}_bcast_{tag}", op, binary_fn(op), [a, b])
    # Non-contiguous operands.
    a = binary_operand(op, torch.float32, (3, 4), 0)
    b = binary_operand(op, torch.float32, (3, 4), 1)
    add_case(f"{op}_transposed", op, binary_fn(op), [transposed(a), b])
    add_case(f"{op}_strided", op, binary_fn(op), [a, strided(b, 1)])
    base = binary_operand(op, torch.float64, (1, 4), 1)
    add_case(f"{op}_expanded_f64", op, binary_fn(op),
             [binary_operand(op, torch.float64, (3, 4), 0), Input(base, [{"expand": [3, 4]}])])
    # NaN and infinities against every special value.
    sa = torch.tensor(SPECIALS).repeat_interleave(len(SPECIALS))
    sb = torch.tensor(SPECIALS).repeat(len(SPECIALS))
    add_case(f"{op}_specials_f32", op, binary_fn(op), [sa, sb])
    add_case(f"{op}_specials_f64", op, binary_fn(op), [sa.double(), sb.double()])

# A 0-d tensor decides the dtype only when it is of a higher category than the others.
for op in ("add", "mul", "div", "maximum", "lt"):
    for da, db in (("float32", "float64"), ("int64", "float64"), ("int64", "float32"),
                   ("bool", "int64"), ("float64", "float32")):
        a = make(DTYPES[da], 3)
        b = make(DTYPES[db])
        add_case(f"{op}_{da}_with_zero_dim_{db}", op, binary_fn(op), [a, b])
        add_case(f"{op}_zero_dim_{db}_with_{da}", op, binary_fn(op), [b, a])

for alpha in (2, -1.5, 0.5):
    tag = str(alpha).replace("-", "neg").replace(".", "p")
    for dtype in ("float32", "float64", "int64"):
        a, b = make(DTYPES[dtype], 2, 3), make(DTYPES[dtype], 2, 3)
        for op in ("add", "sub"):
            add_case(f"{op}_alpha_{tag}_{dtype}", op,
                     lambda x, y, op=op, alpha=alpha: BINARY[op](x, y, alpha=alpha), [a, b],
                     {"alpha": alpha})
add_case("add_alpha_bool_true", "add", lambda x, y: torch.add(x, y, alpha=True),
         [randbool(4), randbool(4)], {"alpha": True})
add_case("div_int_by_zero", "div", binary_fn("div"),
         [torch.tensor([1, -1, 0, 7]), torch.tensor([0, 0, 0, 2])])
add_case("pow_int_negative_exponent", "pow", binary_fn("pow"),
         [torch.tensor([2, 3]), torch.tensor([1, -1])])
add_case("pow_float_special_exponents", "pow", binary_fn("pow"),
         [f32([-2.0, -2.0, 0.0, 0.0, 1.0, float("nan"), -8.0, 4.0]),
          f32([2.0, 0.5, -1.0, 0.0, float("nan"), 0.0, 1.0 / 3.0, -0.5])])

# --- tensor-scalar forms ----------------------------------------------------------------------

SCALAR_OPS = {
    "add_scalar": lambda t, s: torch.add(t, s), "sub_scalar": lambda t, s: torch.sub(t, s),
    "mul_scalar": lambda t, s: torch.mul(t, s), "div_scalar": lambda t, s: torch.div(t, s),
    "eq_scalar": torch.eq, "ne_scalar": torch.ne, "lt_scalar": torch.lt, "le_scalar": torch.le,
    "gt_scalar": torch.gt, "ge_scalar": torch.ge,
    "pow_scalar": lambda t, s: torch.pow(t, s),
    "rpow_scalar": lambda t, s: torch.pow(s, t),
    "radd_scalar": lambda t, s: s + t, "rsub_scalar": lambda t, s: s - t,
    "rmul_scalar": lambda t, s: s * t, "rdiv_scalar": lambda t, s: s / t,
}
SCALARS = {"int2": 2, "intneg3": -3, "float2p5": 2.5, "float2": 2.0, "true": True,
           "nan": float("nan"), "inf": float("inf")}

for op, fn in SCALAR_OPS.items():
    for dtype in ALL_DTYPES:
        for sname, s in SCALARS.items():
            if op in ("pow_scalar", "rpow_scalar") and sname in ("inf",):
                continue
            if op == "pow_scalar" and dtype != "bool":
                t = binary_operand("pow", DTYPES[dtype], (5,), 0)
            elif op == "rpow_scalar" and dtype != "bool":
                t = binary_operand("pow", DTYPES[dtype], (5,), 1)
            else:
                t = make(DTYPES[dtype], 5)
            if dtype in ("float32", "float64"):
                t[0] = float("nan")
                t[1] = s if not isinstance(s, bool) else 1.0
            add_case(f"{op}_{dtype}_{sname}", op, lambda x, fn=fn, s=s: fn(x, s), [t], {"s": s})

# --- unary ops --------------------------------------------------------------------------------

UNARY = {"neg": torch.neg, "abs": torch.abs, "exp": torch.exp, "log": torch.log,
         "sqrt": torch.sqrt, "logical_not": torch.logical_not, "erf": torch.erf}
for op, fn in UNARY.items():
    for dtype in ALL_DTYPES:
        t = make(DTYPES[dtype], 2, 5)
        if op in ("log", "sqrt") and dtype in ("float32", "float64"):
            t = t.abs() * 3 + 1e-3
        add_case(f"{op}_{dtype}", op, fn, [t])
    add_case(f"{op}_specials_f32", op, fn, [torch.tensor(SPECIALS)])
    add_case(f"{op}_specials_f64", op, fn, [torch.tensor(SPECIALS, dtype=torch.float64)])
    add_case(f"{op}_transposed", op, fn, [transposed(randn(3, 4).abs() + 0.5)])
    add_case(f"{op}_strided", op, fn, [strided(randn(4, 3).abs() + 0.5, 0)])
    add_case(f"{op}_empty", op, fn, [torch.zeros(0, 3)])
    add_case(f"{op}_zero_dim", op, fn, [torch.tensor(2.5)])
add_case("exp_large_f32", "exp", torch.exp, [f32([88.0, 89.0, -103.0, -87.0, 10.0, -10.0])])
add_case("log_negative_and_zero", "log", torch.log, [f32([-1.0, 0.0, -0.0, 1e-30, 1e30])])
add_case("abs_int_min", "abs", torch.abs, [torch.tensor([-(2 ** 62), 5, -7, 0])])
add_case("exp_long_f32", "exp", torch.exp, [randn(300) * 10])
add_case("log_long_f64", "log", torch.log, [randn(300, dtype=torch.float64).abs() * 100])

# --- where --------------------------------------------------------------------------------------

for da, db in (("float32", "float32"), ("float32", "float64"), ("int64", "float32"),
               ("int64", "int64"), ("bool", "bool"), ("bool", "int64")):
    c, a, b = randbool(2, 3), make(DTYPES[da], 2, 3), make(DTYPES[db], 2, 3)
    add_case(f"where_{da}_{db}", "where", torch.where, [c, a, b])
add_case("where_broadcast", "where", torch.where, [randbool(3, 1), randn(1, 4), randn(3, 1, 1)])
add_case("where_noncontiguous", "where", torch.where,
         [transposed(randbool(3, 4)), strided(randn(3, 4), 1), randn(4)])
add_case("where_nan", "where", torch.where,
         [torch.tensor([True, False, True]), f32([float("nan"), 1.0, 2.0]),
          f32([0.0, float("nan"), float("inf")])])
add_case("where_uint8_condition_error", "where", torch.where,
         [torch.tensor([1.0, 0.0]), f32([1.0, 2.0]), f32([3.0, 4.0])])
for dtype in ("float32", "int64", "float64"):
    for sname, s in (("int2", 2), ("float2p5", 2.5), ("nan", float("nan"))):
        c, t = randbool(2, 3), make(DTYPES[dtype], 2, 3)
        add_case(f"where_scalar_b_{dtype}_{sname}", "where_scalar_b",
                 lambda c, t, s=s: torch.where(c, t, s), [c, t], {"s": s})
        add_case(f"where_scalar_a_{dtype}_{sname}", "where_scalar_a",
                 lambda c, t, s=s: torch.where(c, s, t), [c, t], {"s": s})

# --- clamp --------------------------------------------------------------------------------------

clamp_input = f32([float("nan"), -2.0, -0.5, 0.0, 0.5, 2.0, float("inf"), -float("inf")])
for dtype in ("float32", "float64"):
    t = clamp_input.to(DTYPES[dtype])
    for tag, lo, hi in (("both", -1.0, 1.0), ("min_only", -1.0, None), ("max_only", None, 1.0),
                        ("min_gt_max", 1.0, -1.0), ("int_bounds", -1, 1),
                        ("nan_min", float("nan"), 1.0), ("nan_max", -1.0, float("nan"))):
        args = {}
        if lo is not None:
            args["min"] = lo
        if hi is not None:
            args["max"] = hi
        add_case(f"clamp_{tag}_{dtype}", "clamp",
                 lambda x, lo=lo, hi=hi: torch.clamp(x, lo, hi), [t], args)
    add_case(f"clamp_min_{dtype}", "clamp_min", lambda x: torch.clamp_min(x, 0.25), [t],
             {"min": 0.25})
    add_case(f"clamp_max_{dtype}", "clamp_max", lambda x: torch.clamp_max(x, 0.25), [t],
             {"max": 0.25})
ints = torch.arange(-4, 5)
add_case("clamp_int64_int_bounds", "clamp", lambda x: torch.clamp(x, -2, 3), [ints],
         {"min": -2, "max": 3})
add_case("clamp_int64_float_bounds", "clamp", lambda x: torch.clamp(x, -1.5, 2.5), [ints],
         {"min": -1.5, "max": 2.5})
add_case("clamp_int64_min_gt_max", "clamp", lambda x: torch.clamp(x, 3, -2), [ints],
         {"min": 3, "max": -2})
add_case("clamp_min_int64_float", "clamp_min", lambda x: torch.clamp_min(x, 0.5), [ints],
         {"min": 0.5})
add_case("clamp_max_int64_int", "clamp_max", lambda x: torch.clamp_max(x, 1), [ints],
         {"max": 1})
add_case("clamp_transposed", "clamp", lambda x: torch.clamp(x, -0.5, 0.5),
         [transposed(randn(3, 5))], {"min": -0.5, "max": 0.5})
add_case("clamp_none_error", "clamp", lambda x: torch.clamp(x), [randn(3)])

# --- reductions ---------------------------------------------------------------------------------


def reduction_cases(op, fn_all, fn_dims, dtypes, empty_dims_reduce_all=True):
    for dtype in dtypes:
        t = make(DTYPES[dtype], 2, 3, 4)
        add_case(f"{op}_all_{dtype}", op, fn_all, [t])
        for dims, keepdim in (([0], False), ([1], True), ([-1], False), ([0, 2], False),
                              ([-1, 0], True), ([], False), ([0, 1, 2], True)):
            if not dims and not empty_dims_reduce_all:
                continue
            tag = "_".join(str(d).replace("-", "neg") for d in dims) or "none"
            tag += "_keepdim" if keepdim else ""
            add_case(f"{op}_dims_{tag}_{dtype}", op,
                     lambda x, dims=dims, keepdim=keepdim: fn_dims(x, dims, keepdim), [t],
                     {"dims": dims, "keepdim": keepdim})
    t = randn(3, 4, dtype=torch.float32)
    add_case(f"{op}_transposed", op, lambda x: fn_dims(x, [1], False), [transposed(t)],
             {"dims": [1], "keepdim": False})
    add_case(f"{op}_strided", op, lambda x: fn_dims(x, [0], False), [strided(t, 1)],
             {"dims": [0], "keepdim": False})
    add_case(f"{op}_empty_all", op, fn_all, [torch.zeros(0)])
    add_case(f"{op}_empty_2x0_all", op, fn_all, [torch.zeros(2, 0)])
    add_case(f"{op}_empty_dim1", op, lambda x: fn_dims(x, [1], False), [torch.zeros(2, 0)],
             {"dims": [1], "keepdim": False})
    add_case(f"{op}_empty_dim0", op, lambda x: fn_dims(x, [0], True), [torch.zeros(2, 0)],
             {"dims": [0], "keepdim": True})
    add_case(f"{op}_zero_dim", op, fn_all, [torch.tensor(1.5)])
    add_case(f"{op}_zero_dim_dim0", op, lambda x: fn_dims(x, [0], False), [torch.tensor(1.5)],
             {"dims": [0], "keepdim": False})
    special = torch.tensor(SPECIALS).reshape(3, 3)
    add_case(f"{op}_specials", op, lambda x: fn_dims(x, [1], False), [special],
             {"dims": [1], "keepdim": False})
    # Pattern values are multiples of 1/256 whose partial sums all fit a float32 mantissa, so
    # a sum is exact in any order.
    exact_sum = "exact" if op == "sum" else None
    add_case(f"{op}_long_f32", op, fn_all, [pattern(10000)], compare=exact_sum)
    add_case(f"{op}_long_rows_f64", op, lambda x: fn_dims(x, [1], False),
             [pattern(3, 1000, dtype=torch.float64, mul=31)], {"dims": [1], "keepdim": False},
             compare=exact_sum)
    add_case(f"{op}_dim_out_of_range", op, lambda x: fn_dims(x, [2], False), [randn(2, 3)],
             {"dims": [2], "keepdim": False})
    add_case(f"{op}_repeated_dim", op, lambda x: fn_dims(x, [0, -2], False), [randn(2, 3)],
             {"dims": [0, -2], "keepdim": False})


reduction_cases("sum", torch.sum, lambda x, d, k: torch.sum(x, d, k), ALL_DTYPES)
reduction_cases("mean", torch.mean, lambda x, d, k: torch.mean(x, d, k), ["float32", "float64"])
add_case("mean_int64_error", "mean", torch.mean, [randint(4)])
reduction_cases("logsumexp", lambda x: torch.logsumexp(x, list(range(x.dim()))),
                lambda x, d, k: torch.logsumexp(x, d, k), ["float32", "float64"],
                # torch 1.13 raises on logsumexp(x, []): a bug, not a semantics to copy.
                empty_dims_reduce_all=False)
for tag, values in (("neg_inf", [-float("inf"), -float("inf"), 1.0, -float("inf")]),
                    ("all_neg_inf", [-float("inf")] * 4),
                    ("pos_inf", [float("inf"), 1.0, 2.0, -float("inf")]),
                    ("nan", [float("nan"), 1.0, 2.0, 3.0]),
                    ("large", [1000.0, 1000.0, 999.0, -1000.0])):
    add_case(f"logsumexp_{tag}", "logsumexp", lambda x: torch.logsumexp(x, [1], True),
             [f32(values).reshape(1, 4)], {"dims": [1], "keepdim": True})

for op in ("max", "min"):
    fn = getattr(torch, op)
    for dtype in ALL_DTYPES:
        t = make(DTYPES[dtype], 3, 4)
        add_case(f"{op}_all_{dtype}", op, fn, [t])
        for dim, keepdim in ((0, False), (1, True), (-1, False), (-2, True)):
            tag = str(dim).replace("-", "neg") + ("_keepdim" if keepdim else "")
            add_case(f"{op}_dim_{tag}_{dtype}", op + "_dim",
                     lambda x, dim=dim, keepdim=keepdim: fn(x, dim, keepdim), [t],
                     {"dim": dim, "keepdim": keepdim})
    ties = torch.tensor([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0]])
    add_case(f"{op}_dim_ties", op + "_dim", lambda x: fn(x, 1), [ties],
             {"dim": 1, "keepdim": False})
    nan = f32([[1.0, float("nan"), 3.0, float("nan")], [-float("inf"), 0.0, float("inf"), 1.0]])
    add_case(f"{op}_all_nan", op, fn, [nan])
    add_case(f"{op}_dim_nan", op + "_dim", lambda x: fn(x, 1), [nan], {"dim": 1, "keepdim": False})
    add_case(f"{op}_dim_nan_cols", op + "_dim", lambda x: fn(x, 0), [nan],
             {"dim": 0, "keepdim": False})
    add_case(f"{op}_dim_transposed", op + "_dim", lambda x: fn(x, 0), [transposed(randn(3, 5))],
             {"dim": 0, "keepdim": False})
    add_case(f"{op}_all_strided", op, fn, [strided(randn(4, 5), 1)])
    add_case(f"{op}_zero_dim", op, fn, [torch.tensor(-2.5)])
    add_case(f"{op}_dim_zero_dim", op + "_dim", lambda x: fn(x, 0), [torch.tensor(-2.5)],
             {"dim": 0, "keepdim": False})
    add_case(f"{op}_all_empty_error", op, fn, [torch.zeros(0)])
    add_case(f"{op}_dim_empty_error", op + "_dim", lambda x: fn(x, 1), [torch.zeros(2, 0)],
             {"dim": 1, "keepdim": False})
    add_case(f"{op}_dim_empty_other", op + "_dim", lambda x: fn(x, 1), [torch.zeros(0, 3)],
             {"dim": 1, "keepdim": False})
    add_case(f"{op}_long_f32", op, fn, [pattern(5000, mod=4999, offset=-2499)])
    add_case(f"{op}_dim_long_f64", op + "_dim", lambda x: fn(x, 1),
             [pattern(2, 3000, dtype=torch.float64, mul=13, mod=2999, offset=-1499)],
             {"dim": 1, "keepdim": False})
    add_case(f"{op}_all_f32_signed_zeros", op, fn, [f32([-0.0, 0.0, -0.0])])

for op in ("argmax", "argmin"):
    fn = getattr(torch, op)
    for dtype in ("float32", "float64", "int64"):
        t = make(DTYPES[dtype], 3, 4)
        add_case(f"{op}_all_{dtype}", op, fn, [t])
        for dim, keepdim in ((0, False), (1, True), (-1, False)):
            tag = str(dim).replace("-", "neg") + ("_keepdim" if keepdim else "")
            add_case(f"{op}_dim_{tag}_{dtype}", op,
                     lambda x, dim=dim, keepdim=keepdim: fn(x, dim, keepdim), [t],
                     {"dim": dim, "keepdim": keepdim})
    add_case(f"{op}_all_keepdim", op, lambda x: fn(x, None, True), [randn(2, 3)],
             {"keepdim": True})
    ties = torch.tensor([[1, 3, 3, 0, 0], [2, 2, 2, 2, 2]])
    add_case(f"{op}_ties_dim", op, lambda x: fn(x, 1), [ties], {"dim": 1, "keepdim": False})
    add_case(f"{op}_ties_all", op, fn, [ties])
    nan = f32([[1.0, float("nan"), 3.0, float("nan")], [-float("inf"), 0.0, float("inf"), 1.0]])
    add_case(f"{op}_nan_all", op, fn, [nan])
    add_case(f"{op}_nan_dim", op, lambda x: fn(x, 1), [nan], {"dim": 1, "keepdim": False})
    add_case(f"{op}_transposed", op, lambda x: fn(x, 1), [transposed(randn(3, 5))],
             {"dim": 1, "keepdim": False})
    add_case(f"{op}_zero_dim", op, fn, [torch.tensor(3.0)])
    add_case(f"{op}_empty_error", op, fn, [torch.zeros(0)])
    add_case(f"{op}_long_f32", op, fn, [pattern(5000, mod=4999, offset=-2499)])

# --- linear algebra -----------------------------------------------------------------------------

MATMUL_SHAPES = [((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 2)), ((3, 4), (4, 2)),
                 ((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((3, 4), (2, 4, 5)),
                 ((2, 3, 4), (4,)), ((4,), (2, 4, 3)), ((0, 4), (4, 3)), ((3, 0), (0, 2)),
                 ((1, 1), (1, 1)), ((2, 1, 4), (1, 4, 3))]
for sa, sb in MATMUL_SHAPES:
    tag = "x".join(map(str, sa)) + "_" + "x".join(map(str, sb))
    for dtype in ("float32", "float64"):
        a, b = make(DTYPES[dtype], *sa), make(DTYPES[dtype], *sb)
        add_case(f"matmul_{tag}_{dtype}", "matmul", torch.matmul, [a, b])
add_case("matmul_int64", "matmul", torch.matmul, [randint(3, 4), randint(4, 2)])
add_case("matmul_mixed_dtype_error", "matmul", torch.matmul,
         [randn(3, 4), randn(4, dtype=torch.float64)])
add_case("matmul_shape_mismatch", "matmul", torch.matmul, [randn(3, 4), randn(5, 2)])
add_case("matmul_zero_dim_error", "matmul", torch.matmul, [randn(3), torch.tensor(2.0)])
add_case("matmul_transposed_a", "matmul", torch.matmul, [transposed(randn(3, 4)), randn(4, 5)])
add_case("matmul_transposed_b", "matmul", torch.matmul, [randn(3, 4), transposed(randn(4, 5))])
add_case("matmul_strided", "matmul", torch.matmul,
         [strided(randn(3, 4), 1), strided(randn(4, 2), 0)])
add_case("matmul_expanded_batch", "matmul", torch.matmul,
         [Input(randn(1, 3, 4), [{"expand": [2, 3, 4]}]), randn(2, 4, 3)])
add_case("matmul_large_f32", "matmul", torch.matmul,
         [pattern(33, 65, mod=17, offset=-8, divisor=8),
          pattern(65, 17, mul=5, mod=13, offset=-6, divisor=4)])
add_case("matmul_nan_inf", "matmul", torch.matmul,
         [f32([[1.0, float("nan")], [float("inf"), 1.0]]), f32([[1.0, 2.0], [3.0, 4.0]])])
for dtype in ("float32", "float64"):
    a, b = make(DTYPES[dtype], 3, 5), make(DTYPES[dtype], 5, 2)
    add_case(f"mm_{dtype}", "mm", torch.mm, [a, b])
    a, b = make(DTYPES[dtype], 2, 3, 5), make(DTYPES[dtype], 2, 5, 4)
    add_case(f"bmm_{dtype}", "bmm", torch.bmm, [a, b])
add_case("mm_transposed", "mm", torch.mm, [transposed(randn(4, 3)), transposed(randn(3, 2))])
add_case("mm_1d_error", "mm", torch.mm, [randn(3), randn(3, 2)])
add_case("mm_shape_mismatch", "mm", torch.mm, [randn(2, 3), randn(4, 2)])
add_case("mm_empty_inner", "mm", torch.mm, [randn(2, 0), randn(0, 3)])
add_case("bmm_transposed", "bmm", torch.bmm, [randn(2, 3, 4), transposed(randn(2, 4, 5))])
add_case("bmm_batch_mismatch", "bmm", torch.bmm, [randn(2, 3, 4), randn(3, 4, 5)])
add_case("bmm_2d_error", "bmm", torch.bmm, [randn(3, 4), randn(4, 5)])

# --- joining ------------------------------------------------------------------------------------

for dim in (0, 1, 2, -1, -3):
    tag = str(dim).replace("-", "neg")
    shapes = [[2, 3, 4], [2, 3, 4], [2, 3, 4]]
    shapes[0][dim] = 1
    shapes[2][dim] = 3
    add_case(f"cat_dim_{tag}", "cat", lambda *xs, dim=dim: torch.cat(xs, dim),
             [randn(*s) for s in shapes], {"dim": dim})
for dim in (0, 1, 2, 3, -1, -4):
    tag = str(dim).replace("-", "neg")
    add_case(f"stack_dim_{tag}", "stack", lambda *xs, dim=dim: torch.stack(xs, dim),
             [randn(2, 3, 4) for _ in range(3)], {"dim": dim})
add_case("cat_legacy_empty", "cat", lambda *xs: torch.cat(xs, 1),
         [torch.zeros(0), randn(2, 3), randn(2, 2)], {"dim": 1})
add_case("cat_legacy_empty_last", "cat", lambda *xs: torch.cat(xs, 0),
         [randn(2, 3), torch.zeros(0)], {"dim": 0})
add_case("cat_empty_rows", "cat", lambda *xs: torch.cat(xs, 0), [torch.zeros(0, 3), randn(2, 3)],
         {"dim": 0})
add_case("cat_single", "cat", lambda *xs: torch.cat(xs, 0), [randn(2, 3)], {"dim": 0})
add_case("cat_mixed_dtypes", "cat", lambda *xs: torch.cat(xs, 0),
         [randn(2), randint(3), randbool(1)], {"dim": 0})
add_case("cat_f32_f64", "cat", lambda *xs: torch.cat(xs, 0),
         [randn(2), randn(2, dtype=torch.float64)], {"dim": 0})
add_case("cat_noncontiguous", "cat", lambda *xs: torch.cat(xs, 1),
         [transposed(randn(3, 2)), strided(randn(3, 4), 1)], {"dim": 1})
add_case("cat_shape_mismatch", "cat", lambda *xs: torch.cat(xs, 0), [randn(2, 3), randn(2, 4)],
         {"dim": 0})
add_case("cat_rank_mismatch", "cat", lambda *xs: torch.cat(xs, 0), [randn(2, 3), randn(3)],
         {"dim": 0})
add_case("cat_zero_dim_error", "cat", lambda *xs: torch.cat(xs, 0),
         [torch.tensor(1.0), torch.tensor(2.0)], {"dim": 0})
add_case("cat_bool", "cat", lambda *xs: torch.cat(xs, 0), [randbool(2, 2), randbool(1, 2)],
         {"dim": 0})
add_case("stack_zero_dim", "stack", lambda *xs: torch.stack(xs, 0),
         [torch.tensor(1.0), torch.tensor(2.0)], {"dim": 0})
add_case("stack_shape_mismatch", "stack", lambda *xs: torch.stack(xs, 0),
         [randn(2, 3), randn(3, 2)], {"dim": 0})
add_case("stack_mixed_dtypes", "stack", lambda *xs: torch.stack(xs, 1), [randint(3), randn(3)],
         {"dim": 1})
add_case("stack_noncontiguous", "stack", lambda *xs: torch.stack(xs, 2),
         [transposed(randn(2, 3)), randn(2, 3)], {"dim": 2})

# --- views, compared by values --------------------------------------------------------------------

base = randn(2, 3, 4)
view_cases = [
    ("view_neg1", "view", lambda x: x.view(4, -1), {"shape": [4, -1]}),
    ("view_flat", "view", lambda x: x.view(-1), {"shape": [-1]}),
    ("view_add_ones", "view", lambda x: x.view(1, 6, 1, 4), {"shape": [1, 6, 1, 4]}),
    ("view_bad_size", "view", lambda x: x.view(5, -1), {"shape": [5, -1]}),
    ("view_two_neg1", "view", lambda x: x.view(-1, -1), {"shape": [-1, -1]}),
    ("reshape_neg1", "reshape", lambda x: x.reshape(-1, 2), {"shape": [-1, 2]}),
    ("flatten_all", "flatten", lambda x: x.flatten(), {"start": 0, "end": -1}),
    ("flatten_1_2", "flatten", lambda x: x.flatten(1, 2), {"start": 1, "end": 2}),
    ("flatten_0_1", "flatten", lambda x: x.flatten(0, 1), {"start": 0, "end": 1}),
    ("unsqueeze_0", "unsqueeze", lambda x: x.unsqueeze(0), {"dim": 0}),
    ("unsqueeze_3", "unsqueeze", lambda x: x.unsqueeze(3), {"dim": 3}),
    ("unsqueeze_neg1", "unsqueeze", lambda x: x.unsqueeze(-1), {"dim": -1}),
    ("unsqueeze_out_of_range", "unsqueeze", lambda x: x.unsqueeze(5), {"dim": 5}),
    ("transpose_0_2", "transpose", lambda x: x.transpose(0, 2), {"dim0": 0, "dim1": 2}),
    ("transpose_neg", "transpose", lambda x: x.transpose(-1, -2), {"dim0": -1, "dim1": -2}),
    ("permute_2_0_1", "permute", lambda x: x.permute(2, 0, 1), {"dims": [2, 0, 1]}),
    ("permute_neg", "permute", lambda x: x.permute(-1, -2, -3), {"dims": [-1, -2, -3]}),
    ("permute_repeated", "permute", lambda x: x.permute(0, 0, 1), {"dims": [0, 0, 1]}),
    ("select_1_2", "select", lambda x: x.select(1, 2), {"dim": 1, "index": 2}),
    ("select_neg", "select", lambda x: x.select(-1, -1), {"dim": -1, "index": -1}),
    ("select_out_of_range", "select", lambda x: x.select(1, 3), {"dim": 1, "index": 3}),
    ("narrow_2_1_2", "narrow", lambda x: x.narrow(2, 1, 2), {"dim": 2, "start": 1, "length": 2}),
    ("narrow_neg_start", "narrow", lambda x: x.narrow(1, -2, 2),
     {"dim": 1, "start": -2, "length": 2}),
    ("narrow_too_long", "narrow", lambda x: x.narrow(1, 2, 2), {"dim": 1, "start": 2, "length": 2}),
    ("slice_step2", "slice", lambda x: x[:, :, 0::2],
     {"dim": 2, "start": 0, "end": None, "step": 2}),
    ("slice_step3_offset", "slice", lambda x: x[:, 1::3],
     {"dim": 1, "start": 1, "end": None, "step": 3}),
    ("slice_negative_bounds", "slice", lambda x: x[:, :, -3:-1],
     {"dim": 2, "start": -3, "end": -1, "step": 1}),
    ("slice_clamped", "slice", lambda x: x[:, -10:10],
     {"dim": 1, "start": -10, "end": 10, "step": 1}),
    ("slice_empty", "slice", lambda x: x[:, 2:1], {"dim": 1, "start": 2, "end": 1, "step": 1}),
    ("chunk_even", "chunk", lambda x: x.chunk(2, 2), {"chunks": 2, "dim": 2}),
    ("chunk_uneven", "chunk", lambda x: x.chunk(2, 1), {"chunks": 2, "dim": 1}),
    ("chunk_more_than_size", "chunk", lambda x: x.chunk(5, 1), {"chunks": 5, "dim": 1}),
    ("split_size_uneven", "split", lambda x: x.split(3, -1), {"split_size": 3, "dim": -1}),
    ("split_size_even", "split", lambda x: x.split(1, 0), {"split_size": 1, "dim": 0}),
    ("split_sizes", "split_sizes", lambda x: x.split([1, 0, 3], 2), {"sizes": [1, 0, 3], "dim": 2}),
    ("split_sizes_bad_sum", "split_sizes", lambda x: x.split([1, 2], 2),
     {"sizes": [1, 2], "dim": 2}),
    ("contiguous", "contiguous", lambda x: x.contiguous(), {}),
    ("clone", "clone", lambda x: x.clone(), {}),
]
for name, op, fn, args in view_cases:
    add_case(name, op, fn, [base], args)
add_case("chunk_4_of_6", "chunk", lambda x: x.chunk(4, 0), [randn(6, 4)], {"chunks": 4, "dim": 0})
add_case("chunk_empty_dim", "chunk", lambda x: x.chunk(3, 0), [torch.zeros(0, 2)],
         {"chunks": 3, "dim": 0})
add_case("expand_leading", "expand", lambda x: x.expand(5, 2, 3, 4), [randn(2, 1, 4)],
         {"shape": [5, 2, 3, 4]})
add_case("expand_keep_neg1", "expand", lambda x: x.expand(-1, 3), [randn(2, 1)], {"shape": [-1, 3]})
add_case("expand_zero_dim", "expand", lambda x: x.expand(2, 2), [torch.tensor(7.0)],
         {"shape": [2, 2]})
add_case("expand_bad", "expand", lambda x: x.expand(3, 4), [randn(2, 4)], {"shape": [3, 4]})
add_case("squeeze_all", "squeeze", lambda x: x.squeeze(), [randn(1, 3, 1, 2)], {})
add_case("squeeze_dim", "squeeze", lambda x: x.squeeze(2), [randn(1, 3, 1, 2)], {"dim": 2})
add_case("squeeze_dim_not_one", "squeeze", lambda x: x.squeeze(1), [randn(1, 3, 1, 2)], {"dim": 1})
add_case("squeeze_neg_dim", "squeeze", lambda x: x.squeeze(-4), [randn(1, 3, 1, 2)], {"dim": -4})
add_case("squeeze_zero_dim", "squeeze", lambda x: x.squeeze(0), [torch.tensor(1.0)], {"dim": 0})
add_case("t_2d", "t", lambda x: x.t(), [randn(2, 3)], {})
add_case("t_1d", "t", lambda x: x.t(), [randn(3)], {})
add_case("t_3d_error", "t", lambda x: x.t(), [randn(2, 3, 4)], {})
add_case("view_zero_dim", "view", lambda x: x.view(1, 1), [torch.tensor(3.0)], {"shape": [1, 1]})
add_case("view_empty", "view", lambda x: x.view(3, -1, 2), [torch.zeros(0, 6)],
         {"shape": [3, 0, 2]})
add_case("flatten_zero_dim", "flatten", lambda x: x.flatten(), [torch.tensor(3.0)],
         {"start": 0, "end": -1})
add_case("view_noncontiguous_error", "view", lambda x: x.view(-1), [transposed(randn(2, 3))],
         {"shape": [-1]})
add_case("view_noncontiguous_ok", "view", lambda x: x.view(3, 2, 2),
         [Input(randn(3, 2, 4), [{"slice": [2, 0, 2, 1]}])], {"shape": [3, 2, 2]})
add_case("reshape_noncontiguous", "reshape", lambda x: x.reshape(-1), [transposed(randn(2, 3))],
         {"shape": [-1]})
add_case("contiguous_transposed", "contiguous", lambda x: x.contiguous(),
         [Input(randn(2, 3, 4), [{"permute": [2, 0, 1]}])], {})
add_case("contiguous_expanded", "contiguous", lambda x: x.contiguous(),
         [Input(randint(1, 3), [{"expand": [4, 3]}])], {})
add_case("clone_strided_bool", "clone", lambda x: x.clone(), [strided(randbool(3, 4), 1)], {})
add_case("select_then_slice", "slice", lambda x: x[1::2],
         [Input(randn(4, 6), [{"transpose": [0, 1]}])],
         {"dim": 0, "start": 1, "end": None, "step": 2})

# --- conversions ----------------------------------------------------------------------------------

conversion_sources = {
    "float32": f32([-2.7, -1.5, -0.5, -0.0, 0.0, 0.4, 0.5, 1.5, 2.7, 1e10, -3e9, 0.1]),
    "float64": torch.tensor([-2.7, -1.5, -0.5, 0.0, 0.5, 1.5, 2.7, 1e15, 1.0 + 2 ** -30,
                             16777217.0], dtype=torch.float64),
    "int64": torch.tensor([-3, 0, 1, 2 ** 40 + 1, 16777217, -(2 ** 53) - 1]),
    "bool": torch.tensor([True, False, True]),
}
for src, t in conversion_sources.items():
    for dst in ALL_DTYPES:
        add_case(f"to_{src}_{dst}", "to", lambda x, dst=dst: x.to(DTYPES[dst]), [t], {"dtype": dst})
add_case("to_float32_bool_specials", "to", lambda x: x.to(torch.bool),
         [f32([float("nan"), float("inf"), -0.0, 1e-40])], {"dtype": "bool"})
add_case("to_float64_float32_specials", "to", lambda x: x.to(torch.float32),
         [torch.tensor([float("nan"), -float("inf"), 1e300, 1e-300, 0.1], dtype=torch.float64)],
         {"dtype": "float32"})
add_case("to_transposed", "to", lambda x: x.to(torch.float64), [transposed(randn(2, 3))],
         {"dtype": "float64"})

# --- factories ----------------------------------------------------------------------------------

for start, end, steps, dtype in ((0.0, 1.0, 5, "float32"), (-1.0, 1.0, 7, "float64"),
                                 (3.0, -2.0, 11, "float32"), (0.0, 1.0, 1, "float32"),
                                 (0.0, 1.0, 0, "float32"), (1.0, 1.0, 4, "float64"),
                                 (0.0, 10.0, 101, "float32")):
    tag = f"{start}_{end}_{steps}_{dtype}".replace("-", "neg").replace(".", "p")
    add_case(f"linspace_{tag}", "linspace",
             lambda s=start, e=end, n=steps, d=dtype: torch.linspace(s, e, n, dtype=DTYPES[d]),
             [], {"start": start, "end": end, "steps": steps, "dtype": dtype})
add_case("linspace_negative_steps", "linspace", lambda: torch.linspace(0.0, 1.0, -1), [],
         {"start": 0.0, "end": 1.0, "steps": -1, "dtype": "float32"})

ARANGES = [("int_end", (5,), None), ("int_range", (2, 9, 3), None),
           ("int_negative_step", (5, -4, -2), None),
           ("float_end", (2.5,), None), ("float_step", (0, 1, 0.1), None),
           ("float_negative_step", (1.0, -1.0, -0.25), None), ("int_float64", (0, 5, 1), "float64"),
           ("float_to_int64", (0.5, 4.5, 1), "int64"), ("empty", (3, 3, 1), None),
           ("zero_step", (0, 3, 0), None), ("wrong_direction", (0, 3, -1), None),
           ("mixed_int_float", (1, 2.5, 1), None)]
for tag, params, dtype in ARANGES:
    args = dict(zip(["start", "end", "step"] if len(params) > 1 else ["end"], params))
    if dtype:
        args["dtype"] = dtype
    kwargs = {"dtype": DTYPES[dtype]} if dtype else {}
    add_case(f"arange_{tag}", "arange", lambda p=params, k=kwargs: torch.arange(*p, **k), [], args)

for tag, value, dtype in (("int", 3, None), ("float", 2.5, None), ("bool", True, None),
                          ("nan", float("nan"), None), ("int_as_float64", 3, "float64"),
                          ("float_as_int64", 2.7, "int64"), ("int_as_bool", 2, "bool")):
    args = {"shape": [2, 3], "value": value}
    if dtype:
        args["dtype"] = dtype
    kwargs = {"dtype": DTYPES[dtype]} if dtype else {}
    add_case(f"full_{tag}", "full", lambda v=value, k=kwargs: torch.full((2, 3), v, **k), [], args)
add_case("full_empty", "full", lambda: torch.full((0, 2), 1.0), [], {"shape": [0, 2], "value": 1.0})
add_case("full_zero_dim", "full", lambda: torch.full((), 4), [], {"shape": [], "value": 4})
add_case("full_negative_size", "full", lambda: torch.full((2, -1), 4), [],
         {"shape": [2, -1], "value": 4})
for dtype in (None, "float64", "int64", "bool"):
    kwargs = {"dtype": DTYPES[dtype]} if dtype else {}
    args = {"shape": [2, 2]} | ({"dtype": dtype} if dtype else {})
    tag = dtype or "default"
    add_case(f"zeros_{tag}", "zeros", lambda k=kwargs: torch.zeros(2, 2, **k), [], args)
    add_case(f"ones_{tag}", "ones", lambda k=kwargs: torch.ones(2, 2, **k), [], args)

# --- write --------------------------------------------------------------------------------------

document = {
    "generator": "tools/gen_reference.py",
    "note": "Generated by tools/gen_reference.py from PyTorch " + torch.__version__ +
            "; do not edit by hand.",
    "cases": cases,
}
with open(OUT_PATH, "w") as f:
    json.dump(document, f, separators=(",", ":"), allow_nan=False)
    f.write("\n")
print(f"{len(cases)} cases, {sum(1 for c in cases if c.get('error'))} expect an error, "
      f"{os.path.getsize(OUT_PATH)} bytes -> {os.path.relpath(OUT_PATH)}")
