"""activ.nn.functional next to torch.nn.functional: signatures, values on the edge values,
gradients, in-place forms, out= and the modules' reprs."""
import inspect

import numpy as np
import pytest
import torch

import activ
from conftest import EDGE_VALUES, ELEMENTWISE, options_of, torch_reference

F = activ.nn.functional


def tolerances(dtype):
    # activ is within a few ULP of the exact value; torch is not everywhere (ELU near 0, GELU and
    # sigmoid tails), hence a relative bound of thousands of ULP and a small absolute one.
    return dict(rtol=1e-4, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-12)


def edge_array(dtype):
    rng = np.random.default_rng(0)
    values = np.concatenate([np.array(EDGE_VALUES), rng.normal(0, 3, 64)]).astype(dtype)
    return values[np.isfinite(values) | np.isnan(values)]  # 3e38 becomes inf in float32, kept


def torch_parameters(function):
    """(name, default) of a torch.nn.functional function; its builtins document theirs in the
    first line of the docstring: "hardshrink(input, lambd=0.5) -> Tensor"."""
    try:
        return [(p.name, p.default) for p in inspect.signature(function).parameters.values()]
    except ValueError:
        text = function.__doc__.strip().split("->")[0]
        source = "def f" + text[text.index("("):] + ": pass"
        namespace = {}
        exec(source, namespace)
        return torch_parameters(namespace["f"])


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE if hasattr(torch.nn.functional, n)])
def test_signature_is_torchs(name):
    ours = inspect.signature(getattr(F, name)).parameters
    assert torch_parameters(getattr(torch.nn.functional, name)) == \
        [(p.name, p.default) for p in ours.values() if p.name != "out"]


def test_softmax_family_and_prelu_signatures_are_torchs():
    for name in ("softmax", "softmin", "log_softmax", "glu", "prelu", "rrelu"):
        ours = [(p.name, p.default) for p in inspect.signature(getattr(F, name)).parameters.values()
                if p.name != "out"]
        theirs = torch_parameters(getattr(torch.nn.functional, name))
        assert ours == theirs, name


def torch_values_and_gradients(name, x, grad_output, options):
    """torch's values and input gradients for x, computed on the whole array (its vectorised
    kernels) and element by element (its scalar path): they differ at some kinks, and activ follows
    the scalar path there (docs/activation-semantics.md)."""
    def run(xs, gs):
        leaf = torch.from_numpy(xs.copy()).requires_grad_()
        y = torch_reference(name, leaf, **options)
        y.backward(torch.from_numpy(gs))
        return y.detach().numpy(), leaf.grad.numpy()
    whole = run(x, grad_output)
    pieces = [run(x[i:i + 1], grad_output[i:i + 1]) for i in range(len(x))]
    scalar = tuple(np.concatenate([piece[k] for piece in pieces]) for k in range(2))
    return whole, scalar


def assert_matches_either(got, references, dtype, message):
    close = np.zeros(got.shape, bool)
    for reference in references:
        close |= np.isclose(got, reference, equal_nan=True, **tolerances(dtype))
    assert close.all(), (message, got[~close], [r[~close] for r in references], np.flatnonzero(~close))


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_values_and_gradients_match_torch_on_edge_values(name, dtype):
    x = edge_array(dtype)
    grad_output = np.random.default_rng(1).normal(size=x.shape).astype(dtype)
    for options in options_of(name):
        whole, scalar = torch_values_and_gradients(name, x, grad_output, options)
        # float32 also against torch in float64, rounded: torch's float32 GELU(tanh) overflows
        # to NaN gradients for |x| > 1e12, where activ keeps the limits.
        wide = torch_values_and_gradients(name, x.astype(np.float64), grad_output.astype(np.float64),
                                          options)[0]
        got = getattr(F, name)(x, **options)
        assert isinstance(got, np.ndarray) and got.dtype == dtype
        assert_matches_either(got, (whole[0], scalar[0], wide[0].astype(dtype)), dtype, (name, options))
        backward_options = {k: v for k, v in options.items() if k != "inplace"}
        got_grad = getattr(F, name + "_backward")(grad_output, x, **backward_options)
        assert_matches_either(got_grad, (whole[1], scalar[1], wide[1].astype(dtype)), dtype,
                              (name, options, "grad"))


@pytest.mark.parametrize("name,options", [("softmax", {"dim": 1}), ("softmin", {"dim": 0}),
                                          ("log_softmax", {"dim": -1}), ("glu", {"dim": 1}),
                                          ("softmax", {"dim": None})])
