#!/usr/bin/env python3
"""Writes tests/golden/print_cases.json: tensors and the exact string PyTorch 1.13 prints for
each (with "torch." spelled "activ."), for tests/print_test.cpp.

Run with the system python that has torch: /usr/bin/python3 tools/gen_print_reference.py

Each case holds the dtype, the shape and either the values (row-major; floats as JSON numbers,
which round-trip exactly, non-finite floats as the strings "nan", "inf", "-inf") or, for the
large summarized tensors, a pattern the test regenerates bit for bit:
    value[i] = ((i * mul) % mod + add) * scale, then overrides[k] = [index, value]
Optional fields: "views" applied in order after building the tensor (["transpose", d0, d1],
["slice", dim, start, end, step], ["expand", shape]), "options" for set_printoptions, and
"suffixes" that activ passes to format_tensor where torch adds them itself (requires_grad,
grad_fn).
"""

import json
import math
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "golden",
                   "print_cases.json")

DTYPES = {
    "float32": torch.float32,
    "float64": torch.float64,
    "int64": torch.int64,
    "bool": torch.bool,
}

NAN = float("nan")
INF = float("inf")

cases = []


def encode(value):
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def pattern_values(numel, mul, mod, add, scale, overrides):
    values = [float(((i * mul) % mod + add)) * scale for i in range(numel)]
    for index, value in overrides:
        values[index] = value
    return values


def add(name, dtype, shape, values=None, pattern=None, views=(), options=None, suffixes=None,
        make=None):
    """make(t) may turn the built tensor into the one torch prints (e.g. requires_grad)."""
    torch_dtype = DTYPES[dtype]
    numel = math.prod(shape)
    case = {"name": name, "dtype": dtype, "shape": list(shape)}
    if pattern is not None:
        mul, mod, offset, scale, overrides = (pattern.get("mul", 1), pattern["mod"],
                                              pattern.get("add", 0), pattern.get("scale", 1.0),
                                              pattern.get("overrides", []))
        flat = pattern_values(numel, mul, mod, offset, scale, overrides)
        case["pattern"] = {"mul": mul, "mod": mod, "add": offset, "scale": scale,
                           "overrides": [[i, encode(v)] for i, v in overrides]}
    else:
        flat = list(values)
        assert len(flat) == numel, name
        if dtype == "float32":  # store the values float32 holds, so they round-trip exactly
            flat = torch.tensor(flat, dtype=torch.float32).tolist()
        case["values"] = [encode(v) for v in flat]
    if numel == 0:
        t = torch.empty(shape, dtype=torch_dtype)
    elif dtype in ("int64", "bool"):
        cast = int if dtype == "int64" else bool
        t = torch.tensor([cast(v) for v in flat], dtype=torch_dtype).reshape(shape)
    else:
        t = torch.tensor(flat, dtype=torch.float64).to(torch_dtype).reshape(shape)
    # Values must survive the trip through the dtype, or the test would build another tensor.
    if dtype in ("float32", "float64") and numel:
        back = t.reshape(-1).to(torch.float64).tolist()
        for a, b in zip(back, flat):
            assert (math.isnan(a) and math.isnan(b)) or a == b, (name, a, b)
    for view in views:
        if view[0] == "transpose":
            t = t.transpose(view[1], view[2])
        elif view[0] == "slice":
            _, dim, start, end, step = view
            index = [slice(None)] * t.dim()
            index[dim] = slice(start, end, step)
            t = t[tuple(index)]
        elif view[0] == "expand":
            t = t.expand(*view[1])
        else:
            raise ValueError(view)
    if views:
        case["views"] = [list(v) for v in views]
    if make is not None:
        t = make(t)
    if options:
        case["options"] = options
        torch.set_printoptions(**options)
    try:
        text = repr(t)
    finally:
        torch.set_printoptions(profile="default")
    if suffixes:
        case["suffixes"] = suffixes
        for suffix in suffixes:
            assert suffix in text, (name, suffix, text)
    case["expected"] = text.replace("torch.", "activ.")
    cases.append(case)


def randn(seed, shape, dtype=torch.float32):
    torch.manual_seed(seed)
    return torch.randn(shape, dtype=dtype).reshape(-1).tolist()


