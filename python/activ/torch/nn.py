"""torch.nn.Modules on activ's kernels, generated from activ's catalogue: one for each
activation torch.nn has (except RReLU, whose random slopes are torch's own) and activ's Swish.
Each has torch's constructor arguments and repr, and a torch.autograd.Function (forward and
first-order backward on activ's kernels)."""
import torch

from activ import _activ
from activ import _generate

__all__ = []


def _function(entry):
    """The torch.autograd.Function of one activation."""
    name = entry["functional"]
    if entry["kind"] == "parametric":
        def forward(ctx, input, *parameters):
            ctx.save_for_backward(input, *parameters)
            return _activ.parametric_forward(name, input, parameters)

        def backward(ctx, grad_output):
            input, *parameters = ctx.saved_tensors
            return _activ.parametric_backward(name, grad_output, input, parameters)
    else:
        def forward(ctx, input, options):
            ctx.save_for_backward(input)
            ctx.options = options
            return _activ.forward(name, input, options)

        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return _activ.backward(name, grad_output, input, ctx.options), None
    return type(entry["module"] + "Function", (torch.autograd.Function,), {
        "forward": staticmethod(forward),
        "backward": staticmethod(torch.autograd.function.once_differentiable(backward)),
        "__module__": __name__})


def _extra_repr(self):
    text = _activ.module_repr(self._functional, self._repr_options())
    return text[text.index("(") + 1:-1]


def _elementwise_forward(self, input):
    options = {name: getattr(self, name) for name in self._option_names if name != "inplace"}
    return self._function.apply(input, options)


def _repr_options(self):
    return {name: getattr(self, name) for name in self._option_names}


def _prelu_init(self, num_parameters=1, init=0.25, device=None, dtype=None):
    torch.nn.Module.__init__(self)
    self.num_parameters = num_parameters
    self.init = init
    self.weight = torch.nn.Parameter(torch.full((num_parameters,), float(init), device=device,
                                                dtype=dtype))


def _prelu_forward(self, input):
    return self._function.apply(input, self.weight)


def _define_all(namespace):
    for entry in _generate.CATALOGUE:
        module = entry["module"]
        if entry["kind"] == "randomized" or not (hasattr(torch.nn, module) or module == "Swish"):
            continue
        name = entry["functional"]
        attributes = {"_function": _function(entry), "_functional": name,
                      "extra_repr": _extra_repr, "_repr_options": _repr_options,
                      "__module__": __name__, "__doc__": f"{module} on activ: {entry['formula']}"}
        if name == "prelu":
            attributes.update(__init__=_prelu_init, forward=_prelu_forward,
                              _option_names=("num_parameters",))
        else:
            pairs = _generate.options(entry)
            signature = _generate.parameter_list(pairs)
            assignments = "".join(f"    self.{n} = {n}\n" for n, _ in pairs)
            source = (f"def __init__(self{', ' if signature else ''}{signature}):\n"
                      f"    torch.nn.Module.__init__(self)\n{assignments}")
            attributes.update(__init__=_generate.define(source, {"torch": torch}, "__init__", None),
                              forward=_elementwise_forward,
                              _option_names=tuple(n for n, _ in pairs))
        namespace[module] = type(module, (torch.nn.Module,), attributes)
        namespace["__all__"].append(module)


_define_all(globals())


def replacement_for(module):
    """activ's module for a torch activation module (same arguments), or None."""
    if type(module).__module__ != "torch.nn.modules.activation":
        return None
    cls = globals().get(type(module).__name__)
    if cls is None:
        return None
    if cls._functional == "prelu":
        replacement = cls(module.num_parameters)
        replacement.weight = module.weight  # the same Parameter: optimizers keep updating it
        return replacement
    return cls(**{name: getattr(module, name) for name in cls._option_names})
