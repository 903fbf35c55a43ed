"""Two small PyTorch models trained twice from the same initial weights: with torch's
activations, then with activ's (activ.torch.replace_activations). Prints both loss curves and
the time of each run.

    PYTHONPATH=build/release/python /usr/bin/python3 examples/python/train_both_ways.py [--steps N]

The models: the seed tutorials' two-layer perceptron (Linear, ReLU, Linear, MSE loss, SGD) and a
transformer-like block (self-attention with Softmax, an MLP with GELU, a SiLU gate) trained
with Adam to classify random sequences.
"""
import argparse
import copy
import time

import torch

import activ.torch


def perceptron():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(1000, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))
    x = torch.randn(64, 1000)
    y = torch.randn(64, 10)
    loss_fn = torch.nn.MSELoss(reduction="sum")
    return model, lambda m: loss_fn(m(x), y), lambda m: torch.optim.SGD(m.parameters(), lr=1e-4)


class Block(torch.nn.Module):
    """Single-head self-attention (Softmax) and a gated MLP (GELU, SiLU), then a classifier."""

    def __init__(self, width=64, classes=4):
        super().__init__()
        self.qkv = torch.nn.Linear(width, 3 * width)
        self.softmax = torch.nn.Softmax(dim=-1)
        self.up = torch.nn.Linear(width, 4 * width)
        self.gelu = torch.nn.GELU(approximate="tanh")
        self.gate = torch.nn.Linear(width, 4 * width)
        self.silu = torch.nn.SiLU()
        self.down = torch.nn.Linear(4 * width, width)
        self.head = torch.nn.Linear(width, classes)

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        attention = self.softmax(q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5)
        x = x + attention @ v
        x = x + self.down(self.gelu(self.up(x)) * self.silu(self.gate(x)))
        return self.head(x.mean(dim=1))


def block():
    torch.manual_seed(0)
    model = Block()
    x = torch.randn(32, 16, 64)
    labels = torch.randint(0, 4, (32,))
    return (model, lambda m: torch.nn.functional.cross_entropy(m(x), labels),
            lambda m: torch.optim.Adam(m.parameters(), lr=1e-3))


def train(model, loss_of, optimizer_of, steps):
    optimizer = optimizer_of(model)
    losses = []
    start = time.perf_counter()
    for _ in range(steps):
        loss = loss_of(model)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50)
    steps = parser.parse_args().steps
    for name, make in (("perceptron", perceptron), ("attention block", block)):
        model, loss_of, optimizer_of = make()
        twin = copy.deepcopy(model)
        replaced = activ.torch.replace_activations(twin)
        print(f"{name}: activ replaced {', '.join(f'{n} ({type(new).__name__})' for n, _, new in replaced)}")
        torch_losses, torch_time = train(model, loss_of, optimizer_of, steps)
        activ_losses, activ_time = train(twin, loss_of, optimizer_of, steps)
        print(f"  step  {'torch':>14}  {'activ':>14}")
        for step in sorted({0, steps // 4, steps // 2, 3 * steps // 4, steps - 1}):
            print(f"  {step:4d}  {torch_losses[step]:14.6f}  {activ_losses[step]:14.6f}")
        worst = max(abs(a - t) / max(abs(t), 1e-30) for a, t in zip(activ_losses, torch_losses))
        print(f"  largest relative loss difference {worst:.2e}; "
              f"time torch {torch_time:.3f} s, activ {activ_time:.3f} s")


if __name__ == "__main__":
    main()
