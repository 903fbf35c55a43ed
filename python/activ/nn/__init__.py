"""torch.nn's activation modules on activ's kernels, generated from activ's catalogue: the same
constructor arguments and repr as torch (activ.nn.Softplus(beta=2) prints
Softplus(beta=2, threshold=20)); calling one applies activ.nn.functional to a NumPy array or a
torch tensor (without autograd: activ.torch has the torch.nn.Modules)."""
from activ import _activ
from activ import _generate
from activ.nn import functional

__all__ = ["Module", "functional"]


class Module:
    """What every activ.nn module shares: training mode, call, repr."""

    _functional = None  # the functional name, set on each generated class
    _option_names = ()  # constructor options, in torch's order

    def __init__(self):
        self.training = True

    def train(self, mode=True):
        self.training = mode
        return self

    def eval(self):
        return self.train(False)

    def options(self):
        """The options as keyword arguments of the functional form."""
        return {name: getattr(self, name) for name in self._option_names}

    def __call__(self, input):
        return self.forward(input)

    def __repr__(self):
        return _activ.module_repr(self._functional, self.options())


def _forward(self, input):
    return getattr(functional, self._functional)(input, **self.options())


def _rrelu_forward(self, input):
    return functional.rrelu(input, training=self.training, **self.options())


def _prelu_init(self, num_parameters=1, init=0.25):
    import numpy
    Module.__init__(self)
    self.num_parameters = num_parameters
    self.init = init
    self.weight = numpy.full(num_parameters, init, dtype=numpy.float32)


def _parametric_forward(self, input):
    return getattr(functional, self._functional)(
        input, *(getattr(self, name) for name in self._parameters))


def _one_element_init(entry):
    """Learnable tensors named as options start from them (LearnableSwish(beta=1.0))."""
    def __init__(self, *args, **kwargs):
        import numpy
        names = [name for name, _, _ in entry["options"]]
        values = dict(zip(names, (default for _, _, default in entry["options"])))
        values = {name: eval(default) for name, default in values.items()}  # catalogue literals
        values.update(zip(names, args))
        values.update(kwargs)
        Module.__init__(self)
        for name in names:
            setattr(self, name + "_init" if name in entry["parameters"] else name, values[name])
        for name in entry["parameters"]:
            setattr(self, name, numpy.full(1, values[name], dtype=numpy.float32))
    return __init__


def _define_all(namespace):
    for entry in _generate.CATALOGUE:
        module = entry["module"]
        name = entry["functional"]
        if entry["kind"] == "parametric":
            if name == "prelu":
                init = _prelu_init
            else:
                init = _one_element_init(entry)
            cls = type(module, (Module,), {
                "__init__": init, "forward": _parametric_forward, "_functional": name,
                "_parameters": tuple(entry["parameters"]),
                "_option_names": tuple(n for n, _, _ in entry["options"]
                                       if n not in entry["parameters"]),
                "__doc__": f"{module}: {entry['formula']}"})
            if name != "prelu":
                cls.options = lambda self, _e=entry: {
                    n: getattr(self, n + "_init" if n in _e["parameters"] else n)
                    for n, _, _ in _e["options"]}
        else:
            # torch's RReLU takes training from the module's mode, not from its constructor.
            pairs = _generate.options(entry, skip=("training",))
            signature = _generate.parameter_list(pairs)
            assignments = "".join(f"    self.{n} = {n}\n" for n, _ in pairs)
            source = (f"def __init__(self{', ' if signature else ''}{signature}):\n"
                      f"    Module.__init__(self)\n{assignments}")
            scope = {"Module": Module}
            cls = type(module, (Module,), {
                "__init__": _generate.define(source, scope, "__init__", None),
                "forward": _rrelu_forward if name == "rrelu" else _forward,
                "_functional": name, "_option_names": tuple(n for n, _ in pairs),
                "__doc__": f"{module}: {entry['formula']}"})
        cls.__module__ = __name__
        namespace[module] = cls
        namespace["__all__"].append(module)


_define_all(globals())