def test_dim_activations_match_torch(name, options, dtype):
    x = np.random.default_rng(2).normal(0, 4, (3, 4, 6)).astype(dtype)
    x[0, 0, 0], x[1, 2, 3] = -np.inf, 80.0
    with pytest.warns(UserWarning) if options.get("dim", 0) is None else _no_warning():
        expected_leaf = torch.from_numpy(x.copy()).requires_grad_()
        expected = getattr(torch.nn.functional, name)(expected_leaf, **options)
    got = getattr(F, name)(x, **options)
    np.testing.assert_allclose(got, expected.detach().numpy(), **tolerances(dtype))
    grad_output = np.random.default_rng(3).normal(size=expected.shape).astype(dtype)
    expected.backward(torch.from_numpy(grad_output))
    np.testing.assert_allclose(getattr(F, name + "_backward")(grad_output, x, **options),
                               expected_leaf.grad.numpy(), **tolerances(dtype))


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_prelu_and_its_gradients_match_torch(dtype):
    x = np.random.default_rng(4).normal(size=(2, 3, 5)).astype(dtype)
    weight = np.array([0.1, -0.3, 0.7], dtype)
    tx = torch.from_numpy(x.copy()).requires_grad_()
    tw = torch.from_numpy(weight.copy()).requires_grad_()
    expected = torch.nn.functional.prelu(tx, tw)
    np.testing.assert_allclose(F.prelu(x, weight), expected.detach().numpy(), **tolerances(dtype))
    grad_output = np.ones_like(x)
    expected.backward(torch.from_numpy(grad_output))
    grad_input, grad_weight = F.prelu_backward(grad_output, x, weight)
    np.testing.assert_allclose(grad_input, tx.grad.numpy(), **tolerances(dtype))
    np.testing.assert_allclose(grad_weight, tw.grad.numpy(), **tolerances(dtype))


def test_rrelu_in_eval_mode_matches_torch():
    x = np.linspace(-4, 4, 17, dtype=np.float32)
    expected = torch.nn.functional.rrelu(torch.from_numpy(x), 0.1, 0.3, training=False)
    np.testing.assert_allclose(F.rrelu(x, 0.1, 0.3), expected.numpy(), rtol=1e-6)
    slopes = F.rrelu(x, 0.1, 0.3, training=True)[x < 0] / x[x < 0]
    assert np.all((slopes >= 0.1) & (slopes <= 0.3))


def test_inplace_forms_write_into_the_input_and_return_it():
    for name in ("relu", "elu", "leaky_relu", "hardtanh", "silu", "mish", "rrelu"):
        x = np.linspace(-2, 2, 9, dtype=np.float32)
        expected = getattr(F, name)(x)
        returned = getattr(F, name + "_")(x)
        assert returned is x, name
        np.testing.assert_array_equal(x, expected, err_msg=name)
        y = torch.linspace(-2, 2, 9)
        assert getattr(F, name)(y, inplace=True) is y
        np.testing.assert_array_equal(y.numpy(), expected, err_msg=name)


def test_out_receives_the_result():
    x = np.linspace(-2, 2, 6, dtype=np.float64).reshape(2, 3)
    out = np.empty((3, 2), np.float64).T  # strided
    assert F.softplus(x, beta=2, out=out) is out
    np.testing.assert_array_equal(out, F.softplus(x, beta=2))
    with pytest.raises(RuntimeError, match="out= expects a float64 tensor of shape \\[2, 3\\]"):
        F.softplus(x, out=np.empty(6))


@pytest.mark.parametrize("module,args,kwargs", [
    ("Softplus", (), {"beta": 2}), ("ELU", (0.5, True), {}), ("LeakyReLU", (), {}),
    ("Hardshrink", (), {"lambd": 1}), ("Threshold", (0.1, 20), {}), ("GELU", (), {"approximate": "tanh"}),
    ("Softmax", (), {"dim": 1}), ("LogSoftmax", (), {}), ("GLU", (), {}), ("PReLU", (3,), {}),
    ("RReLU", (0.1,), {}), ("Hardtanh", (-2, 2), {}), ("SiLU", (), {"inplace": True}),
    ("Hardswish", (True,), {}), ("CELU", (), {}), ("Softmax2d", (), {})])
def test_module_repr_is_torchs(module, args, kwargs):
    assert repr(getattr(activ.nn, module)(*args, **kwargs)) == \
        repr(getattr(torch.nn, module)(*args, **kwargs))


def test_modules_compute_their_functional():
    x = np.linspace(-3, 3, 13, dtype=np.float32)
    np.testing.assert_array_equal(activ.nn.Softplus(beta=2)(x), F.softplus(x, beta=2))
    np.testing.assert_array_equal(activ.nn.PReLU()(x), F.prelu(x, np.array([0.25], np.float32)))
    np.testing.assert_array_equal(activ.nn.RReLU().eval()(x), F.rrelu(x))