# --- plain float32 of every rank ---------------------------------------------------------------
add("seed_example", "float32", [2], [0.3439, 0.6682])
for seed, shape in enumerate([[1], [5], [10], [25], [3, 4], [5, 2], [2, 10], [2, 3, 4], [3, 1, 2],
                              [2, 2, 2, 3], [1, 2, 1, 2], [4, 1], [1, 1, 1]]):
    add(f"randn_{'x'.join(map(str, shape))}", "float32", shape, randn(seed, shape))
add("randn_scaled_100", "float32", [6], [v * 100 for v in randn(20, [6])])
add("randn_scaled_small", "float32", [4], [v / 64 for v in randn(21, [4])])

# --- whole numbers (int_mode) ------------------------------------------------------------------
add("whole_1_2", "float32", [2], [1.0, 2.0])
add("whole_negative", "float32", [3], [-1.0, 100.0, 3.0])
add("whole_ratio_1000", "float32", [2], [1000.0, 1.0])
add("whole_ratio_10000_sci", "float32", [2], [10000.0, 1.0])
add("whole_1e8", "float32", [2], [1e8, 3e7])
add("whole_above_1e8_sci", "float32", [2], [1.5e9, 2e9])
add("whole_2d", "float32", [2, 3], [0.0, 1.0, -2.0, 30.0, 4.0, 5.0])
add("zeros_1d", "float32", [3], [0.0, 0.0, 0.0])
add("zeros_2d", "float32", [2, 2], [0.0, 0.0, 0.0, 0.0])
add("whole_and_nan", "float32", [3], [NAN, 1.0, 2.0])
add("whole_and_inf", "float32", [3], [1.0, INF, -INF])
add("whole_with_zero", "float32", [3], [0.0, 12.0, -7.0])

# --- scientific notation -----------------------------------------------------------------------
add("sci_small", "float32", [2], [1e-5, 1.0])
add("sci_small_only", "float32", [3], [1e-5, 2e-5, 3.5e-5])
add("sci_large", "float32", [2], [1.5e9, 0.5])
add("sci_ratio", "float32", [2], [0.5, 1000.5])
add("fixed_ratio_800", "float32", [2], [0.5, 400.25])
add("fixed_min_1p5e-4", "float32", [2], [1.5e-4, 0.25])
add("sci_min_9e-5", "float32", [2], [9e-5, 0.25])
add("sci_mixed_signs", "float32", [2, 3], [1e-6, -2.5e3, 3.0, -4e-2, 5e7, 0.0])
add("sci_huge_float64", "float64", [3], [1e200, -3.5e-100, 1.0])
add("sci_with_nonfinite", "float32", [4], [1e-5, NAN, INF, -INF])

# --- alignment, non-finite, signed zero --------------------------------------------------------
add("negative_alignment", "float32", [3], [-1.5, 2.25, -100.125])
add("negative_alignment_2d", "float32", [3, 2], [-1.5, 2.25, 10.0, -0.125, 3.5, -20.75])
add("nan_inf_finite", "float32", [4], [NAN, 1.5, INF, -INF])
add("inf_only", "float32", [2], [INF, -INF])
add("nan_only", "float32", [1], [NAN])
add("all_nan", "float32", [2, 2], [NAN, NAN, NAN, NAN])
add("nan_and_zero", "float32", [2], [NAN, 0.0])
add("nan_2d_aligned", "float32", [2, 2], [NAN, -12.5, 0.25, INF])
add("negative_zero_fraction", "float32", [2], [-0.0, 1.5])
add("negative_zero_only", "float32", [1], [-0.0])
add("negative_and_positive_zero", "float32", [2], [-0.0, 0.0])
add("negative_zero_whole", "float32", [2], [-0.0, 1.0])
add("rounding_ties", "float32", [4], [0.015625, 0.046875, -0.109375, 2.00005])
add("rounds_to_negative_zero", "float32", [2], [-0.00001, 0.5], options={"sci_mode": False})

# --- float64 -----------------------------------------------------------------------------------
add("float64_randn_1d", "float64", [5], randn(30, [5], torch.float64))
add("float64_randn_2d", "float64", [2, 3], randn(31, [2, 3], torch.float64))
add("float64_whole", "float64", [2], [1.0, 2.0])
add("float64_precise", "float64", [2], [0.1, 1.0 / 3.0])
add("float64_long_row", "float64", [15], randn(32, [15], torch.float64))

