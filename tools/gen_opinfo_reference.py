#!/usr/bin/python3
"""Writes tests/golden/opinfo_activations.json: torch 1.13's own test inputs for the activation
ops (the sample_inputs and error_inputs of its OpInfo database,
torch.testing._internal.common_methods_invocations.op_db) with torch's values, input gradients
and errors, float32 and float64 on CPU. tests/opinfo_reference_test.cpp runs them through the
path `activ eval` takes with the functional name.

Run with the system python that has torch 1.13:  /usr/bin/python3 tools/gen_opinfo_reference.py
The output is deterministic: OpInfo's sample tensors come from torch's generator, seeded here.

Schema (tensor values are base64 of their little-endian bytes in C order, in the dtype given):
{
  "generator": "tools/gen_opinfo_reference.py", "torch": "<version>",
  "grad_output": "g[i] = ((i % 7) - 3) / 4 over the output in C order",
  "samples": [
    { "op": "nn.functional.hardtanh",   # the OpInfo's name, "/variant" appended if it has one
      "function": "hardtanh",           # torch.nn.functional's name, activ's functional name
      "dtype": "float32" | "float64",   # the input's
      "shape": [5, 5], "input": "<base64>",
      "kwargs": {"min_val": 0.5, ...},  # every argument after the input, by name (positional ones
                                        # bound to F.<function>'s parameters); a tensor argument is
                                        # {"shape": [...], "values": "<base64>"} in the input's
                                        # dtype, a dtype argument "float64"
      "output_dtype": ..., "output_shape": [...], "output": "<base64>",
      "grad_input": "<base64>",         # autograd.grad(output, input, g), in the input's dtype
      "random": true                    # only rrelu with training=True: the slopes are torch's
                                        # random draws, so only their range can be compared
    } ],
  "errors": [                           # error_inputs: calls torch refuses
    { "op": ..., "function": ..., "dtype": "float32", "shape": [...], "input": "<base64>",
      "kwargs": {...}, "type": "RuntimeError", "message": "<torch's message>" } ]
}
"""

import base64
import inspect
import json
import os
import sys
import tempfile

import torch
import torch.nn.functional as F

# Debian packages torch without expecttest, which torch.testing._internal imports; the OpInfo
# database needs only these two names of it.
with tempfile.TemporaryDirectory() as stub_dir:
    with open(os.path.join(stub_dir, "expecttest.py"), "w") as stub:
        stub.write("import unittest\nTestCase = unittest.TestCase\nACCEPT = False\n")
    sys.path.insert(0, stub_dir)
    from torch.testing._internal.common_methods_invocations import op_db
    sys.path.remove(stub_dir)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "golden", "opinfo_activations.json")

# torch.nn.functional's activations (functional names); op_db's ops among them are taken.
ACTIVATIONS = {
    "relu", "relu6", "elu", "celu", "selu", "gelu", "hardtanh", "hardshrink", "softshrink",
    "tanhshrink", "hardsigmoid", "hardswish", "leaky_relu", "logsigmoid", "mish", "silu",
    "softplus", "softsign", "threshold", "prelu", "rrelu", "glu", "softmax", "log_softmax",
    "softmin", "sigmoid", "tanh",
}
DTYPES = {torch.float32: "float32", torch.float64: "float64"}


def function_name(op):
    return op.name.removeprefix("nn.functional.")


def values_of(tensor):
    """The tensor's values in C order as base64 of their little-endian bytes: exact, and half
    the size of decimals (GLU's samples alone hold 16k elements per dtype)."""
    array = tensor.detach().contiguous().numpy()
    return base64.b64encode(array.astype(array.dtype.newbyteorder("<")).tobytes()).decode()


def argument_json(value):
    if isinstance(value, torch.Tensor):
        return {"shape": list(value.shape), "values": values_of(value)}
    if isinstance(value, torch.dtype):
        return DTYPES[value]
    return value


def named_arguments(name, sample):
    """The sample's arguments after the input, all by name, as F.<name> binds them."""
    try:
        bound = inspect.signature(getattr(F, name)).bind(
            sample.input, *sample.args, **sample.kwargs)
        arguments = dict(bound.arguments)
        arguments.pop(next(iter(arguments)))  # the input
    except ValueError:  # builtins without a signature: prelu(input, weight), logsigmoid(input)
        assert len(sample.args) <= (name == "prelu"), (name, sample.args)
        arguments = dict(zip(["weight"], sample.args), **sample.kwargs)
    return {key: argument_json(value) for key, value in arguments.items()}


def grad_output_like(output):
    i = torch.arange(output.numel(), dtype=torch.float64)
    return (((i % 7) - 3) / 4).to(output.dtype).reshape(output.shape)


def sample_record(op, dtype, sample):
    name = function_name(op)
    x = sample.input
    output = op(x, *sample.args, **sample.kwargs)
    grad_input = torch.autograd.grad(output, x, grad_output_like(output), allow_unused=True)[0]
    if grad_input is None:  # an empty output
        grad_input = torch.zeros_like(x)
    record = {
        "op": op.name + ("/" + op.variant_test_name if op.variant_test_name else ""),
        "function": name,
        "dtype": DTYPES[dtype],
        "shape": list(x.shape),
        "input": values_of(x),
        "kwargs": named_arguments(name, sample),
        "output_dtype": DTYPES[output.dtype],
        "output_shape": list(output.shape),
        "output": values_of(output),
        "grad_input": values_of(grad_input),
    }
    if name == "rrelu" and sample.kwargs.get("training"):
        record["random"] = True
    return record


def error_record(op, error):
    sample = error.sample_input
    name = function_name(op)
    try:
        op(sample.input, *sample.args, **sample.kwargs)
    except error.error_type as raised:
        message = str(raised)
    else:
        raise AssertionError(f"{op.name}: torch accepted an error input")
    return {
        "op": op.name,
        "function": name,
        "dtype": DTYPES[sample.input.dtype],
        "shape": list(sample.input.shape),
        "input": values_of(sample.input),
        "kwargs": named_arguments(name, sample),
        "type": error.error_type.__name__,
        "message": message,
    }


def main():
    torch.set_num_threads(1)
    samples, errors = [], []
    for op in op_db:
        if function_name(op) not in ACTIVATIONS:
            continue
        for dtype in DTYPES:
            if dtype not in op.supported_dtypes("cpu"):
                continue
            torch.manual_seed(0)
            for sample in op.sample_inputs("cpu", dtype, requires_grad=True):
                samples.append(sample_record(op, dtype, sample))
        if op.error_inputs_func is not None:
            torch.manual_seed(0)
            errors.extend(error_record(op, error) for error in op.error_inputs("cpu"))
    document = {
        "generator": "tools/gen_opinfo_reference.py",
        "torch": torch.__version__,
        "grad_output": "g[i] = ((i % 7) - 3) / 4 over the output in C order",
        "samples": samples,
        "errors": errors,
    }
    with open(OUT, "w") as out:
        json.dump(document, out, separators=(",", ":"))
        out.write("\n")
    print(f"{OUT}: {len(samples)} samples, {len(errors)} errors")


if __name__ == "__main__":
    main()
