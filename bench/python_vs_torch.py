"""activ.torch next to torch.nn.functional, in Python, on the same tensors.

    PYTHONPATH=build/release/python /usr/bin/python3 bench/python_vs_torch.py [--quick]

For every activation module of activ.torch.nn that torch has: forward, and forward + backward,
in float32 at 64K elements on 1 thread (in cache) and 16M elements on 2 threads (memory), each
timed in alternating blocks (torch, activ, torch, ...; the median block per side), reported as
activ's speed over torch's; at 16M also as a fraction of a copy's rate (torch's clone), and the
per-call overhead on an 8-element tensor. --quick shrinks everything to check that it runs.
"""
import argparse
import math
import statistics
import time

import torch

import activ
import activ.torch

OPTIONS = {"Softmax": {"dim": -1}, "Softmin": {"dim": -1}, "LogSoftmax": {"dim": -1},
           "GLU": {"dim": -1}, "Threshold": {"threshold": 0.1, "value": 20.0}}


def block_time(run, repeats):
    start = time.perf_counter()
    for _ in range(repeats):
        run()
    return (time.perf_counter() - start) / repeats


def alternate(torch_run, activ_run, repeats, blocks):
    """Median seconds per call of each, timed in alternating blocks."""
    times = {"torch": [], "activ": []}
    for _ in range(blocks):
        times["torch"].append(block_time(torch_run, repeats))
        times["activ"].append(block_time(activ_run, repeats))
    return statistics.median(times["torch"]), statistics.median(times["activ"])


def runs(name, x, backward):
    options = OPTIONS.get(name, {})
    ours = getattr(activ.torch.nn, name)(**options)
    theirs = getattr(torch.nn, name)(**options)
    if name == "PReLU":
        ours.weight = theirs.weight
    if not backward:
        def run(module):
            return lambda: module(x)
        with torch.no_grad():
            return run(theirs), run(ours)
    leaf = x.detach().requires_grad_()
    grad = torch.ones_like(theirs(x))

    def run_backward(module):
        return lambda: module(leaf).backward(grad)
    return run_backward(theirs), run_backward(ours)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    sizes = [(1 << 10, 1, 20), (1 << 14, 2, 3)] if quick else [(1 << 16, 1, 200), (1 << 24, 2, 5)]
    blocks = 3 if quick else 7
    names = [n for n in activ.torch.nn.__all__ if hasattr(torch.nn, n) and n != "Softmax2d"]
    for numel, threads, repeats in sizes:
        torch.set_num_threads(threads)
        activ.set_num_threads(threads)
        x = torch.randn(numel // 1024, 1024) * 3
        copy_time = statistics.median(block_time(x.clone, repeats) for _ in range(blocks))
        print(f"\n{numel} float32 elements, {threads} thread(s); copy {copy_time * 1e6:.1f} us")
        print(f"{'activation':<12} {'forward':>9} {'fwd+bwd':>9} {'fwd % copy':>11}")
        ratios = []
        for name in names:
            row = []
            for backward in (False, True):
                torch_time, activ_time = alternate(*runs(name, x, backward), repeats, blocks)
                row.append(torch_time / activ_time)
                if not backward:
                    forward_time = activ_time
            ratios.append(row[0])
            print(f"{name:<12} {row[0]:8.2f}x {row[1]:8.2f}x {100 * copy_time / forward_time:10.0f}%")
        print(f"geometric mean of the forward ratios: "
              f"{math.exp(sum(map(math.log, ratios)) / len(ratios)):.2f}x")
    x = torch.randn(8)
    torch.set_num_threads(1)
    activ.set_num_threads(1)
    torch_time, activ_time = alternate(*runs("GELU", x, False), 200 if quick else 20000, blocks)
    print(f"\nper-call time on 8 elements (GELU forward): torch {torch_time * 1e6:.2f} us, "
          f"activ {activ_time * 1e6:.2f} us")


if __name__ == "__main__":
    main()
