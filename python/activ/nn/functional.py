"""torch.nn.functional's activations on activ's kernels, generated from activ's catalogue.

For each activation NAME, with torch's parameter names, defaults and order:
    NAME(input, ...options, *, out=None)       a new array / tensor (input's kind); with
                                               inplace=True, input itself, written in place
    NAME_(input, ...options)                   in place, for the activations with `inplace`
    NAME_backward(grad_output, input, ...)     grad_output * f'(input) (the input's gradient)
The activations with learnable tensors take them as torch does: prelu(input, weight);
prelu_backward returns the gradients of input and of each learnable tensor.
"""
from activ import _activ  # noqa: F401 (the generated functions call it)
from activ import _generate

__all__ = []


def _cast(input, dtype):
    """softmax's dtype=: the input converted first, as torch does."""
    if dtype is None:
        return input
    if type(input).__module__.split(".")[0] == "torch":
        return input.to(dtype)
    import numpy
    return numpy.asarray(input).astype(dtype)


def _define_all(namespace):
    for entry in _generate.CATALOGUE:
        name = entry["functional"]
        formula = entry["formula"]
        if entry["kind"] == "parametric":
            tensors = ", ".join(entry["parameters"])
            _export(namespace, name, _generate.define(
                f"def {name}(input, {tensors}):\n"
                f"    return _activ.parametric_forward({name!r}, input, ({tensors},))\n",
                namespace, name, f"{name}: {formula}"))
            _export(namespace, name + "_backward", _generate.define(
                f"def {name}_backward(grad_output, input, {tensors}):\n"
                f"    return _activ.parametric_backward({name!r}, grad_output, input, ({tensors},))\n",
                namespace, name + "_backward",
                f"Gradients of {name} for input and {tensors}, given grad_output."))
            continue
        pairs = _generate.options(entry)
        signature = _generate.parameter_list(pairs)
        head = f"input, {signature}" if signature else "input"
        prologue = ""
        if name in _generate.SOFTMAX_FAMILY:
            head += ", _stacklevel=3, dtype=None"
            prologue = "    input = _cast(input, dtype)\n"
        _export(namespace, name, _generate.define(
            f"def {name}({head}, *, out=None):\n{prologue}"
            f"    return _activ.forward({name!r}, input, {_generate.options_dict(pairs)}, out)\n",
            namespace, name, f"{name}: {formula}"))
        if any(option == "inplace" for option, _ in pairs):
            inplace_pairs = _generate.options(entry, skip=("inplace",))
            inplace_signature = _generate.parameter_list(inplace_pairs)
            options = _generate.options_dict(inplace_pairs, extra="'inplace': True")
            _export(namespace, name + "_", _generate.define(
                f"def {name}_(input{', ' if inplace_signature else ''}{inplace_signature}):\n"
                f"    return _activ.forward({name!r}, input, {options}, None)\n",
                namespace, name + "_", f"{name}, in place: {formula}"))
        backward_pairs = _generate.options(entry, skip=("inplace",))
        backward_signature = _generate.parameter_list(backward_pairs)
        _export(namespace, name + "_backward", _generate.define(
            f"def {name}_backward(grad_output, input{', ' if backward_signature else ''}"
            f"{backward_signature}):\n"
            f"    return _activ.backward({name!r}, grad_output, input, "
            f"{_generate.options_dict(backward_pairs)})\n",
            namespace, name + "_backward",
            f"grad_output times the derivative of {name} at input ({formula})."))


def _export(namespace, name, function):
    function.__module__ = __name__
    namespace["__all__"].append(name)


_define_all(globals())
