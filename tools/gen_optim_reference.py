#!/usr/bin/python3
"""Writes tests/golden/losses_optim.json: PyTorch 1.13 reference values for activ's losses
(activ/nn/loss.h) and optimizers (activ/optim.h). Run with the system python that has torch:

    /usr/bin/python3 tools/gen_optim_reference.py

Schema (tensors are {"dtype", "shape", "values"}; non-finite values are the strings "nan",
"inf", "-inf"):
  losses: one case per loss, options, dtype and shape:
    {"name", "fn": torch.nn.functional's name, "options": {reduction, beta, delta, ignore_index,
     label_smoothing, weight: tensor, pos_weight: tensor}, "input", "target", "output",
     "grad_fn": the output's grad_fn name, "grad_output": the seed of backward,
     "grad_input": d<output, grad_output>/d input,
     optional "double": {"v", "grad"}: the gradient w.r.t. input of <grad_input, v>, with
     grad_input computed with create_graph=True}
  optimizers: {"name", "optimizer": "SGD" | "Adam" | "AdamW", "options": the keyword arguments,
    "params": the initial parameters, "grads": per step, per parameter, the gradient (null:
    that parameter has no gradient at that step and is skipped), "trajectory": per step, the
    parameters after step()}
"""

import json
import math
import os

import torch
import torch.nn.functional as F

OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "golden",
                      "losses_optim.json")


def number(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def encode(t):
    t = t.detach()
    if t._is_zerotensor():  # torch's lazy zeros (e.g. the second derivative of abs)
        t = torch.zeros(t.shape, dtype=t.dtype)
    dtype = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}[t.dtype]
    values = t.reshape(-1).tolist()
    if t.is_floating_point():
        values = [number(v) for v in values]
    return {"dtype": dtype, "shape": list(t.shape), "values": values}


gen = torch.Generator().manual_seed(20240613)


def randn(*shape, dtype):
    return torch.randn(*shape, generator=gen, dtype=torch.float64).to(dtype)


def rand(*shape, dtype):
    return torch.rand(*shape, generator=gen, dtype=torch.float64).to(dtype)


def randint(high, shape):
    return torch.randint(0, high, shape, generator=gen)


loss_cases = []


def loss_case(name, fn, inp, target, options, double=False):
    x = inp.clone().requires_grad_(True)
    kwargs = dict(options)
    out = getattr(F, fn)(x, target, **kwargs)
    g = randn(*out.shape, dtype=out.dtype) if out.dim() > 0 else torch.ones((), dtype=out.dtype)
    (grad_input,) = torch.autograd.grad(out, x, g, create_graph=double)
    case = {"name": name, "fn": fn,
            "options": {k: (encode(v) if isinstance(v, torch.Tensor) else v)
                        for k, v in options.items()},
            "input": encode(inp), "target": encode(target), "output": encode(out),
            "grad_fn": out.grad_fn.name(), "grad_output": encode(g),
            "grad_input": encode(grad_input)}
    if double:
        v = randn(*inp.shape, dtype=inp.dtype)
        (second,) = torch.autograd.grad(grad_input, x, v, allow_unused=True)
        if second is None:
            second = torch.zeros_like(inp)
        case["double"] = {"v": encode(v), "grad": encode(second)}
    loss_cases.append(case)


REDUCTIONS = ["mean", "sum", "none"]

