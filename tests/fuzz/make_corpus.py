#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_safetensors: small valid files (the shapes the fuzz target
loads, F32 and F64, metadata, an Adam state, empty tensors) and a few near-misses, each a
starting point for libFuzzer's mutations. Run once; the files are committed."""
import json
import os
import struct

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
os.makedirs(here, exist_ok=True)


def safetensors(tensors, metadata=None, pad=True):
    """tensors: list of (name, dtype, shape, values)."""
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape, values in tensors:
        fmt = "<%d%s" % (len(values), "f" if dtype == "F32" else "d")
        raw = struct.pack(fmt, *values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


net = [("net.0.weight", "F32", [2, 2], [1, -2, 3.5, 0]), ("net.0.bias", "F32", [2], [0.25, -1])]
files = {
    "net_f32": safetensors(net, {"format": "pt"}),
    "net_f64": safetensors([(n, "F64", s, v) for n, _, s, v in net]),
    "net_unpadded": safetensors(net, pad=False),
    "adam_state": safetensors(
        [("net.0.weight.exp_avg", "F64", [2, 2], [0.1] * 4), ("net.0.bias.exp_avg", "F64", [2], [0.1] * 2),
         ("net.0.weight.exp_avg_sq", "F64", [2, 2], [0.01] * 4), ("net.0.bias.exp_avg_sq", "F64", [2], [0.01] * 2),
         ("step", "F64", [], [7])], {"optimizer": "Adam"}),
    "empty_tensors": safetensors([("a", "F32", [0], []), ("b", "F64", [3, 0], []), ("c", "F32", [1], [2])]),
    "scalar": safetensors([("step", "F64", [], [3])]),
    "empty_header": struct.pack("<Q", 2) + b"{}",
    "wrong_shape": safetensors([("net.0.weight", "F32", [4], [1, 2, 3, 4]), ("net.0.bias", "F32", [2], [0, 0])]),
    "escaped_names": safetensors([("n\\u00e9t \"q\"", "F32", [1], [1])], {"k\n": "v\u00e9"}),
    "truncated": safetensors(net)[:-5],
    "bad_header_size": struct.pack("<Q", 1 << 40) + b"{}",
}
for name, blob in files.items():
    with open(os.path.join(here, name + ".safetensors"), "wb") as f:
        f.write(blob)
print("wrote", len(files), "files to", here)
