"""activ's activation functions on NumPy arrays and torch tensors, with PyTorch's semantics.

    import activ
    activ.nn.functional.gelu(x, approximate='tanh')   # x: a NumPy array or a torch tensor
    activ.nn.Softplus(beta=2)                          # Softplus(beta=2, threshold=20)
    import activ.torch                                 # torch.nn.Modules on activ's kernels

Inputs are viewed, not copied (the buffer protocol or __dlpack__, any strides); results come
back as the input's kind of tensor. The GIL is released while the kernels run.
"""
from activ._activ import get_num_threads, set_num_threads
from activ import nn

__all__ = ["nn", "get_num_threads", "set_num_threads"]