for dtype, dname in [(torch.float32, "f32"), (torch.float64, "f64")]:
    # Pointwise regression losses.
    for shape in [(5,), (3, 4), (2, 3, 4)]:
        sname = "x".join(map(str, shape))
        for red in REDUCTIONS:
            x, t = randn(*shape, dtype=dtype), randn(*shape, dtype=dtype)
            loss_case(f"mse_{red}_{sname}_{dname}", "mse_loss", x, t, {"reduction": red}, True)
            loss_case(f"l1_{red}_{sname}_{dname}", "l1_loss", x, t, {"reduction": red}, True)
            for beta in [1.0, 0.5, 0.0]:
                loss_case(f"smooth_l1_b{beta}_{red}_{sname}_{dname}", "smooth_l1_loss", x, t,
                          {"reduction": red, "beta": beta}, True)
            for delta in [1.0, 2.0, 0.3]:
                loss_case(f"huber_d{delta}_{red}_{sname}_{dname}", "huber_loss", x, t,
                          {"reduction": red, "delta": delta}, True)
    # A target that broadcasts against the input (torch warns, then broadcasts).
    x, t = randn(3, 4, dtype=dtype), randn(4, dtype=dtype)
    loss_case(f"mse_broadcast_{dname}", "mse_loss", x, t, {"reduction": "mean"})

    # Binary cross entropy on probabilities, including 0 and 1 (log clamped at -100).
    for shape in [(6,), (3, 4)]:
        sname = "x".join(map(str, shape))
        for red in REDUCTIONS:
            p = rand(*shape, dtype=dtype).clamp(0.02, 0.98)
            t = rand(*shape, dtype=dtype)
            loss_case(f"bce_{red}_{sname}_{dname}", "binary_cross_entropy", p, t,
                      {"reduction": red}, True)
            w = rand(shape[-1], dtype=dtype) + 0.5
            loss_case(f"bce_weight_{red}_{sname}_{dname}", "binary_cross_entropy", p, t,
                      {"reduction": red, "weight": w}, True)
    p = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.5, 1e-30], dtype=dtype)
    t = torch.tensor([0.0, 1.0, 1.0, 0.0, 0.25, 1.0], dtype=dtype)
    loss_case(f"bce_edges_none_{dname}", "binary_cross_entropy", p, t, {"reduction": "none"})

    # Binary cross entropy with logits, large logits included.
    for red in REDUCTIONS:
        x = randn(3, 4, dtype=dtype) * 4
        x[0, 0], x[1, 1], x[2, 2] = 120.0, -150.0, 40.0
        t = rand(3, 4, dtype=dtype)
        loss_case(f"bcel_{red}_{dname}", "binary_cross_entropy_with_logits", x, t,
                  {"reduction": red}, True)
        w, pw = rand(4, dtype=dtype) + 0.5, rand(4, dtype=dtype) * 3
        loss_case(f"bcel_weight_{red}_{dname}", "binary_cross_entropy_with_logits", x, t,
                  {"reduction": red, "weight": w}, True)
        loss_case(f"bcel_pos_weight_{red}_{dname}", "binary_cross_entropy_with_logits", x, t,
                  {"reduction": red, "pos_weight": pw}, True)
        loss_case(f"bcel_both_{red}_{dname}", "binary_cross_entropy_with_logits", x, t,
                  {"reduction": red, "weight": w, "pos_weight": pw}, True)

    # nll_loss and cross_entropy with class indices: (C), (N, C), (N, C, d1), (N, C, d1, d2).
    C = 4
    layouts = {"c": ((C,), ()), "nc": ((5, C), (5,)), "ncd": ((3, C, 2), (3, 2)),
               "ncdd": ((2, C, 3, 2), (2, 3, 2))}
    for lname, (ishape, tshape) in layouts.items():
        for red in REDUCTIONS:
            logits = randn(*ishape, dtype=dtype)
            target = randint(C, tshape)
            if target.dim() > 0:
                target.view(-1)[0] = 1  # the ignored class below appears at least once
            logp = torch.log_softmax(logits, 0 if len(ishape) == 1 else 1)
            w = rand(C, dtype=dtype) + 0.5
            for opt_name, opts in [("plain", {}), ("weight", {"weight": w}),
                                   ("ignore", {"ignore_index": 1}),
                                   ("weight_ignore", {"weight": w, "ignore_index": 1})]:
                opts = dict(opts, reduction=red)
                loss_case(f"nll_{opt_name}_{red}_{lname}_{dname}", "nll_loss", logp, target,
                          opts, lname == "nc")
                loss_case(f"ce_{opt_name}_{red}_{lname}_{dname}", "cross_entropy", logits,
                          target, opts, lname == "nc")
                for ls in [0.1, 0.35]:
                    loss_case(f"ce_ls{ls}_{opt_name}_{red}_{lname}_{dname}", "cross_entropy",
                              logits, target, dict(opts, label_smoothing=ls), lname == "nc")
            # Default ignore_index -100 in the target.
            if target.dim() > 0:
                t2 = target.clone()
                t2.view(-1)[-1] = -100
                loss_case(f"nll_default_ignore_{red}_{lname}_{dname}", "nll_loss", logp, t2,
                          {"reduction": red})
                loss_case(f"ce_default_ignore_{red}_{lname}_{dname}", "cross_entropy", logits,
                          t2, {"reduction": red})
            # Probability targets.
            probs = torch.softmax(randn(*ishape, dtype=dtype), 0 if len(ishape) == 1 else 1)
            for opt_name, opts in [("plain", {}), ("weight", {"weight": w}),
                                   ("ls", {"label_smoothing": 0.2}),
                                   ("weight_ls", {"weight": w, "label_smoothing": 0.2})]:
                loss_case(f"ce_prob_{opt_name}_{red}_{lname}_{dname}", "cross_entropy", logits,
                          probs, dict(opts, reduction=red), lname == "nc")
    # Every target ignored: mean is 0/0.
    logits = randn(3, C, dtype=dtype)
    loss_case(f"nll_all_ignored_mean_{dname}", "nll_loss", torch.log_softmax(logits, 1),
              torch.full((3,), 2), {"ignore_index": 2})
    loss_case(f"ce_all_ignored_mean_{dname}", "cross_entropy", logits, torch.full((3,), 2),
              {"ignore_index": 2})


