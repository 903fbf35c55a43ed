"""How activ takes and returns Python tensors: zero-copy views of NumPy arrays, memoryviews and
torch tensors, any strides, 0-d and empty tensors, the result's kind, threads and the errors."""
import threading

import numpy as np
import pytest
import torch

import activ

F = activ.nn.functional


def test_contiguous_inputs_are_viewed_not_copied():
    x = np.linspace(-2, 2, 8, dtype=np.float32)
    assert F.relu(x, inplace=True) is x
    assert (x >= 0).all()  # written through the view
    t = torch.linspace(-2, 2, 8, dtype=torch.float64)
    assert F.elu_(t, alpha=0.5) is t
    assert t.min() > -0.5
    # The result's memory is activ's, handed over without a copy: writing through it in place
    # writes the array the caller holds.
    y = F.gelu(torch.ones(4))
    assert F.relu_(y) is y


def test_results_follow_the_input_kind():
    x = np.linspace(-1, 1, 5)
    assert type(F.silu(x)) is np.ndarray
    assert type(F.silu(memoryview(x))) is np.ndarray
    t = F.silu(torch.from_numpy(x))
    assert type(t) is torch.Tensor and t.dtype == torch.float64
    np.testing.assert_array_equal(t.numpy(), F.silu(x))


@pytest.mark.parametrize("make", [
    lambda a: a[:, ::2],                 # strided columns
    lambda a: a.T,                       # transposed
    lambda a: a[::-1, ::-3],             # negative strides (NumPy only)
    lambda a: np.broadcast_to(a[:1], a.shape),  # stride 0, read-only
])
def test_any_strides(make):
    base = np.random.default_rng(0).normal(size=(6, 9)).astype(np.float32)
    x = make(base)
    expected = F.mish(np.ascontiguousarray(x))
    np.testing.assert_array_equal(F.mish(x), expected)
    np.testing.assert_array_equal(F.mish_backward(np.ones_like(expected), x),
                                  F.mish_backward(np.ones_like(expected), np.ascontiguousarray(x)))


def test_strided_in_place_writes_only_the_view():
    base = np.full((4, 6), -1.0)
    F.relu_(base[1::2, ::3])
    assert (base[1::2, ::3] == 0).all() and (base == -1).sum() == 24 - 4


def test_non_contiguous_torch_tensors():
    t = torch.randn(5, 7, dtype=torch.float64).t()[1:, ::2]
    np.testing.assert_array_equal(F.softplus(t, beta=2).numpy(),
                                  F.softplus(t.contiguous(), beta=2).numpy())
    F.hardtanh_(t)
    assert t.abs().max() <= 1


def test_zero_dim_and_empty():
    assert F.tanh(np.array(0.5)).shape == ()
    assert F.tanh(torch.tensor(0.5)).shape == ()
    assert F.softmax(np.empty((0, 3), np.float32), dim=1).shape == (0, 3)
    assert F.gelu(torch.empty(2, 0)).shape == (2, 0)
    assert F.gelu_backward(np.empty(0), np.empty(0)).shape == (0,)


def test_tensors_requiring_grad_are_read_not_tracked():
    t = torch.randn(3, requires_grad=True)
    y = F.sigmoid(t)
    assert not y.requires_grad
    torch.testing.assert_close(y, torch.sigmoid(t.detach()))


class FakeDLPack:
    def __dlpack__(self, stream=None):
        return 42


@pytest.mark.parametrize("call,error,message", [
    (lambda: F.gelu([1.0, 2.0]), TypeError, "must be an array .* not list"),
    (lambda: F.gelu("abc"), TypeError, "not str"),
    (lambda: F.gelu(np.arange(3, dtype=np.int32)), TypeError, "struct format 'i'"),
    (lambda: F.gelu(np.arange(3)), RuntimeError, "float32 or float64 tensor, got int64"),
    (lambda: F.gelu(torch.arange(3)), RuntimeError, "float32 or float64 tensor, got int64"),
    (lambda: F.gelu(torch.ones(2, device="meta")), RuntimeError, "meta"),
    (lambda: F.gelu(torch.ones(2, dtype=torch.float16)), RuntimeError, "16 bits"),
    (lambda: F.elu_backward(np.ones(3), np.ones(4)), RuntimeError, "does not match"),
    (lambda: F.softmax(np.ones((2, 3)), dim=2), IndexError, "out of range"),
    (lambda: F.glu(np.ones(3)), RuntimeError, "even size"),
    (lambda: F.elu(np.ones(3), alpha="x"), TypeError, "'alpha' must be a number, not str"),
    (lambda: F.elu(np.ones(3), 1.0, 1), TypeError, "'inplace' must be bool, not int"),
    (lambda: F.softmax(np.ones(3), dim=1.5), TypeError, "'dim' must be int or None"),
    (lambda: F.gelu(np.ones(3), approximate="erf"), ValueError, "'none' or 'tanh'"),
    (lambda: F.rrelu(np.ones(3), 0.5, 0.1), ValueError, "lower"),
    (lambda: F.threshold(np.ones(3)), TypeError, "missing 2 required positional arguments"),
    (lambda: F.prelu(np.ones(3), [0.25]), TypeError, "'weight' must be an array"),
    (lambda: activ.set_num_threads(0), ValueError, ""),
    (lambda: F.gelu(np.zeros(3, dtype=[("a", "f4"), ("b", "f8")])), TypeError, "struct format"),
    (lambda: F.gelu(np.zeros(3, dtype=">f4")), TypeError, "struct format '>f'"),
    (lambda: F.gelu(np.zeros((1,) * 9, np.float32)), RuntimeError,
     "gelu: argument 'input': from_blob: a tensor has at most 8 dims, got 9"),
    (lambda: F.gelu(np.frombuffer(b"\0" * 17, dtype=np.float32, offset=1)), ValueError,
     "gelu: argument 'input': from_blob: data must be aligned"),
    (lambda: F.gelu(torch.ones(3, dtype=torch.bool)), RuntimeError, "Bool type is not supported"),
    (lambda: F.relu(np.ones(3, dtype=bool)), RuntimeError, "got bool"),
    (lambda: F.gelu(FakeDLPack()), TypeError, "did not return an unused 'dltensor' capsule"),
])
def test_errors_map_to_torchs_exception_types(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_read_only_arrays_are_refused_by_in_place_forms():
    x = np.linspace(-1, 1, 4)
    x.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        F.relu_(x)
    with pytest.raises(ValueError, match="read-only"):
        F.elu(x, inplace=True)
    with pytest.raises(ValueError, match="read-only"):
        F.relu(np.ones(4), out=x)
    assert F.relu(x)[0] == 0  # reading is fine


def test_set_num_threads_and_concurrent_callers():
    before = activ.get_num_threads()
    try:
        activ.set_num_threads(2)
        assert activ.get_num_threads() == 2
        x = np.random.default_rng(1).normal(size=200_000).astype(np.float32)
        expected = F.gelu(x)
        results = [None] * 4

        def work(i):
            results[i] = F.gelu(x)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for result in results:
            np.testing.assert_array_equal(result, expected)
    finally:
        activ.set_num_threads(before)


def test_in_place_on_a_tensor_requiring_grad_is_refused():
    t = torch.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="requires grad"):
        F.relu_(t)