# --- int64 and bool ----------------------------------------------------------------------------
add("int64_small", "int64", [3], [1, -2, 300])
add("int64_extremes", "int64", [2], [9223372036854775807, -9223372036854775808])
add("int64_2d", "int64", [2, 3], [0, -1, 22, 333, -4444, 5])
add("int64_3d", "int64", [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8])
add("int64_long_row", "int64", [50], [i * i * (-1) ** i for i in range(50)])
add("bool_1d", "bool", [2], [True, False])
add("bool_all_true", "bool", [2], [True, True])
add("bool_2d", "bool", [2, 3], [True, False, False, True, True, False])
add("bool_long_row", "bool", [20], [i % 3 == 0 for i in range(20)])

# --- 0-d ---------------------------------------------------------------------------------------
add("scalar_float32", "float32", [], [3.5])
add("scalar_float32_whole", "float32", [], [2.0])
add("scalar_float32_negative_zero", "float32", [], [-0.0])
add("scalar_float32_nan", "float32", [], [NAN])
add("scalar_float32_inf", "float32", [], [-INF])
add("scalar_float32_sci", "float32", [], [1e-5])
add("scalar_float64", "float64", [], [3.5])
add("scalar_int64", "int64", [], [-7])
add("scalar_bool", "bool", [], [True])

# --- empty -------------------------------------------------------------------------------------
for dtype in DTYPES:
    for shape in ([0], [0, 3], [2, 0]):
        add(f"empty_{dtype}_{'x'.join(map(str, shape))}", dtype, shape, [])
add("empty_float32_2x0x3", "float32", [2, 0, 3], [])

# --- summarization (threshold 1000, edgeitems 3) -----------------------------------------------
add("summary_1d_2000", "float32", [2000], pattern={"mul": 7919, "mod": 1000, "add": -500,
                                                   "scale": 1 / 64})
add("summary_100x100", "float32", [100, 100], pattern={"mul": 7919, "mod": 997, "add": -400,
                                                       "scale": 1 / 32})
add("summary_3x1000", "float32", [3, 1000], pattern={"mul": 31, "mod": 211, "scale": 1 / 4})
add("summary_10x10x20", "float32", [10, 10, 20], pattern={"mul": 13, "mod": 101, "add": -50,
                                                          "scale": 1 / 8})
add("summary_4d", "float32", [8, 8, 4, 5], pattern={"mul": 17, "mod": 89, "scale": 1 / 16})
add("summary_int64", "int64", [2000], pattern={"mul": 104729, "mod": 1000003, "add": -500000})
add("summary_bool", "bool", [1001], pattern={"mul": 3, "mod": 2})
add("summary_hidden_outlier", "float32", [2000],
    pattern={"mul": 7, "mod": 100, "scale": 1 / 8, "overrides": [[1000, 2.0**40], [1001, NAN]]})
add("summary_hidden_fraction", "float32", [1500],
    pattern={"mod": 100, "add": 1, "overrides": [[700, 0.5]]})
add("summary_float64", "float64", [1200], pattern={"mul": 3, "mod": 1000, "scale": 1 / 1024})
add("summary_boundary_1000", "float32", [1000], pattern={"mod": 1000})
add("summary_boundary_1001", "float32", [1001], pattern={"mod": 1000})

# --- line wrapping at 80 columns ----------------------------------------------------------------
add("wrap_1d_30", "float32", [30], randn(40, [30]))
add("wrap_2d_2x20", "float32", [2, 20], randn(41, [2, 20]))
add("wrap_3d_2x2x12", "float32", [2, 2, 12], randn(42, [2, 2, 12]))
add("wrap_wide_values", "float32", [12], [v * 1e4 for v in randn(43, [12])])

# --- print options -----------------------------------------------------------------------------
add("precision_2", "float32", [4], randn(50, [4]), options={"precision": 2})
add("precision_8", "float32", [4], randn(51, [4]), options={"precision": 8})
add("precision_8_float64", "float64", [3], randn(52, [3], torch.float64),
    options={"precision": 8})
