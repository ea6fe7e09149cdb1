"""Benchmark workloads of :mod:`fastnn.image` (gathered in :mod:`fastnn.bench.workloads`)."""

import numpy as np

from fastnn.bench.workload import Workload


def _image(shape, dtype):
    def make(rng, quick):
        size = shape[1] if quick else shape[0]
        if np.dtype(dtype).kind == "u":
            return {"image": rng.integers(0, 256, size, dtype=dtype)}
        return {"image": rng.random(size, dtype=dtype)}

    return make


def _cv2():
    import cv2

    return cv2


def _torch():
    import torch

    return torch


def _sobel_fastnn(inputs):
    from fastnn.image import gradient_magnitude

    image = inputs["image"]
    return lambda: gradient_magnitude(image)


def _sobel_numpy(inputs):
    from fastnn.image import reference

    image = inputs["image"]
    return lambda: reference.gradient_magnitude(image)


def _sobel_scipy(inputs):
    from scipy import ndimage

    image = inputs["image"]
    return lambda: np.hypot(ndimage.sobel(image, -1), ndimage.sobel(image, -2))


def _sobel_opencv(inputs):
    cv2 = _cv2()
    image = inputs["image"]
    border = cv2.BORDER_REFLECT  # scipy's "reflect"

    def run():
        gx = cv2.Sobel(image, cv2.CV_32F, 1, 0, ksize=3, borderType=border)
        gy = cv2.Sobel(image, cv2.CV_32F, 0, 1, ksize=3, borderType=border)
        return cv2.magnitude(gx, gy)

    return run


def _sobel_skimage(inputs):
    from skimage.filters import sobel

    image = inputs["image"]
    # skimage normalises its kernels (÷4) and the magnitude (÷√2): same job, other scale.
    return lambda: sobel(image, mode="reflect")


def _sobel_torch(inputs):
    torch = _torch()
    import torch.nn.functional as F

    image = torch.from_numpy(inputs["image"])[None, None]
    kx = torch.tensor([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    weight = torch.stack([kx, kx.T])[:, None]

    def run():
        with torch.no_grad():
            g = F.conv2d(F.pad(image, (1, 1, 1, 1), mode="replicate"), weight)
            return torch.hypot(g[0, 0], g[0, 1])

    return run


def _copy_floor(inputs):
    from fastnn.bench._floor import parallel_copy

    image = inputs["image"]
    out = np.empty_like(image)
    return lambda: parallel_copy(image, out)


def _correlate_inputs(rng, quick):
    n, size = (8, 128) if quick else (64, 256)
    return {
        "images": rng.random((n, size, size), dtype=np.float32),
        "kernel": rng.standard_normal((5, 5)),
    }


def _correlate_fastnn(inputs):
    from fastnn.image import correlate2d

    images, kernel = inputs["images"], inputs["kernel"]
    return lambda: correlate2d(images, kernel)


def _correlate_numpy(inputs):
    from fastnn.image import reference

    images, kernel = inputs["images"], inputs["kernel"]
    return lambda: reference.correlate2d(images, kernel)


def _correlate_scipy(inputs):
    from scipy import ndimage

    images, kernel = inputs["images"], inputs["kernel"][None]  # a 1×5×5 kernel: per image
    return lambda: ndimage.correlate(images, kernel)


def _correlate_opencv(inputs):
    cv2 = _cv2()
    images, kernel = inputs["images"], inputs["kernel"].astype(np.float32)
    out = np.empty_like(images)

    def run():
        for image, dst in zip(images, out, strict=True):
            cv2.filter2D(image, -1, kernel, dst=dst, borderType=cv2.BORDER_REFLECT)
        return out

    return run


def _correlate_torch(inputs):
    torch = _torch()
    import torch.nn.functional as F

    images = torch.from_numpy(inputs["images"])[:, None]
    weight = torch.from_numpy(inputs["kernel"].astype(np.float32))[None, None]

    def run():
        with torch.no_grad():
            return F.conv2d(F.pad(images, (2, 2, 2, 2), mode="replicate"), weight)[:, 0]

    return run


def _laplace_fastnn(inputs):
    from fastnn.image import laplace

    image = inputs["image"]
    return lambda: laplace(image)


def _laplace_numpy(inputs):
    from fastnn.image import reference

    image = inputs["image"]
    return lambda: reference.laplace(image)


def _laplace_scipy(inputs):
    from scipy import ndimage

    image = inputs["image"]
    return lambda: ndimage.laplace(image, output=np.float32)  # uint8 output would wrap


def _laplace_opencv(inputs):
    cv2 = _cv2()
    image = inputs["image"]
    return lambda: cv2.Laplacian(image, cv2.CV_32F, ksize=1, borderType=cv2.BORDER_REFLECT)


def _laplace_torch(inputs):
    torch = _torch()
    import torch.nn.functional as F

    image = torch.from_numpy(inputs["image"])[None, None]
    weight = torch.tensor([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]])[None, None]

    def run():
        with torch.no_grad():
            return F.conv2d(F.pad(image.float(), (1, 1, 1, 1), mode="replicate"), weight)[0, 0]

    return run


def _rgb_batch(rng, quick):
    n, size = (8, 128) if quick else (64, 256)
    return {"images": rng.integers(0, 256, (n, size, size, 3), dtype=np.uint8)}


def _histogram_setup(module, bins, joint):
    def setup(inputs):
        import importlib

        color_histogram = importlib.import_module(module).color_histogram
        images = inputs["images"]
        return lambda: color_histogram(images, bins, joint=joint)

    return setup


def _histogram_opencv_channel(inputs):
    cv2 = _cv2()
    images = inputs["images"]
    out = np.empty((len(images), 3, 256), np.float32)

    def run():
        for image, counts in zip(images, out, strict=True):
            for c in range(3):
                counts[c] = cv2.calcHist([image], [c], None, [256], [0, 256]).reshape(-1)
        return out

    return run


def _histogram_opencv_joint(inputs):
    cv2 = _cv2()
    images = inputs["images"]
    out = np.empty((len(images), 8, 8, 8), np.float32)

    def run():
        for image, counts in zip(images, out, strict=True):
            joint = cv2.calcHist([image], [0, 1, 2], None, [8] * 3, [0, 256] * 3)
            counts[...] = joint.reshape(8, 8, 8)
        return out

    return run


def _histogram_np_histogram(inputs):
    images = inputs["images"]

    def run():
        return [
            [np.histogram(im[..., c], 256, range=(0, 256))[0] for c in range(3)] for im in images
        ]

    return run


def _histogram_np_histogramdd(inputs):
    images = inputs["images"]

    def run():
        return [np.histogramdd(im.reshape(-1, 3), 8, range=[(0, 256)] * 3)[0] for im in images]

    return run


def _hog_inputs(rng, quick):
    n = 50 if quick else 500
    return {"images": rng.integers(0, 256, (n, 128, 64), dtype=np.uint8)}


_HOG_ARGS = dict(
    orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2), block_norm="L2-Hys"
)


