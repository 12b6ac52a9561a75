"""Protobuf wire encoding for tests and benchmarks, test-side only.

A few lines are enough to write an ExportTraceServiceRequest as an SDK's
http/protobuf exporter does, without a protobuf package from an index.
"""


def varint(n):
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out


def field(number, wire, payload):
    """One field: wire 0 varint, 1 fixed64, 5 fixed32, 2 length-delimited."""
    key = varint(number << 3 | wire)
    if wire == 0:
        return key + varint(payload)
    if wire == 1:
        return key + payload.to_bytes(8, "little")
    if wire == 5:
        return key + payload.to_bytes(4, "little")
    return key + varint(len(payload)) + payload
