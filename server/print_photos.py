"""Print copies of photos: each stored photo scaled once to print size, kept by its hash.

A document shows a photo about 10 x 8 cm; a camera's 4000 x 3000 pixels in it only make the PDF
big and slow to draw. So the first document that needs a photo makes a JPEG of at most
PRINT_LONGEST pixels on its longest side, turned upright (EXIF orientation), in
DATA/attachments/print/<sha256>.jpg; every later document uses that file. The copy is made from
verified bytes and the same Pillow gives the same bytes, so a document drawn again is the same PDF.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from PIL import Image, ImageOps

from reports.render import PhotoUnreadable
from server import attachment_content as content
from server.attachments import final_path, folder

PRINT_LONGEST = 1600
PRINT_QUALITY = 85


def print_path(data: Path, sha256: str) -> Path:
    """Return where the print copy of a photo is kept."""
    return folder(data) / "print" / f"{sha256}.jpg"


def print_copy(data: Path, sha256: str) -> str | None:
    """Return the print copy of a received photo, making it the first time; None when not received.

    Raise PhotoUnreadable when the stored file does not decode (any more): the document then
    shows a marked placeholder instead of failing.
    """
    target = print_path(data, sha256)
    if target.exists():
        return str(target)
    source = final_path(data, sha256)
    if not source.exists():
        return None
    with open(source, "rb") as f:
        kind = content.sniff(f.read(16))
    if kind not in content.PILLOW_FORMATS:
        raise PhotoUnreadable(sha256)
    try:
        # Stored photos passed the upload's pixel limit; here only Pillow's own threshold applies,
        # so a later, lower setting does not turn old evidence into placeholders.
        with content.open_image(source, kind, Image.MAX_IMAGE_PIXELS or 2**62) as image:
            upright = _scaled(image)
    except Exception as err:  # Refused, or any of the many types Pillow signals broken input with
        raise PhotoUnreadable(sha256) from err
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_suffix(f".{uuid.uuid4().hex}.part")
    try:
        upright.save(part, "JPEG", quality=PRINT_QUALITY, optimize=True)
        os.replace(part, target)  # two documents drawing at once both write whole files; either wins
    finally:
        part.unlink(missing_ok=True)
    return str(target)


def _scaled(image: Image.Image) -> Image.Image:
    """Return the image at print size, upright, in RGB on white."""
    # reducing_gap 1: a JPEG is decoded straight at the smallest of its 1/2, 1/4, 1/8 scales that is
    # still at least print size (libjpeg scales while it decodes), then resampled properly from there.
    image.thumbnail((PRINT_LONGEST, PRINT_LONGEST), Image.Resampling.LANCZOS, reducing_gap=1.0)
    upright = ImageOps.exif_transpose(image)
    if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return upright.convert("RGB")
