"""What an attachment's bytes must be: a JPEG or PNG that decodes whole, or a PDF with its start and end.

Image dimensions are read from the file's own header before Pillow sees it, so that an image
over the pixel limit is refused without being decoded and Pillow's decompression-bomb check
(a warning, then an error) never comes into play.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import IO

from PIL import Image

JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
MAGIC = [(b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG), (b"%PDF-", PDF)]
# Pillow's own formats per type: a JPEG with a multi-picture extension opens as MPO.
PILLOW_FORMATS = {JPEG: ["JPEG", "MPO"], PNG: ["PNG"]}
# Start-of-frame markers carry the frame's size; DHT (C4), JPG (C8) and DAC (CC) do not.
SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})
SOS, EOI = 0xDA, 0xD9
PDF_TAIL = 1024


class Refused(ValueError):
    """The bytes are not what their type promises; carries an error code and a Dutch message."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.error, self.message = error, message


def sniff(head: bytes) -> str | None:
    """Return the content type the first bytes announce, or None."""
    return next((kind for magic, kind in MAGIC if head.startswith(magic)), None)


def pixel_limit(setting: int) -> int:
    """Return the pixel limit to apply: the setting, never above Pillow's own bomb threshold."""
    pillow = Image.MAX_IMAGE_PIXELS
    return min(setting, pillow) if pillow else setting


def header_size(path: Path, kind: str) -> tuple[int, int]:
    """Return (width, height) from an image file's header, without decoding it; raise Refused."""
    with open(path, "rb") as f:
        size = _png_size(f) if kind == PNG else _jpeg_size(f)
    if size is None or size[0] < 1 or size[1] < 1:
        raise Refused("unreadable", _unreadable(kind))
    return size


def _png_size(f: IO[bytes]) -> tuple[int, int] | None:
    head = f.read(24)
    # The PNG standard puts IHDR first: length 13, type, then width and height.
    if len(head) < 24 or head[8:16] != b"\x00\x00\x00\x0dIHDR":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return int(width), int(height)


def _jpeg_size(f: IO[bytes]) -> tuple[int, int] | None:
    """Return the largest frame size declared before the first scan (Pillow takes the last)."""
    if f.read(2) != b"\xff\xd8":
        return None
    largest: tuple[int, int] | None = None
    while True:
        byte = f.read(1)
        if not byte:
            return None
        if byte != b"\xff":
            continue  # stray bytes between segments: skipped, as Pillow and libjpeg do
        marker = f.read(1)
        while marker == b"\xff":  # fill bytes
            marker = f.read(1)
        if not marker or marker[0] == EOI:
            return None
        if marker[0] in STANDALONE_MARKERS:
            continue
        raw_length = f.read(2)
        if len(raw_length) < 2:
            return None
        length = struct.unpack(">H", raw_length)[0]
        if marker[0] == SOS:
            return largest
        if length < 2:
            return None
        segment = f.read(length - 2)
        if len(segment) < length - 2:
            return None
        if marker[0] in SOF_MARKERS and len(segment) >= 5:
            height, width = struct.unpack(">HH", segment[1:5])
            if largest is None or width * height > largest[0] * largest[1]:
                largest = (int(width), int(height))


def check(path: Path, kind: str, max_pixels: int) -> None:
    """Raise Refused unless the file is a whole image within the pixel limit, or a PDF with start and end."""
    if kind == PDF:
        _check_pdf(path)
        return
    image = open_image(path, kind, max_pixels)
    with image:
        if kind == JPEG:
            # Decoded at an eighth of its size: every block of the file is still read and decoded,
            # at a sixty-fourth of the memory.
            image.draft(None, (max(1, image.width // 8), max(1, image.height // 8)))
        try:
            image.load()
        except Exception as err:  # Pillow signals broken input with many exception types
            raise Refused("unreadable", _unreadable(kind)) from err


def open_image(path: Path, kind: str, max_pixels: int) -> Image.Image:
    """Open an image (header only) after checking its size against the limit; raise Refused."""
    width, height = header_size(path, kind)
    limit = pixel_limit(max_pixels)
    if width * height > limit:
        raise Refused("too_many_pixels", f"De foto heeft {width} x {height} pixels ({_mp(width * height)} "
                                         f"megapixel); ten hoogste {_mp(limit)} megapixel is toegestaan. "
                                         "Stel de camera in op een kleinere fotomaat.")
    try:
        image = Image.open(path, formats=PILLOW_FORMATS[kind])
    except Exception as err:  # as above: any failure to read the header refuses the file
        raise Refused("unreadable", _unreadable(kind)) from err
    if image.width * image.height > limit:  # Pillow read another size than the header says
        image.close()
        raise Refused("unreadable", _unreadable(kind))
    return image


def _check_pdf(path: Path) -> None:
    with open(path, "rb") as f:
        head = f.read(5)
        f.seek(0, 2)
        f.seek(max(0, f.tell() - PDF_TAIL))
        tail = f.read()
    if head != b"%PDF-" or not tail.rstrip(b" \t\r\n\x00").endswith(b"%%EOF"):
        raise Refused("unreadable", "Het bestand is geen volledige PDF (het begin of het slot %%EOF ontbreekt); "
                                    "het is niet bewaard. Stuur het opnieuw.")


def _unreadable(kind: str) -> str:
    name = {JPEG: "JPEG-foto", PNG: "PNG-afbeelding"}.get(kind, "afbeelding")
    return f"Het bestand is geen leesbare {name}; het is niet bewaard. Maak of kies de foto opnieuw."


def _mp(pixels: int) -> str:
    return f"{pixels / 1_000_000:.1f}".replace(".", ",").removesuffix(",0")
