"""Writes the PNG fixtures of PNGImageTests with Pillow: 3x2 images in every colour type.

Pixel (x, y): red 40x + 10y, green 200 - 30x, blue 7y, alpha 255 - 50x. Run from this folder:
    python3 make_png_fixtures.py
"""
from PIL import Image

W, H = 3, 2
rgba = Image.new("RGBA", (W, H))
for y in range(H):
    for x in range(W):
        rgba.putpixel((x, y), (40 * x + 10 * y, 200 - 30 * x, 7 * y, 255 - 50 * x))
rgba.save("rgba.png")
rgba.convert("RGB").save("rgb.png")
gray = Image.new("L", (W, H))
for y in range(H):
    for x in range(W):
        gray.putpixel((x, y), 40 * x + 10 * y)
gray.save("gray.png")
palette = rgba.convert("RGB").quantize(colors=6, method=Image.Quantize.MAXCOVERAGE)
assert list(palette.convert("RGB").getdata()) == list(rgba.convert("RGB").getdata()), "palette lost colours"
palette.save("palette.png")
