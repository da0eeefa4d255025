#!/usr/bin/python3
"""Checks, from the Python side, a safetensors file that Depth wrote (needs PyTorch, not `safetensors`).

The round trip PyTorch -> Depth -> PyTorch:
  1. make_fixture.py wrote fixture.safetensors with PyTorch (all dtypes);
  2. Depth loads it and saves it again (everything becomes F32), e.g. with jshell:
       mvn -q -pl depth-io -am compile
       printf '%s\n' 'import dev.depth.io.*; import java.nio.file.*;' \
         'Safetensors.save(Path.of("/tmp/depth.safetensors"), Safetensors.load(Path.of("depth-io/src/test/resources/dev/depth/io/fixture.safetensors")), Safetensors.loadMetadata(Path.of("depth-io/src/test/resources/dev/depth/io/fixture.safetensors")))' \
         '/exit' | jshell --class-path depth-core/target/classes:depth-io/target/classes -q -
  3. this script parses /tmp/depth.safetensors by hand, checks the layout rules Depth promises
     (8-byte length prefix, JSON header padded with spaces to a multiple of 8, F32 data packed in
     header order without gaps) and compares every tensor with make_fixture.tensors().float():
       /usr/bin/python3 depth-io/src/test/python/check_depth_file.py /tmp/depth.safetensors
"""
import json
import math
import struct
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_fixture  # noqa: E402


def load(path):
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    assert n % 8 == 0, f"header length {n} is not a multiple of 8"
    text = raw[8:8 + n].decode("utf-8")
    assert text.rstrip(" ").endswith("}") and len(text) - len(text.rstrip(" ")) < 8, "padded with fewer than 8 spaces"
    header = json.loads(text, object_pairs_hook=lambda pairs: dict(pairs))
    meta = header.pop("__metadata__", {})
    data = raw[8 + n:]
    out, cursor = {}, 0
    for name, info in header.items():  # Depth writes data in header order
        begin, end = info["data_offsets"]
        assert info["dtype"] == "F32", info
        assert begin == cursor, f"{name}: begins at {begin}, expected {cursor}"
        numel = math.prod(info["shape"])
        assert end - begin == 4 * numel, info
        buf = bytearray(data[begin:end])
        t = torch.frombuffer(buf, dtype=torch.float32) if numel else torch.zeros(0)
        out[name] = t.reshape(info["shape"])
        cursor = end
    assert cursor == len(data), f"{len(data) - cursor} trailing bytes"
    return out, meta


def main():
    loaded, meta = load(sys.argv[1] if len(sys.argv) > 1 else "/tmp/depth.safetensors")
    want = make_fixture.tensors()
    assert sorted(loaded) == sorted(want), (sorted(loaded), sorted(want))
    for name, t in want.items():
        expected = t.float()
        got = loaded[name]
        assert got.shape == expected.shape, (name, got.shape, expected.shape)
        assert torch.equal(got.view(torch.int32), expected.contiguous().view(torch.int32)), (name, got, expected)
    print(f"OK: {len(loaded)} tensors match bit for bit; metadata {meta}")


if __name__ == "__main__":
    main()