add("precision_0", "float32", [3], [0.5, 1.5, -2.25], options={"precision": 0})
add("precision_2_sci", "float32", [2], [1e-5, 1e5], options={"precision": 2})
add("sci_mode_true", "float32", [4], randn(53, [4]), options={"sci_mode": True})
add("sci_mode_true_whole", "float32", [3], [1.0, 20.0, -300.0], options={"sci_mode": True})
add("sci_mode_true_zeros", "float32", [3], [0.0, 0.0, 0.0], options={"sci_mode": True})
add("sci_mode_false_small", "float32", [2], [1e-5, 1.0], options={"sci_mode": False})
add("sci_mode_false_large", "float32", [2], [1.5e9, 2e9], options={"sci_mode": False})
add("linewidth_40_1d", "float32", [20], randn(54, [20]), options={"linewidth": 40})
add("linewidth_40_2d", "float32", [3, 8], randn(55, [3, 8]), options={"linewidth": 40})
add("linewidth_10_1d", "float32", [5], randn(56, [5]), options={"linewidth": 10})
add("threshold_10_int64", "int64", [20], list(range(20)), options={"threshold": 10})
add("threshold_10_2d", "float32", [3, 5], randn(57, [3, 5]), options={"threshold": 10})
add("threshold_10_edgeitems_2", "float32", [6, 7], randn(58, [6, 7]),
    options={"threshold": 10, "edgeitems": 2})
add("edgeitems_2_summary", "int64", [2000], pattern={"mod": 2000}, options={"edgeitems": 2})
add("edgeitems_1_3d", "float32", [4, 4, 4], randn(59, [4, 4, 4]),
    options={"threshold": 10, "edgeitems": 1})
add("linewidth_40_float64_suffix", "float64", [2, 4], randn(60, [2, 4], torch.float64),
    options={"linewidth": 40})
add("threshold_0_scalar", "float32", [], [1.25], options={"threshold": 0})

# --- non-contiguous views ----------------------------------------------------------------------
add("view_transpose_3x4", "float32", [3, 4], randn(70, [3, 4]), views=[["transpose", 0, 1]])
add("view_transpose_int64", "int64", [2, 3], [1, 2, 3, 40, 50, 60], views=[["transpose", 0, 1]])
add("view_slice_step_2", "float32", [3, 6], randn(71, [3, 6]), views=[["slice", 1, 1, 6, 2]])
add("view_expand", "float32", [3, 1], [1.5, -2.0, 3.25], views=[["expand", [3, 4]]])
add("view_transpose_summary", "float32", [40, 50], pattern={"mul": 11, "mod": 97, "scale": 0.5},
    views=[["transpose", 0, 1]])

# --- suffixes autograd appends ------------------------------------------------------------------
add("suffix_requires_grad", "float32", [3], randn(80, [3]), suffixes=["requires_grad=True"],
    make=lambda t: t.requires_grad_())
add("suffix_requires_grad_float64", "float64", [2], [1.0, 2.0], suffixes=["requires_grad=True"],
    make=lambda t: t.requires_grad_())
add("suffix_grad_fn", "float32", [2, 2], [v * 2 for v in randn(81, [4])],
    suffixes=["grad_fn=<MulBackward0>"],
    make=lambda t: (t.detach() / 2).requires_grad_() * 2)
add("suffix_wraps_after_long_row", "float32", [9], [v + 100 for v in randn(82, [9])],
    suffixes=["requires_grad=True"], make=lambda t: t.requires_grad_())
add("suffix_float64_wraps", "float64", [2, 9], randn(83, [2, 9], torch.float64),
    suffixes=["grad_fn=<MulBackward0>"],
    make=lambda t: (t.detach() / 2).requires_grad_() * 2)
add("suffix_on_new_line", "float32", [8], randn(84, [8]), suffixes=["requires_grad=True"],
    make=lambda t: t.requires_grad_())
add("suffix_second_on_new_line", "float64", [6], randn(85, [6], torch.float64),
    suffixes=["grad_fn=<MulBackward0>"],
    make=lambda t: (t.detach() / 2).requires_grad_() * 2)

assert len({c["name"] for c in cases}) == len(cases)
with open(OUT, "w") as f:
    json.dump({"generator": "tools/gen_print_reference.py",
               "torch_version": torch.__version__, "cases": cases}, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)")