def _hog_setup(module):
    def setup(inputs):
        import importlib

        hog = importlib.import_module(module).hog
        images = inputs["images"]
        return lambda: hog(images, **_HOG_ARGS)

    return setup


def _hog_skimage(inputs):
    from skimage.feature import hog

    images = inputs["images"]
    return lambda: np.stack([hog(image, **_HOG_ARGS) for image in images])


def _hog_opencv(inputs):
    cv2 = _cv2()
    # The same window, cells, blocks and bins; OpenCV's own gradient, interpolation
    # and Gaussian block weights (see fastnn.image.hog's Notes): same job, other numbers.
    descriptor = cv2.HOGDescriptor((64, 128), (16, 16), (8, 8), (8, 8), 9)
    images = inputs["images"]
    return lambda: np.stack([descriptor.compute(image) for image in images])


def _hog_peers():
    peers = {"skimage": _hog_skimage}
    try:  # OpenCV 5 dropped HOGDescriptor: a peer only where the class exists
        import cv2
    except ImportError:
        return peers
    if hasattr(cv2, "HOGDescriptor"):
        peers["opencv"] = _hog_opencv
    return peers


WORKLOADS = [
    Workload(
        name="sobel_magnitude",
        description="Sobel gradient magnitude hypot(gx, gy), 2048×2048 float32 (quick: 512×512)",
        make_inputs=_image(((2048, 2048), (512, 512)), np.float32),
        fastnn=_sobel_fastnn,
        numpy=_sobel_numpy,
        peers={
            "scipy": _sobel_scipy,
            "opencv": _sobel_opencv,
            "skimage": _sobel_skimage,
            "torch": _sobel_torch,
        },
        floor=_copy_floor,
    ),
    Workload(
        name="correlate5x5_batch64",
        description="5×5 correlation of 64 float32 images of 256×256 (quick: 8 of 128×128)",
        make_inputs=_correlate_inputs,
        fastnn=_correlate_fastnn,
        numpy=_correlate_numpy,
        peers={"scipy": _correlate_scipy, "opencv": _correlate_opencv, "torch": _correlate_torch},
        rtol=1e-4,  # 25 float32 taps summed in different orders
    ),
    Workload(
        name="laplace_uint8",
        description="Laplacian of a 2048×2048 uint8 image to float32 (quick: 512×512)",
        make_inputs=_image(((2048, 2048), (512, 512)), np.uint8),
        fastnn=_laplace_fastnn,
        numpy=_laplace_numpy,
        peers={"scipy": _laplace_scipy, "opencv": _laplace_opencv, "torch": _laplace_torch},
        rtol=0.0,  # integers in float32: exact
    ),
    Workload(
        name="color_hist_channel",
        description="per-channel 256-bin histograms of 64 RGB uint8 images of 256×256 "
        "(quick: 8 of 128×128)",
        make_inputs=_rgb_batch,
        fastnn=_histogram_setup("fastnn.image", 256, False),
        numpy=_histogram_setup("fastnn.image.reference", 256, False),
        peers={"opencv": _histogram_opencv_channel, "np.histogram": _histogram_np_histogram},
        rtol=0.0,  # counts: exact
    ),
    Workload(
        name="color_hist_joint",
        description="joint 8×8×8 RGB histograms of 64 uint8 images of 256×256 "
        "(quick: 8 of 128×128)",
        make_inputs=_rgb_batch,
        fastnn=_histogram_setup("fastnn.image", 8, True),
        numpy=_histogram_setup("fastnn.image.reference", 8, True),
        peers={"opencv": _histogram_opencv_joint, "np.histogramdd": _histogram_np_histogramdd},
        rtol=0.0,
    ),
    Workload(
        name="hog_batch",
        description="HOG (9 bins, 8×8 cells, 2×2 blocks, L2-Hys) of 500 uint8 images of "
        "128×64 (quick: 50)",
        make_inputs=_hog_inputs,
        fastnn=_hog_setup("fastnn.image"),
        numpy=_hog_setup("fastnn.image.reference"),
        peers=_hog_peers(),
        rtol=1e-6,  # the twin sums cells in float64, skimage and fastnn in float32
    ),
]
