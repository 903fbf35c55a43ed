#!/usr/bin/python3
"""Writes the safetensors fixtures of tests/safetensors_test.cpp under tests/golden/safetensors/.

The `safetensors` package is not available from the registries this project can reach, so the
files are written by `save_file` below, which follows the reference writer
(huggingface/safetensors, safetensors/src/tensor.rs, `prepare` and `serialize`) step by step:
tensors sorted by dtype, descending in the reference's Dtype order (U64, I64, F64, F32, ..., BOOL),
then by name; offsets laid end to end from 0; the header is compact JSON (serde_json's output:
no spaces, UTF-8 kept, control characters escaped), "__metadata__" first when given, then the
tensors in that order, each {"dtype", "shape", "data_offsets"}; the header is padded with spaces
to a multiple of 8 bytes and preceded by its length as a little-endian u64. Tensor bytes come
from torch (little endian, C order). The reference writes metadata in hash-map order; here, and
in activ, it is sorted by key (the fixtures use one key, where the orders agree).

expected.json gives, per file, its tensors in data order, each with its name, activ dtype, shape
and values in C order (floats as JSON numbers that round-trip exactly, non-finite ones as the
strings "nan", "inf" and "-inf"), and its metadata.

Run: /usr/bin/python3 tools/gen_safetensors_fixtures.py
"""
import json
import math
import os
import struct

import torch

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "golden",
                       "safetensors")

# The reference's Dtype enum order, which the writer sorts by (descending).
DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32",
               "U32", "F32", "F64", "I64", "U64"]
FORMAT_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64",
                 torch.bool: "BOOL", torch.float16: "F16", torch.bfloat16: "BF16",
                 torch.int32: "I32", torch.uint8: "U8"}
ACTIV_DTYPES = {"F32": "float32", "F64": "float64", "I64": "int64", "BOOL": "bool"}


def tensor_bytes(tensor):
    tensor = tensor.contiguous()
    # Viewing as bytes keeps every bit (NaN payloads, -0.0) in native, little-endian order.
    return tensor.reshape(-1).view(torch.uint8).numpy().tobytes() if tensor.numel() else b""


def serialize(tensors, metadata=None):
    """The bytes safetensors.torch.save_file writes for tensors (a dict name -> tensor)."""
    items = sorted(tensors.items(), key=lambda item: item[0])
    items.sort(key=lambda item: DTYPE_ORDER.index(FORMAT_DTYPES[item[1].dtype]), reverse=True)
    header = {}
    if metadata is not None:
        header["__metadata__"] = dict(sorted(metadata.items()))
    offset = 0
    data = b""
    for name, tensor in items:
        raw = tensor_bytes(tensor)
        header[name] = {"dtype": FORMAT_DTYPES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        data += raw
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def json_value(value, dtype):
    if dtype == "bool":
        return bool(value)
    if dtype == "int64":
        return int(value)
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    expected = {}

    def save(name, tensors, metadata=None, readable=True):
        content = serialize(tensors, metadata)
        assert len(content) < 4096, name
        with open(os.path.join(OUT_DIR, name), "wb") as f:
            f.write(content)
        if not readable:
            return
        length = struct.unpack("<Q", content[:8])[0]
        header = json.loads(content[8:8 + length])
        entries = sorted(((key, info) for key, info in header.items() if key != "__metadata__"),
                         key=lambda item: item[1]["data_offsets"])
        listed = []
        for key, info in entries:
            dtype = ACTIV_DTYPES[info["dtype"]]
            listed.append({"name": key, "dtype": dtype, "shape": info["shape"],
                           "values": [json_value(v, dtype)
                                      for v in tensors[key].reshape(-1).tolist()]})
        expected[name] = {"tensors": listed, "metadata": header.get("__metadata__", {})}

    f32 = torch.tensor([[1.5, -2.25, math.inf], [-0.0, 1.4e-45, math.nan]], dtype=torch.float32)
    f64 = torch.tensor([[0.1, -1e308, 5e-324], [math.inf, -math.inf, math.nan]],
                       dtype=torch.float64)
    i64 = torch.tensor([[0, -1, 2**63 - 1], [-(2**63), 42, 1 << 40]], dtype=torch.int64)
    b = torch.tensor([[True, False, True], [False, False, True]])
    save("f32.safetensors", {"x": f32})
    save("f64.safetensors", {"x": f64})
    save("i64.safetensors", {"x": i64})
    save("bool.safetensors", {"x": b})
    save("f32_3d.safetensors", {"w": torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) / 8})
    save("scalar_0d.safetensors", {"s": torch.tensor(3.5, dtype=torch.float64)})
    save("empty_tensors.safetensors",
         {"a": torch.zeros(0), "b": torch.zeros(2, 0, dtype=torch.int64),
          "c": torch.zeros(0, 3, dtype=torch.bool)})
    save("no_tensors.safetensors", {})
    save("metadata.safetensors", {"weight": torch.tensor([1.0, 2.0])}, {"format": "pt"})
    save("metadata_only.safetensors", {}, {"format": "pt"})
    # The writer's order is by dtype (I64, F64, F32, BOOL), then by name; the empty tensors
    # share the offset of the tensor after them.
    save("several.safetensors",
         {"layer.0.weight": torch.tensor([[0.5, -1.0], [2.0, 0.25]]),
          "layer.0.bias": torch.tensor([0.125, -0.0]),
          "layer.1.weight": torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64),
          "steps": torch.tensor(7, dtype=torch.int64),
          "mask": torch.tensor([True, False, True]),
          "empty": torch.zeros(0),
          "z.empty": torch.zeros(0)})
    save("unicode_names.safetensors",
         {"gewicht.größe": torch.tensor([1.0]), 'quote"back\\slash\ttab': torch.tensor([2.0])},
         {"note": "μ=0 \"quoted\"\n"})
    # Dtypes the format has and activ does not read.
    save("f16.safetensors", {"half": torch.tensor([1.0, 2.0], dtype=torch.float16)},
         readable=False)
    save("bf16.safetensors", {"brain": torch.tensor([1.0], dtype=torch.bfloat16)}, readable=False)
    save("i32_and_f32.safetensors",
         {"ints": torch.tensor([1, 2], dtype=torch.int32), "floats": torch.tensor([1.0])},
         readable=False)

    with open(os.path.join(OUT_DIR, "expected.json"), "w") as f:
        json.dump({"generator": "tools/gen_safetensors_fixtures.py", "files": expected}, f,
                  indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
