"""Shared inputs of the activ Python tests: edge values and options per activation."""
import numpy as np
import pytest
import torch

import activ

# ±0, ±inf, NaN, subnormals, huge values, the kinks of the piecewise functions (±0.5, ±1, ±3, 6,
# the softplus threshold 20 / beta) and ordinary values around them.
EDGE_VALUES = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 1e-40, -1e-40, 1e-310,
               -1e-310, 3e38, -3e38, 1e-3, -1e-3, 0.5, -0.5, 1.0, -1.0, 3.0, -3.0, 6.0, -6.0,
               10.0, 20.0, -20.0, 88.0, -88.0, 100.0, -100.0, 0.25, -2.5, 4.75]

# Options other than the defaults, so that every option reaches the kernels.
SAMPLE_OPTIONS = {
    "leaky_relu": {"negative_slope": 0.2},
    "hardtanh": {"min_val": -2.0, "max_val": 0.5},
    "threshold": {"threshold": 0.5, "value": -2.0},
    "hardshrink": {"lambd": 1.0},
    "softshrink": {"lambd": 1.0},
    "elu": {"alpha": 0.5},
    "celu": {"alpha": 2.0},
    "softplus": {"beta": 2, "threshold": 10},
    "gelu": {"approximate": "tanh"},
    "swish": {"beta": 1.5},
    "softmax": {"dim": 1},
    "softmin": {"dim": 0},
    "log_softmax": {"dim": -1},
    "glu": {"dim": 1},
    "crelu": {"dim": 1},
}

CATALOGUE = activ._activ.catalogue()
ELEMENTWISE = [entry["functional"] for entry in CATALOGUE if entry["kind"] == "elementwise"]


def options_of(name):
    """Default and sample options of name (required ones have no default)."""
    sample = SAMPLE_OPTIONS.get(name, {})
    if name == "threshold":
        return [sample]
    return [{}, sample] if sample else [{}]


def torch_reference(name, x, **options):
    """torch.nn.functional's activation, or the formula for activ's own ones."""
    if name == "swish":
        return x * torch.sigmoid(options.get("beta", 1.0) * x)
    if name == "squared_relu":  # Primer's relu(x)^2
        return torch.relu(x) ** 2
    return getattr(torch.nn.functional, name)(x, **options)


@pytest.fixture(params=[np.float32, np.float64], ids=["float32", "float64"])
def dtype(request):
    return request.param
