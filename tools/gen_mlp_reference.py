#!/usr/bin/env python3
"""Reference run of the seed tutorials' two-layer perceptron (shared/seeds/003_*.txt).

Writes, for examples/mlp_seed.cpp and tests/mlp_seed_test.cpp:
  tests/golden/mlp/mlp_seed.safetensors  x (64x1000), y (64x10) and the model's initial state_dict
                                         (0.weight, 0.bias, 2.weight, 2.bias), float32
  tests/golden/mlp/mlp_seed_losses.json  the loss torch prints every 50 epochs (300 epochs,
                                         MSELoss(reduction='sum'), SGD(lr=1e-4)), as float64
  tests/golden/mlp/mlp_seed_trained.safetensors  the trained state_dict and torch's output on x
                                         ("output"): a model trained in torch, loaded by activ
Run with the system Python that has PyTorch 1.13: /usr/bin/python3 tools/gen_mlp_reference.py
"""
import json
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from gen_safetensors_fixtures import serialize  # noqa: E402  (the reference writer's byte layout)

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "golden" / "mlp"

M, INPUT_SIZE, HIDDEN_SIZE, OUTPUT_SIZE = 64, 1000, 100, 10
LEARNING_RATE, EPOCHS = 1e-4, 300


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    x = torch.randn(M, INPUT_SIZE)
    y = torch.randn(M, OUTPUT_SIZE)
    model = torch.nn.Sequential(
        torch.nn.Linear(INPUT_SIZE, HIDDEN_SIZE),
        torch.nn.ReLU(),
        torch.nn.Linear(HIDDEN_SIZE, OUTPUT_SIZE),
    )
    tensors = {"x": x, "y": y}
    tensors.update({name: value.detach().clone() for name, value in model.state_dict().items()})
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "mlp_seed.safetensors").write_bytes(serialize(tensors))

    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    losses = []
    for t in range(EPOCHS):
        loss = loss_fn(model(x), y)
        if (t + 1) % 50 == 0:
            losses.append({"epoch": t + 1, "loss": loss.item()})
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    trained = {name: value.detach().clone() for name, value in model.state_dict().items()}
    with torch.no_grad():
        trained["output"] = model(x)
    (OUT / "mlp_seed_trained.safetensors").write_bytes(serialize(trained))
    (OUT / "mlp_seed_losses.json").write_text(
        json.dumps({"generator": "tools/gen_mlp_reference.py", "torch": torch.__version__,
                    "losses": losses}, indent=1) + "\n")


if __name__ == "__main__":
    main()
