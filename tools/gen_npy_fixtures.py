#!/usr/bin/python3
"""Writes the .npy fixtures of tests/npy_test.cpp under tests/golden/npy/ with NumPy.

Each fixture is a small array saved by np.save (or np.lib.format.write_array for versions 2.0
and 3.0); expected.json gives, per file, the dtype activ loads it as, its shape, its values in
C order, and `same_bytes_as`: the numpy-written file whose bytes activ's writer must reproduce
for the loaded tensor (the C-order, little-endian version 1.0 file of the same array).

Floats are written as JSON numbers that round-trip exactly, except the non-finite ones, which
are the strings "nan", "inf" and "-inf".

Run: /usr/bin/python3 tools/gen_npy_fixtures.py
"""
import json
import math
import os

import numpy as np

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "golden", "npy")

F4 = np.array([[1.5, -2.25, np.inf], [-0.0, 1.4e-45, np.nan]], dtype="<f4")
F8 = np.array([[0.1, -1e308, 5e-324], [np.inf, -np.inf, np.nan]], dtype="<f8")
I8 = np.array([[0, -1, 2**63 - 1], [-(2**63), 42, 1 << 40]], dtype="<i8")
B1 = np.array([[True, False, True], [False, False, True]], dtype="|b1")
F4_3D = np.arange(24, dtype="<f4").reshape(2, 3, 4) / 8


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

    def save(name, array, same_bytes_as=None, version=None, logical=None):
        path = os.path.join(OUT_DIR, name)
        if version is None:
            np.save(path, array, allow_pickle=False)
        else:
            with open(path, "wb") as f:
                np.lib.format.write_array(f, array, version=version, allow_pickle=False)
        logical = array if logical is None else logical
        dtype = {"f4": "float32", "f8": "float64", "i8": "int64", "b1": "bool"}[
            logical.dtype.kind + str(logical.dtype.itemsize)]
        expected[name] = {
            "dtype": dtype,
            "shape": list(logical.shape),
            "values": [json_value(v, dtype) for v in np.ascontiguousarray(logical).ravel()],
            "same_bytes_as": same_bytes_as or name,
        }

    for code, array in (("f4", F4), ("f8", F8), ("i8", I8), ("b1", B1)):
        save(f"{code}_c.npy", array)
        save(f"{code}_fortran.npy", np.asfortranarray(array), same_bytes_as=f"{code}_c.npy")
        if code != "b1":
            big = array.astype(array.dtype.newbyteorder(">"))
            save(f"{code}_big_endian.npy", big, same_bytes_as=f"{code}_c.npy")
    save("i8_big_endian_fortran.npy", np.asfortranarray(I8.astype(">i8")),
         same_bytes_as="i8_c.npy")
    save("f4_3d_c.npy", F4_3D)
    save("f4_3d_fortran.npy", np.asfortranarray(F4_3D), same_bytes_as="f4_3d_c.npy")
    save("f8_0d.npy", np.array(3.5, dtype="<f8"))
    save("f4_empty_0.npy", np.zeros((0,), dtype="<f4"))
    save("i8_empty_2x0.npy", np.zeros((2, 0), dtype="<i8"))
    # The longest headers activ writes: 8 dims, and a 16-digit first dim.
    save("f4_empty_8d.npy", np.zeros((0, 1, 2, 3, 4, 5, 6, 7), dtype="<f4"))
    save("i8_empty_wide.npy", np.zeros((10**15, 0), dtype="<i8"))
    save("f4_version_2.npy", F4, version=(2, 0), same_bytes_as="f4_c.npy")
    save("f8_version_3.npy", F8, version=(3, 0), same_bytes_as="f8_c.npy")
    # Bytes 2 and 255 in a bool array: numpy keeps them, activ reads them as true.
    raw = np.array([0, 1, 2, 255], dtype=np.uint8).view(np.bool_)
    expected_bools = np.array([False, True, True, True])
    save("b1_nonzero_bytes.npy", raw, same_bytes_as="b1_normalized.npy", logical=expected_bools)
    save("b1_normalized.npy", expected_bools)

    # One line per file keeps the golden diff readable.
    generator = json.dumps("tools/gen_npy_fixtures.py (numpy " + np.__version__ + ")")
    entries = ",\n".join(f"  {json.dumps(name)}: {json.dumps(expected[name], sort_keys=True)}"
                         for name in sorted(expected))
    with open(os.path.join(OUT_DIR, "expected.json"), "w") as f:
        f.write(f'{{"generator": {generator},\n "files": {{\n{entries}\n}}}}\n')

if __name__ == "__main__":
    main()
