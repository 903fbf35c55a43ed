"""activ's kernels inside PyTorch models.

    import activ.torch
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), activ.torch.nn.GELU(approximate='tanh'))
    activ.torch.replace_activations(model)   # swaps torch's activation modules for activ's

Every module of activ.torch.nn is a torch.nn.Module with torch's constructor arguments and
repr, whose forward and backward (a torch.autograd.Function) run on activ's kernels. Modules
built with inplace=True compute out of place (the result is the same; the input is kept).
"""
from activ.torch import nn

__all__ = ["nn", "replace_activations"]


def replace_activations(model):
    """Replaces every torch activation module inside model (torch.nn.ReLU, GELU, Softmax, ...)
    by activ.torch's with the same arguments (PReLU keeps its weight Parameter, so optimizers
    go on updating it), in place. Returns [(qualified name, old module, new module)]."""
    replaced = []
    for parent_name, parent in list(model.named_modules()):
        for child_name, child in list(parent.named_children()):
            replacement = nn.replacement_for(child)
            if replacement is None:
                continue
            setattr(parent, child_name, replacement)
            qualified = f"{parent_name}.{child_name}" if parent_name else child_name
            replaced.append((qualified, child, replacement))
    return replaced
