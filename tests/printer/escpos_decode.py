"""A small ESC/POS decoder: printed bytes back into text lines and the commands around them.

It knows the commands our renderer sends (python-escpos's init, code page, styles, 2D codes,
raster images, cuts, drawer kicks, feeds) and fails loudly on anything else, so a stray byte
in a receipt is caught rather than skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS, LF = 0x1B, 0x1D, 0x0A

#: ESC commands with a fixed count of parameter bytes
ESC_ARGS = {ord("@"): 0, ord("t"): 1, ord("!"): 1, ord("E"): 1, ord("G"): 1, ord("-"): 1,
            ord("a"): 1, ord("M"): 1, ord("d"): 1, ord("J"): 1, ord("{"): 1, ord("V"): 1,
            ord("2"): 0, ord("3"): 1}
GS_ARGS = {ord("!"): 1, ord("B"): 1, ord("b"): 1}


@dataclass
class Printed:
    """What a printer would do with the bytes."""

    lines: list[str] = field(default_factory=list)
    #: (name, parameters) in order, e.g. ("init", b""), ("qr_store", b"...")
    commands: list[tuple[str, bytes]] = field(default_factory=list)
    codepage: int | None = None

    def names(self) -> list[str]:
        return [name for name, _ in self.commands]

    def text(self) -> str:
        return "\n".join(self.lines)


def decode(data: bytes) -> Printed:
    """Decode `data`; raises ValueError on a byte sequence it does not know."""
    out = Printed()
    line = bytearray()
    i = 0
    while i < len(data):
        b = data[i]
        if b == LF:
            out.lines.append(line.decode("cp437"))
            line.clear()
            i += 1
        elif b == ESC:
            i = _esc(data, i, out)
        elif b == GS:
            i = _gs(data, i, out)
        elif b >= 0x20:
            line.append(b)
            i += 1
        else:
            raise ValueError(f"unexpected control byte {b:#x} at {i}")
    if line:
        out.lines.append(line.decode("cp437"))
    return out


def _esc(data: bytes, i: int, out: Printed) -> int:
    cmd = data[i + 1]
    if cmd == ord("p"):  # cash drawer pulse: ESC p m t1 t2
        out.commands.append(("drawer_kick", data[i + 2:i + 5]))
        return i + 5
    if cmd == ord("*"):  # column image: ESC * m nL nH data
        raise ValueError("column images are not expected")
    if cmd not in ESC_ARGS:
        raise ValueError(f"unknown ESC {cmd:#x} at {i}")
    n = ESC_ARGS[cmd]
    params = data[i + 2:i + 2 + n]
    name = {ord("@"): "init", ord("t"): "codepage", ord("E"): "bold", ord("a"): "align",
            ord("M"): "font", ord("d"): "feed", ord("J"): "feed_dots"}.get(cmd, f"esc_{chr(cmd)}")
    if name == "codepage":
        out.codepage = params[0]
    out.commands.append((name, bytes(params)))
    return i + 2 + n


def _gs(data: bytes, i: int, out: Printed) -> int:
    cmd = data[i + 1]
    if cmd == ord("(") and data[i + 2] == ord("k"):  # 2D code: GS ( k pL pH cn fn ...
        size = data[i + 3] + 256 * data[i + 4]
        body = data[i + 5:i + 5 + size]
        names = {65: "qr_model", 67: "qr_size", 69: "qr_error_level", 80: "qr_store",
                 81: "qr_print"}
        out.commands.append((names.get(body[1], f"2d_{body[1]}"), bytes(body[2:])))
        return i + 5 + size
    if cmd == ord("v") and data[i + 2] == ord("0"):  # raster image: GS v 0 m xL xH yL yH d…
        width_bytes = data[i + 4] + 256 * data[i + 5]
        height = data[i + 6] + 256 * data[i + 7]
        end = i + 8 + width_bytes * height
        out.commands.append(("raster_image", bytes(data[i + 4:i + 8])))
        return end
    if cmd == ord("V"):  # cut: GS V m, or GS V m n for m 65/66
        m = data[i + 2]
        length = 4 if m in (65, 66) else 3
        out.commands.append(("cut", bytes(data[i + 2:i + length])))
        return i + length
    if cmd in GS_ARGS:
        n = GS_ARGS[cmd]
        out.commands.append((f"gs_{chr(cmd)}", bytes(data[i + 2:i + 2 + n])))
        return i + 2 + n
    raise ValueError(f"unknown GS {cmd:#x} at {i}")
