#!/usr/bin/python3
"""Writes the safetensors interoperability fixture for depth-io's FixtureTest.

Run from anywhere (needs PyTorch; the Maven build does not run this):
    /usr/bin/python3 depth-io/src/test/python/make_fixture.py   (Debian python3-torch)

Outputs, next to FixtureTest's resources (src/test/resources/dev/depth/io/):
  fixture.safetensors    tensors of every dtype Depth reads, made with PyTorch and laid out by hand
                         following the format specification (the `safetensors` package is not
                         needed): header keys sorted by name, data ordered as the reference writer
                         orders it (by dtype alignment, largest first, then name), so the header
                         order differs from the data order
  fixture_expected.json  for each tensor: dtype, shape and the values PyTorch gives for
                         tensor.float(), the conversion Depth must match bit for bit
"""
import json
import struct
import sys
from pathlib import Path

import torch

assert sys.byteorder == "little", "the byte views below assume a little-endian machine"

OUT = Path(__file__).resolve().parents[1] / "resources" / "dev" / "depth" / "io"

DTYPES = {  # torch dtype -> (safetensors name, element size)
    torch.float32: ("F32", 4), torch.float64: ("F64", 8), torch.float16: ("F16", 2),
    torch.bfloat16: ("BF16", 2), torch.int64: ("I64", 8), torch.int32: ("I32", 4),
    torch.int16: ("I16", 2), torch.int8: ("I8", 1), torch.uint8: ("U8", 1), torch.bool: ("BOOL", 1),
}


def tensors():
    t = {}
    t["f32.matrix"] = torch.arange(6, dtype=torch.float32).reshape(2, 3) / 7 - 0.3
    t["f32.scalar"] = torch.tensor(-1.5, dtype=torch.float32)
    t["f32.empty"] = torch.zeros(0, 4, dtype=torch.float32)
    t["f32.special"] = torch.tensor([-0.0, 1e-45, 3.4028235e38, -2.0 ** -126], dtype=torch.float32)
    t["f64.vector"] = torch.tensor([0.1, 1 / 3, -1e-10, 12345.678901, 1e-50], dtype=torch.float64)
    t["f16.vector"] = torch.tensor([0.1, -2.0, 65504.0, 6e-8, 1 / 3], dtype=torch.float16)
    t["bf16.matrix"] = torch.tensor([[3.14159, -1e30], [1e-30, 7.0]], dtype=torch.bfloat16)
    t["i64.vector"] = torch.tensor([-5, 2 ** 24 + 1, 2 ** 40 + 3], dtype=torch.int64)
    t["i32.vector"] = torch.tensor([123456789, -2 ** 31], dtype=torch.int32)
    t["i16.scalar"] = torch.tensor(-300, dtype=torch.int16)
    t["i8.vector"] = torch.tensor([-128, 127], dtype=torch.int8)
    t["u8.vector"] = torch.tensor([0, 200, 255], dtype=torch.uint8)
    t["bool.vector"] = torch.tensor([True, False, True], dtype=torch.bool)
    return t


def raw_bytes(x):
    x = x.contiguous()
    if x.dtype == torch.bfloat16:  # numpy has no bfloat16: take the bits
        x = x.view(torch.int16)
    return x.numpy().tobytes()


def main():
    t = tensors()
    order = sorted(t, key=lambda k: (-DTYPES[t[k].dtype][1], k))  # the data order
    offsets, data, pos = {}, bytearray(), 0
    for k in order:
        b = raw_bytes(t[k])
        size = DTYPES[t[k].dtype][1] * t[k].numel()
        assert len(b) == size, (k, len(b), size)
        offsets[k] = [pos, pos + size]
        data += b
        pos += size
    header = {"__metadata__": {"format": "pt", "generator": "make_fixture.py"}}
    for k in sorted(t):
        header[k] = {"dtype": DTYPES[t[k].dtype][0], "shape": list(t[k].shape), "data_offsets": offsets[k]}
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "fixture.safetensors").write_bytes(struct.pack("<Q", len(h)) + h + bytes(data))

    expected = {k: {"dtype": DTYPES[t[k].dtype][0], "shape": list(t[k].shape),
                    "values": t[k].float().flatten().tolist()} for k in sorted(t)}
    (OUT / "fixture_expected.json").write_text(json.dumps(expected, indent=1, allow_nan=False) + "\n")
    print("wrote", OUT / "fixture.safetensors", len(h) + 8 + len(data), "bytes")


if __name__ == "__main__":
    main()
