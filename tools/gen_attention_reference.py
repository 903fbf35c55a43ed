#!/usr/bin/python3
"""Writes tests/golden/attention.json: PyTorch 1.13's torch.nn.MultiheadAttention and the
scaled dot-product attention reference, with gradients, read by tests/attention_test.cpp.

Run with the system python, which has torch:  /usr/bin/python3 tools/gen_attention_reference.py

{"generator", "torch", "mha": [case], "sdpa": [case]}, tensors as {"dtype", "shape", "values"}
(values row-major; floats are the shortest decimal that round-trips the float64 value, float32
values widened exactly, so they are reproduced bit for bit).

mha case: {"name", "dtype", "embed_dim", "num_heads", "options" (constructor keywords),
  "forward" ({"need_weights", "average_attn_weights"}), "key_padding_mask"?, "attn_mask"?,
  "state_dict": [[name, tensor]] in torch's order, "query", "key", "value", "grad_output",
  "output", "weights" (null without need_weights), "grads": {"query", "key", "value",
  "parameters": [[name, tensor]]}}: the gradients of sum(output * grad_output), module in
  training mode with dropout 0.
sdpa case: {"name", "dtype", "query", "key", "value", "attn_mask"?, "is_causal", "scale"?,
  "grad_output", "output", "grads": {"query", "key", "value"}}; torch 1.13 has no public
  scaled_dot_product_attention, so the output is its documented math:
  softmax(q k^T * scale + bias) v, bias -inf where a bool mask is false or above the diagonal
  with is_causal, a float mask added.
"""

import json
import math
import os
import warnings

import torch

warnings.filterwarnings("ignore")
OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "golden",
                        "attention.json")
DTYPE_NAMES = {torch.float32: "float32", torch.float64: "float64", torch.bool: "bool"}
DTYPES = {"float32": torch.float32, "float64": torch.float64}

EMBED, HEADS, L, S, N = 8, 2, 3, 4, 2

torch.manual_seed(20240611)


def encode_float(x):
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return float(x)


def encode(t):
    if t is None:
        return None
    t = t.detach().contiguous()
    name = DTYPE_NAMES[t.dtype]
    flat = t.reshape(-1).tolist()
    values = [bool(v) for v in flat] if name == "bool" else [encode_float(v) for v in flat]
    return {"dtype": name, "shape": list(t.shape), "values": values}


def bool_mask(shape):
    """Random bool mask; true masks a key out, except the first key, so no row is empty."""
    mask = torch.rand(shape) < 0.4
    mask[..., 0] = False
    return mask


def float_mask(shape, dtype):
    """Random additive mask; the first key gets 0, so a float key_padding_mask merged into a
    bool attn_mask (where nonzero masks out) leaves every row a key."""
    mask = torch.randn(shape, dtype=dtype)
    mask[..., 0] = 0.0
    return mask


def mha_case(name, dtype=torch.float32, batched=True, kpm=None, attn=None, need_weights=True,
             average=True, **options):
    dtype = DTYPES[dtype] if isinstance(dtype, str) else dtype
    module = torch.nn.MultiheadAttention(EMBED, HEADS, dtype=dtype, **options)
    # Non-zero biases, so their gradients and effects are tested too.
    with torch.no_grad():
        for param in module.parameters():
            param.copy_(torch.randn(param.shape, dtype=dtype) * 0.5)
    module.train()
    kdim = options.get("kdim") or EMBED
    vdim = options.get("vdim") or EMBED
    batch_first = options.get("batch_first", False)

    def shaped(length, features):
        if not batched:
            return (length, features)
        return (N, length, features) if batch_first else (length, N, features)

    query = torch.randn(shaped(L, EMBED), dtype=dtype, requires_grad=True)
    key = torch.randn(shaped(S, kdim), dtype=dtype, requires_grad=True)
    value = torch.randn(shaped(S, vdim), dtype=dtype, requires_grad=True)
    batch = N if batched else 1

    def make_mask(kind, shape):
        return bool_mask(shape) if kind == "bool" else float_mask(shape, dtype)

    key_padding_mask = None
    if kpm is not None:
        key_padding_mask = make_mask(kpm, (N, S) if batched else (S,))
    attn_mask = None
    if attn is not None:
        kind, dims = attn
        attn_mask = make_mask(kind, (L, S) if dims == 2 else (batch * HEADS, L, S))

    output, weights = module(query, key, value, key_padding_mask=key_padding_mask,
                             need_weights=need_weights, attn_mask=attn_mask,
                             average_attn_weights=average)
    grad_output = torch.randn(output.shape, dtype=dtype)
    params = list(module.named_parameters())
    grads = torch.autograd.grad(output, [query, key, value] + [p for _, p in params], grad_output)
    case = {
        "name": name,
        "dtype": DTYPE_NAMES[dtype],
        "embed_dim": EMBED,
        "num_heads": HEADS,
        "options": options,
        "forward": {"need_weights": need_weights, "average_attn_weights": average},
        "state_dict": [[k, encode(v)] for k, v in module.state_dict().items()],
        "query": encode(query),
        "key": encode(key),
        "value": encode(value),
        "grad_output": encode(grad_output),
        "output": encode(output),
        "weights": encode(weights),
        "grads": {
            "query": encode(grads[0]),
            "key": encode(grads[1]),
            "value": encode(grads[2]),
            "parameters": [[k, encode(g)] for (k, _), g in zip(params, grads[3:])],
        },
    }
    if key_padding_mask is not None:
        case["key_padding_mask"] = encode(key_padding_mask)
    if attn_mask is not None:
        case["attn_mask"] = encode(attn_mask)
    return case


