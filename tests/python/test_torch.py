"""activ.torch: torch.nn.Modules on activ's kernels, next to torch's: reprs, values, gradcheck in
float64 for every module, and a small model trained with replace_activations."""
import copy

import numpy as np
import pytest
import torch

import activ.torch
from conftest import SAMPLE_OPTIONS

MODULES = activ.torch.nn.__all__


def sample_module(name, sample):
    """activ's module and torch's (None for Swish) with default or sample options."""
    cls = getattr(activ.torch.nn, name)
    options = SAMPLE_OPTIONS.get(cls._functional, {}) if sample else {}
    if name == "Threshold":
        options = SAMPLE_OPTIONS["threshold"]
    theirs = getattr(torch.nn, name)(**options) if hasattr(torch.nn, name) else None
    return cls(**options), theirs


def sample_input(name, dtype):
    shape = (2, 3, 4, 6) if name == "Softmax2d" else (5, 6)
    return torch.randn(*shape, dtype=dtype, generator=torch.Generator().manual_seed(7)) * 3


def test_every_torch_activation_but_rrelu_is_there():
    expected = {"ReLU", "ReLU6", "LeakyReLU", "Hardtanh", "Threshold", "Hardshrink", "Softshrink",
                "Hardsigmoid", "Hardswish", "ELU", "CELU", "SELU", "GELU", "Sigmoid", "LogSigmoid",
                "Tanh", "Tanhshrink", "Softsign", "Softplus", "SiLU", "Mish", "Softmax", "Softmin",
                "LogSoftmax", "Softmax2d", "GLU", "PReLU", "Swish"}
    assert set(MODULES) == expected


@pytest.mark.parametrize("name", MODULES)
@pytest.mark.parametrize("sample", [False, True], ids=["defaults", "options"])
def test_repr_and_values_match_torch(name, sample):
    ours, theirs = sample_module(name, sample)
    assert isinstance(ours, torch.nn.Module)
    x = sample_input(name, torch.float32)
    y = ours(x)
    assert type(y) is torch.Tensor and y.dtype == torch.float32
    if theirs is not None:
        assert repr(ours) == repr(theirs)
        torch.testing.assert_close(y, theirs(x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", MODULES)
def test_gradcheck_in_float64(name):
    ours, _ = sample_module(name, sample=True)
    ours = ours.double()
    x = sample_input(name, torch.float64).requires_grad_()
    assert torch.autograd.gradcheck(ours, (x,))


def test_gradcheck_prelu_weight():
    module = activ.torch.nn.PReLU(6).double()
    x = torch.randn(4, 6, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, w: module._function.apply(a, w), (x, module.weight))


def test_non_contiguous_zero_dim_and_empty():
    gelu = activ.torch.nn.GELU()
    x = torch.randn(6, 8, requires_grad=True)
    view = x.t()[::2]
    view_ref = x.detach().clone().requires_grad_()
    gelu(view).sum().backward()
    torch.nn.functional.gelu(view_ref.t()[::2]).sum().backward()
    torch.testing.assert_close(x.grad, view_ref.grad)
    scalar = torch.tensor(0.3, requires_grad=True)
    gelu(scalar).backward()
    assert scalar.grad.shape == ()
    empty = torch.empty(0, 3, requires_grad=True)
    gelu(empty).sum().backward()
    assert empty.grad.shape == (0, 3)


def tiny_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(16, 32), torch.nn.GELU(), torch.nn.Linear(32, 32), torch.nn.SiLU(),
        torch.nn.Linear(32, 32), torch.nn.PReLU(), torch.nn.Linear(32, 8),
        torch.nn.LogSoftmax(dim=1))


def train(model, steps=8):
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(64, 16, generator=generator)
    target = torch.randint(0, 8, (64,), generator=generator)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(steps):
        loss = torch.nn.functional.nll_loss(model(x), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def test_replace_activations_trains_as_torch_does():
    reference = tiny_model()
    model = copy.deepcopy(reference)
    replaced = activ.torch.replace_activations(model)
    assert [(name, type(new).__module__) for name, _, new in replaced] == \
        [(n, "activ.torch.nn") for n in ("1", "3", "5", "7")]
    assert repr(model) == repr(reference)
    assert model[5].weight is replaced[2][1].weight  # PReLU's Parameter is kept
    np.testing.assert_allclose(train(model), train(reference), rtol=2e-5)
