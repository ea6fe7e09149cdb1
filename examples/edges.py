"""Edges and shape on a synthetic RGB scene: gray, Sobel x and y, magnitude, orientation,
Laplacian, and the HOG picture (the dominant gradient directions of each 8×8 cell).

Run it after the README's first command (it needs matplotlib, from the bench
extra): ``python examples/edges.py`` writes ``edges.png`` beside you.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from fastnn.image import gradient_magnitude, gradient_orientation, hog, laplace, rgb_to_gray, sobel


def scene(height=240, width=320):
    """An RGB image (a 3-D array, height × width × channel) of a disc, a square and a ramp."""
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[..., 2] = (x * 255 // width).astype(np.uint8)  # blue ramp: a weak, wide edge
    disc = (x - 100) ** 2 + (y - 120) ** 2 < 60**2
    rgb[disc] = (230, 60, 40)
    square = (np.abs(x - 230) < 45) & (np.abs(y - 110) < 45)
    rgb[square] = (40, 200, 90)
    noise = np.random.default_rng(0).integers(-12, 13, rgb.shape)
    return np.clip(rgb + noise, 0, 255).astype(np.uint8)


def main(path="edges.png"):
    rgb = scene()
    gray = rgb_to_gray(rgb)
    magnitude = gradient_magnitude(gray)
    orientation = gradient_orientation(gray)
    features, picture = hog(gray, 9, (8, 8), (2, 2), visualize=True)
    panels = {
        "RGB image": rgb,
        "gray (BT.709)": gray,
        "Sobel x": sobel(gray, axis=-1),
        "Sobel y": sobel(gray, axis=-2),
        "magnitude": magnitude,
        "orientation (strong edges)": np.where(
            magnitude > 0.2 * magnitude.max(), orientation, np.nan
        ),
        "Laplacian": laplace(gray),
        f"HOG picture ({features.size} features)": picture,
    }
    fig, axes = plt.subplots(2, 4, figsize=(14, 6))
    for ax, (title, image) in zip(axes.flat, panels.items(), strict=False):
        cmap = "twilight" if title.startswith("orientation") else "gray"
        ax.imshow(image, cmap=None if image.ndim == 3 else cmap)
        ax.set_title(title)
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