def sdpa_reference(query, key, value, attn_mask=None, is_causal=False, scale=None):
    length, source = query.size(-2), key.size(-2)
    scale_factor = 1 / math.sqrt(query.size(-1)) if scale is None else scale
    scores = query @ key.transpose(-2, -1) * scale_factor
    bias = torch.zeros(length, source, dtype=query.dtype)
    if is_causal:
        keep = torch.ones(length, source, dtype=torch.bool).tril(diagonal=0)
        bias = bias.masked_fill(keep.logical_not(), float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            bias = bias.masked_fill(attn_mask.logical_not(), float("-inf"))
        else:
            bias = bias + attn_mask
    return torch.softmax(scores + bias, dim=-1) @ value


def sdpa_case(name, q_shape, k_shape, v_shape, dtype="float32", mask=None, is_causal=False,
              scale=None):
    dtype = DTYPES[dtype]
    query = torch.randn(q_shape, dtype=dtype, requires_grad=True)
    key = torch.randn(k_shape, dtype=dtype, requires_grad=True)
    value = torch.randn(v_shape, dtype=dtype, requires_grad=True)
    attn_mask = None
    if mask is not None:
        kind, shape = mask
        if kind == "bool":
            attn_mask = torch.rand(shape) < 0.6
            attn_mask[..., 0] = True  # every row keeps a key
        else:
            attn_mask = torch.randn(shape, dtype=dtype)
    output = sdpa_reference(query, key, value, attn_mask, is_causal, scale)
    grad_output = torch.randn(output.shape, dtype=dtype)
    grads = torch.autograd.grad(output, [query, key, value], grad_output)
    case = {
        "name": name,
        "dtype": DTYPE_NAMES[dtype],
        "query": encode(query),
        "key": encode(key),
        "value": encode(value),
        "is_causal": is_causal,
        "grad_output": encode(grad_output),
        "output": encode(output),
        "grads": {"query": encode(grads[0]), "key": encode(grads[1]), "value": encode(grads[2])},
    }
    if attn_mask is not None:
        case["attn_mask"] = encode(attn_mask)
    if scale is not None:
        case["scale"] = scale
    return case


def mha_cases():
    cases = []
    for dtype in ("float32", "float64"):
        def add(name, **kwargs):
            cases.append(mha_case(f"{name}_{dtype}", dtype=dtype, **kwargs))

        add("default")
        add("batch_first", batch_first=True)
        add("unbatched", batched=False)
        add("unbatched_masks", batched=False, batch_first=True, kpm="bool", attn=("float", 3))
        add("kdim_vdim", kdim=5, vdim=6)
        add("kdim_vdim_batch_first_no_weights", kdim=5, vdim=6, batch_first=True,
            need_weights=False)
        add("add_bias_kv", add_bias_kv=True)
        add("add_zero_attn", add_zero_attn=True)
        add("bias_kv_zero_attn_masks", add_bias_kv=True, add_zero_attn=True, kpm="bool",
            attn=("bool", 2))
        add("kdim_bias_kv_float_masks", kdim=5, vdim=3, add_bias_kv=True, kpm="bool",
            attn=("float", 3), batch_first=True)
        add("no_bias", bias=False)
        add("attn_bool_2d", attn=("bool", 2))
        add("attn_float_2d", attn=("float", 2))
        add("attn_bool_3d", attn=("bool", 3))
        add("attn_float_3d", attn=("float", 3))
        add("kpm_bool", kpm="bool")
        add("kpm_float", kpm="float")
        add("attn_bool_kpm_bool", attn=("bool", 2), kpm="bool")
        add("attn_float_kpm_bool", attn=("float", 3), kpm="bool")
        add("attn_bool_kpm_float", attn=("bool", 3), kpm="float")
        add("per_head_weights", average=False, attn=("bool", 2))
        add("per_head_weights_unbatched", average=False, batched=False)
        add("no_weights", need_weights=False, kpm="bool")
    return cases


def sdpa_cases():
    cases = []
    for dtype in ("float32", "float64"):
        def add(name, *shapes, **kwargs):
            cases.append(sdpa_case(f"{name}_{dtype}", *shapes, dtype=dtype, **kwargs))

        add("plain_3d", (2, 3, 4), (2, 5, 4), (2, 5, 6))
        add("plain_2d", (3, 4), (5, 4), (5, 2))
        add("bool_mask_broadcast", (2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 4),
            mask=("bool", (3, 5)))
        add("float_mask_per_batch", (2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 4),
            mask=("float", (2, 1, 3, 5)))
        add("bool_mask_full", (2, 3, 4), (2, 5, 4), (2, 5, 3), mask=("bool", (2, 3, 5)))
        add("causal_square", (2, 4, 4), (2, 4, 4), (2, 4, 4), is_causal=True)
        add("causal_rectangular", (2, 3, 4), (2, 5, 4), (2, 5, 4), is_causal=True)
        add("custom_scale", (2, 3, 4), (2, 5, 4), (2, 5, 4), scale=0.3)
        add("broadcast_key_batch", (2, 3, 3, 4), (3, 5, 4), (3, 5, 2))
    return cases


def main():
    data = {
        "generator": "tools/gen_attention_reference.py",
        "torch": torch.__version__,
        "mha": mha_cases(),
        "sdpa": sdpa_cases(),
    }
    with open(OUT_PATH, "w") as out:
        json.dump(data, out, separators=(",", ":"))
        out.write("\n")
    print(f"wrote {len(data['mha'])} mha and {len(data['sdpa'])} sdpa cases to {OUT_PATH}")


if __name__ == "__main__":
    main()
