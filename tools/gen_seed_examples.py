#!/usr/bin/env python3
"""Writes examples/seed_*.expected: what PyTorch 1.13 prints for the Python twin of each C++
seed example (examples/seed_*.cpp). Generated files: edit this script, not the .expected files.

Run with the system python that has torch: /usr/bin/python3 tools/gen_seed_examples.py

Each twin is the code of one example of the seed documents (shared/seeds/*.txt) with its
torch.randn input replaced by fixed values, which the C++ program writes too.
"""

import contextlib
import io
import math
import os
import textwrap

import torch
import torch.nn as nn
import torch.nn.functional as F

EXAMPLES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples")

# name -> Python code, run with torch, nn, F and math in scope.
TWINS = {
    # 000, 3.2.1: ReLU6 and ReLU in place vs clamp.
    "seed_relu6_inplace": """
        x = torch.linspace(-5, 10, 20)
        r6 = nn.ReLU6(inplace=True)
        print(r6)
        print(x)
        y = r6(x)
        print(y)
        relu = nn.ReLU(inplace=True)
        y = relu(x)
        print(y)
        y2 = torch.clamp(x, 0, 6)
        print(y2)
        print(x)
    """,
    # 000, 6.2: Swish and Mish as functions and as a module, next to the built-in ones. The
    # seed's mish function applies tanh twice (a typo) and its Mish.forward lacks the x
    # parameter; both follow the seed's Mish class formula here.
    "seed_swish_mish": """
        def swish(x, beta=1):
            return x * torch.nn.Sigmoid()(x * beta)

        def mish(x):
            return x * torch.tanh(F.softplus(x))

        class Mish(nn.Module):
            def __init__(self):
                super(Mish, self).__init__()

            def forward(self, x):
                return x * (torch.tanh(F.softplus(x)))

        x = torch.tensor([-3.0, -1.0, -0.25, 0.0, 0.5, 2.0], requires_grad=True)
        print(x)
        print(swish(x))
        print(nn.SiLU()(x))
        print(swish(x, beta=2))
        print(mish(x))
        print(Mish())
        print(Mish()(x))
        print(nn.Mish()(x))
    """,
    # 000, 7.2 and 001, GELU: the erf formula and the tanh approximation written out.
    "seed_gelu_formula": """
        def gelu(input_tensor):
            cdf = 0.5 * (1.0 + torch.erf(input_tensor / math.sqrt(2.0)))
            return input_tensor * cdf

        def gelu_tanh(x):
            return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * torch.pow(x, 3))))

        m = nn.GELU()
        input_tensor = torch.tensor([-2.2, -0.7071, 0.0, 0.4, 1.3, 3.0])
        output_tensor = m(input_tensor)
        print(m)
        print("Input:", input_tensor)
        print("Output:", output_tensor)
        print(gelu(input_tensor))
        m_tanh = nn.GELU(approximate='tanh')
        print(m_tanh)
        print(m_tanh(input_tensor))
        print(gelu_tanh(input_tensor))
    """,
    # 001: ReLU and its variants, each applied to a two-element input as the seed does.
    "seed_relu_variants": """
        def show(m, input_tensor):
            output_tensor = m(input_tensor)
            print(m)
            print("Input:", input_tensor)
            print("Output:", output_tensor)

        show(nn.ReLU(), torch.tensor([-0.4512, 1.0876]))
        show(nn.ReLU6(), torch.tensor([-1.3020, 6.5041]))
        show(nn.LeakyReLU(negative_slope=0.1), torch.tensor([-1.5300, 0.2795]))
        show(nn.PReLU(), torch.tensor([-0.8611, 0.5430]))
        show(nn.ELU(alpha=1.0, inplace=False), torch.tensor([-0.9432, 0.7718]))
        show(nn.SELU(), torch.tensor([-1.1257, 0.3364]))
        show(nn.CELU(alpha=1.0), torch.tensor([-2.0141, 0.6622]))

        # CReLU: the positive and the negated negative part, concatenated.
        m = nn.ReLU()
        input_tensor = torch.tensor([-0.6204, 1.1853]).unsqueeze(0)
        output_tensor = torch.cat((m(input_tensor), m(-input_tensor)), dim=1)
        print("Input:", input_tensor)
        print("Output:", output_tensor)

        # RReLU draws its slopes in training mode; eval mode uses (lower + upper) / 2.
        m = nn.RReLU(0.1, 0.3)
        input_tensor = torch.tensor([-1.2380, 0.9021])
        slope = (m(input_tensor)[0] / input_tensor[0]).item()
        print(m)
        print("Input:", input_tensor)
        print("Training slope within [0.1, 0.3]:", 0.1 <= slope <= 0.3)
        m.eval()
        print("Output:", m(input_tensor))
    """,
    # 001: the piecewise-linear activations and the shrinkage functions.
    "seed_hard_and_shrink": """
        def show(m, input_tensor):
            output_tensor = m(input_tensor)
            print(m)
            print("Input:", input_tensor)
            print("Output:", output_tensor)

        show(nn.Hardshrink(lambd=0.5), torch.tensor([-0.3157, 1.4520]))
        show(nn.Hardsigmoid(), torch.tensor([-3.6021, 1.2044]))
        show(nn.Hardtanh(min_val=-2, max_val=2), torch.tensor([-2.7316, 0.8107]))
        show(nn.Hardswish(), torch.tensor([-1.0538, 3.2290]))
        show(nn.Softshrink(), torch.tensor([-1.2161, 0.2703]))
        show(nn.Tanhshrink(), torch.tensor([-0.5127, 2.1984]))
        show(nn.Threshold(0.1, 20), torch.tensor([0.0412, 0.7436]))
    """,
    # 001: the smooth activations (GELU is in seed_gelu_formula).
    "seed_smooth_activations": """
        def show(m, input_tensor):
            output_tensor = m(input_tensor)
            print(m)
            print("Input:", input_tensor)
            print("Output:", output_tensor)

        show(nn.LogSigmoid(), torch.tensor([-1.4461, 0.5572]))
        show(nn.Sigmoid(), torch.tensor([-0.2247, 1.8390]))
        show(nn.SiLU(), torch.tensor([-1.0930, 0.4421]))
        show(nn.Mish(), torch.tensor([-0.7615, 1.3306]))
        show(nn.Softplus(), torch.tensor([-2.3514, 0.1468]))
        show(nn.Softsign(), torch.tensor([-0.6723, 3.0419]))
        show(nn.Tanh(), torch.tensor([-0.3892, 1.5703]))
    """,
    # 001: GLU halves the last dim: a * sigmoid(b).
    "seed_glu": """
        m = nn.GLU()
        input_tensor = torch.tensor([[-0.5217, 1.3380],
                                     [0.8146, -0.2075],
                                     [1.9021, 0.4498],
                                     [-1.1650, -2.0317]])
        output_tensor = m(input_tensor)
        print(m)
        print("Input:", input_tensor)
        print("Output:", output_tensor)
    """,
    # 002: sigmoid and tanh from their formulas, on the plotted grid (every 111th point).
    "seed_sigmoid_tanh_formulas": """
        sigmoid_x = torch.linspace(-10, 10, 1000)
        sigmoid_y = 1 / (1 + torch.exp(-sigmoid_x))
        print(sigmoid_x[::111])
        print(sigmoid_y[::111])
        print(torch.sigmoid(sigmoid_x)[::111])

        tan_x = torch.linspace(-10, 10, 1000)
        tanh_y = (torch.exp(tan_x) - torch.exp(-tan_x)) / (torch.exp(tan_x) + torch.exp(-tan_x))
        print(tanh_y[::111])
        print(torch.tanh(tan_x)[::111])
        print((2 * torch.sigmoid(2 * tan_x) - 1)[::111])
    """,
    # 003: the derivatives of ReLU, sigmoid and tanh by backward() on the plotted grid.
    "seed_activation_gradients": """
        x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
        print(x.shape)
        y = torch.relu(x)
        y.backward(torch.ones_like(x), retain_graph=True)
        print(x.grad)

        y = torch.sigmoid(x)
        x.grad.data.zero_()
        y.backward(torch.ones_like(x), retain_graph=True)
        print(x.grad)

        # Only -2 <= x < 2: beyond, torch's 1 - y * y from the float32 output y loses digits
        # (4.7684e-07 at x = -8 where sech^2 is 4.5014e-07), and activ's is exact.
        y = torch.tanh(x)
        x.grad.data.zero_()
        y.backward(torch.ones_like(x), retain_graph=True)
        print(x.grad[60:100])
    """,
}


def run(code):
    out = io.StringIO()
    scope = {"torch": torch, "nn": nn, "F": F, "math": math}
    with contextlib.redirect_stdout(out):
        exec(textwrap.dedent(code), scope)
    return out.getvalue()


def main():
    assert torch.__version__.startswith("1.13"), torch.__version__
    for name, code in TWINS.items():
        path = os.path.join(EXAMPLES_DIR, name + ".expected")
        with open(path, "w") as f:
            f.write(run(code))
        print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