# --- optimizers -----------------------------------------------------------------------------

STEPS = 10
optim_cases = []


def optim_case(name, cls, options, dtype):
    params0 = [randn(3, 2, dtype=dtype), randn(4, dtype=dtype)]
    grads = []
    for step in range(STEPS):
        step_grads = [randn(3, 2, dtype=dtype), randn(4, dtype=dtype)]
        if step == 4:
            step_grads[1] = None  # a parameter without gradient is skipped
        grads.append(step_grads)
    params = [p.clone().requires_grad_(True) for p in params0]
    opt = cls(params, **options)
    trajectory = []
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = None if g is None else g.clone()
        opt.step()
        trajectory.append([encode(p) for p in params])
    optim_cases.append({
        "name": name, "optimizer": cls.__name__, "options": options,
        "params": [encode(p) for p in params0],
        "grads": [[None if g is None else encode(g) for g in gs] for gs in grads],
        "trajectory": trajectory})


OPTIM_CONFIGS = [
    ("sgd", torch.optim.SGD, {"lr": 0.1}),
    ("sgd_momentum", torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    ("sgd_dampening", torch.optim.SGD, {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}),
    ("sgd_weight_decay", torch.optim.SGD, {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.01}),
    ("sgd_nesterov", torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("sgd_nesterov_wd", torch.optim.SGD,
     {"lr": 0.05, "momentum": 0.7, "nesterov": True, "weight_decay": 0.1}),
    ("sgd_maximize", torch.optim.SGD, {"lr": 0.1, "momentum": 0.9, "maximize": True}),
    ("adam", torch.optim.Adam, {}),
    ("adam_lr", torch.optim.Adam, {"lr": 0.05, "betas": [0.8, 0.95], "eps": 1e-6}),
    ("adam_weight_decay", torch.optim.Adam, {"lr": 0.01, "weight_decay": 0.1}),
    ("adam_amsgrad", torch.optim.Adam, {"lr": 0.02, "amsgrad": True}),
    ("adam_amsgrad_wd", torch.optim.Adam,
     {"lr": 0.02, "amsgrad": True, "weight_decay": 0.05, "betas": [0.5, 0.9]}),
    ("adam_maximize", torch.optim.Adam, {"lr": 0.01, "maximize": True}),
    ("adamw", torch.optim.AdamW, {}),
    ("adamw_lr", torch.optim.AdamW, {"lr": 0.05, "weight_decay": 0.1}),
    ("adamw_amsgrad", torch.optim.AdamW,
     {"lr": 0.02, "amsgrad": True, "betas": [0.7, 0.99], "eps": 1e-5}),
    ("adamw_no_decay", torch.optim.AdamW, {"lr": 0.03, "weight_decay": 0.0}),
]

for dtype, dname in [(torch.float32, "f32"), (torch.float64, "f64")]:
    for name, cls, options in OPTIM_CONFIGS:
        optim_case(f"{name}_{dname}", cls, options, dtype)

with open(OUTPUT, "w") as f:
    json.dump({"generator": "tools/gen_optim_reference.py", "torch": torch.__version__,
               "losses": loss_cases, "optimizers": optim_cases}, f, separators=(",", ":"))
print(f"{len(loss_cases)} loss cases, {len(optim_cases)} optimizer cases -> {OUTPUT}")
