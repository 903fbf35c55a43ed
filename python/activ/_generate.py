"""Python signatures generated from activ's catalogue (itself generated from the C++ table
include/activ/activation_table.h), so that each function has torch's parameter names,
defaults and order without being written once per activation."""
from activ import _activ

CATALOGUE = _activ.catalogue()

# Where torch.nn.functional's signature differs from the table's defaults: options torch
# requires, and extra parameters torch accepts.
REQUIRED_OPTIONS = {"threshold": ("threshold", "value")}
SOFTMAX_FAMILY = ("softmax", "softmin", "log_softmax")


def options(entry, skip=()):
    """(name, default source text or None when required) of the entry's options."""
    required = REQUIRED_OPTIONS.get(entry["functional"], ())
    return [(name, None if name in required else default)
            for name, _type, default in entry["options"] if name not in skip]


def parameter_list(pairs):
    """'alpha=1.0, inplace=False' from option pairs."""
    return ", ".join(name if default is None else f"{name}={default}" for name, default in pairs)


def options_dict(pairs, extra=""):
    """"{'alpha': alpha, ...}" source text."""
    items = [f"{name!r}: {name}" for name, _ in pairs]
    if extra:
        items.append(extra)
    return "{" + ", ".join(items) + "}"


def define(source, namespace, name, doc):
    """Executes one generated def in namespace and returns the function."""
    exec(source, namespace)  # the source comes from the catalogue, not from users
    function = namespace[name]
    function.__doc__ = doc
    return function
