"""G and D for Figure 2 (b)-(d): faces and CIFAR-10, the paper's architectures scaled down.

Section 5 trains these on TFD and CIFAR-10 with networks far wider than MNIST's
(``paper_facts``; the authors' yaml files):

- TFD (b): G 100 -> 8000 ReLU -> 8000 sigmoid -> 2304 sigmoid; D maxout 1200x5 -> maxout 1200x5.
- CIFAR-10, fully connected (c): G 100 -> 8000 ReLU -> 8000 sigmoid -> 3072 linear;
  D maxout 1600x5 -> maxout 1600x5.
- CIFAR-10, convolutional (d): G 100 -> 8000 ReLU -> 8000 sigmoid, reshaped to 80 x 10 x 10,
  -> transposed convolution 5x5, stride 3, to 3 x 32 x 32; D conv-maxout (32x2, 32x2, 192x2)
  -> maxout 500x5 -> sigmoid.

Here every width is divided by about ten so that one CPU core trains each model in minutes
(:data:`SCALED`). The layer types and the place of the noise are the paper's. What differs:
data are pixels in [0, 1] (no global contrast normalisation); every G ends in a sigmoid with
its bias at the logit of the mean training pixel, as the MNIST G does
(:func:`gan_src.models.mnist_generator`); G's second hidden layer is ReLU (paper: sigmoid;
``second="sigmoid"`` restores it); and G starts from He's initial weights (:func:`_init_he`),
not U(-0.05, 0.05). With the small weights, G gave one image, the mean face, for every z in
two faces runs (sigmoid, 617 epochs; ReLU, 212 epochs); the two changes were made together
and are not separated here. The convolutional D starts from U(-1/sqrt(fan_in), 1/sqrt(fan_in))
(:func:`_init_fan_in`): with U(-0.005, 0.005) it stayed at D(x) = 0.5 and never learned.
The convolutional G (d) alone batch-normalises its two hidden layers and trains with Adam
(``--optimizer adam``), DCGAN's remedies (Radford et al., 2016): without them it collapsed onto
one image (:func:`cifar10_conv_generator`). Like MNIST, z is 100-d uniform noise (the paper's CIFAR-10 models drew Gaussian noise)
(:func:`gan_src.noise.mnist_p_z`), and the unchanged Algorithm 1 (:func:`gan_src.train.train`)
trains them on flattened rows.
"""

from __future__ import annotations

import os

import torch
from torch import Tensor, nn

from .models import Z_DIM, Maxout, count_parameters, mnist_discriminator
from .neighbours import mean_pairwise_distance, nearest

FACES_SIDE = 48             # TFD's faces are 48 x 48; the 64 x 64 Olivetti faces are shrunk to match
FACES_DIM = FACES_SIDE ** 2  # 2,304, TFD's G output
CIFAR_DIM = 3 * 32 * 32     # 3,072

# each model in one line: the paper's networks (the authors' yaml files) and ours
PAPER = {
    "faces": "G 100 -> 8000 ReLU -> 8000 sigmoid -> 2304 sigmoid; D maxout 1200x5 -> maxout 1200x5 -> 1",
    "cifar10": "G 100 -> 8000 ReLU -> 8000 sigmoid -> 3072 linear; D maxout 1600x5 -> maxout 1600x5 -> 1",
    "cifar10_conv": ("G 100 -> 8000 ReLU -> 8000 sigmoid = 80x10x10 -> deconv 5x5/3 -> 3x32x32; "
                     "D conv-maxout 32x2, 32x2, 192x2 -> maxout 500x5 -> 1"),
}
# how the paper trained each model (the authors' yaml files; the number of epochs is not recorded)
PAPER_TRAINING = {
    "faces": "SGD + momentum, lr 0.05, m = 100, on TFD; epochs not recorded",
    "cifar10": "SGD + momentum, lr 0.025, m = 100, on 50,000 images; epochs not recorded",
    "cifar10_conv": "SGD + momentum, lr 0.004, m = 128, on 50,000 images; epochs not recorded",
}
SCALED = {
    "faces": "G 100 -> 800 ReLU -> 800 ReLU -> 2304 sigmoid; D maxout 240x5 -> maxout 240x5 -> 1",
    "cifar10": "G 100 -> 800 ReLU -> 800 ReLU -> 3072 sigmoid; D maxout 240x5 -> maxout 240x5 -> 1",
    "cifar10_conv": ("G 100 -> 800 BN ReLU -> 1600 BN ReLU = 16x10x10 -> deconv 5x5/3 -> 3x32x32 sigmoid; "
                     "D conv-maxout 16x2 /2, 32x2 /2 -> maxout 200x5 -> 1"),
}


def _init_he(module: nn.Module, generator: torch.Generator | None) -> None:
    """G's weights U(-sqrt(6 / fan_in), sqrt(6 / fan_in)) (He et al., 2015), biases zero.

    With the MNIST G's U(-0.05, 0.05) at our widths, the variation due to z shrinks at every
    layer (variance x 0.3), so G starts as one image for every z; our first two faces runs stayed
    there (Figure 2 (b) showed 48 copies of the mean face). He's range keeps the variance of a
    ReLU layer's output at its input's, so that different z give different images from the start.
    """
    for layer in module.modules():
        if isinstance(layer, (nn.Linear, nn.ConvTranspose2d)):
            nn.init.kaiming_uniform_(layer.weight, a=0, nonlinearity="relu", generator=generator)
            nn.init.zeros_(layer.bias)


def _init_fan_in(module: nn.Module, generator: torch.Generator | None) -> None:
    """Weights U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (PyTorch's default range), biases zero: the
    convolutional D's initialisation.

    With pylearn2's U(-0.005, 0.005) the four layers of the conv D each shrink the signal about
    tenfold or more: its logit starts at a spread of 1e-6 over real images and, in our first run, D
    stayed at D(x) = 0.5000 for four epochs (d_loss moved by 2e-6), so G learned nothing. This
    range starts the logit's spread at about 0.02, close to the MNIST D's, and D learns from the
    first epoch.
    """
    for layer in module.modules():
        if isinstance(layer, (nn.Linear, nn.Conv2d)):
            bound = layer.weight[0].numel() ** -0.5
            nn.init.uniform_(layer.weight, -bound, bound, generator=generator)
            nn.init.zeros_(layer.bias)


def _mean_bias(layer: nn.Module, pixel_mean: Tensor | None) -> None:
    """Start G's output at the mean training image: bias = logit(pixel mean), as for MNIST."""
    if pixel_mean is not None:
        with torch.no_grad():
            layer.bias.copy_(torch.logit(pixel_mean.clamp(1e-7, 1 - 1e-7)).view_as(layer.bias))


SECOND = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid}  # G's second hidden layer: ours, the paper's


def mlp_generator(out_dim: int, hidden: int = 800, pixel_mean: Tensor | None = None,
                  generator: torch.Generator | None = None, second: str = "relu") -> nn.Sequential:
    """The paper's TFD / CIFAR-10 fully connected G at width ``hidden`` (paper: 8000):
    z (100) -> hidden ReLU -> hidden ReLU (paper: sigmoid; ``second``) -> ``out_dim`` sigmoid."""
    G = nn.Sequential(
        nn.Linear(Z_DIM, hidden), nn.ReLU(),
        nn.Linear(hidden, hidden), SECOND[second](),
        nn.Linear(hidden, out_dim), nn.Sigmoid(),
    )
    _init_he(G, generator)
    _mean_bias(G[4], pixel_mean)
    return G


def faces_generator(pixel_mean: Tensor | None = None, generator: torch.Generator | None = None) -> nn.Sequential:
    """Figure 2 (b): 100 -> 800 ReLU -> 800 ReLU -> 2304 (48 x 48) sigmoid (2,567,104 parameters)."""
    return mlp_generator(FACES_DIM, pixel_mean=pixel_mean, generator=generator)


def faces_discriminator(generator: torch.Generator | None = None) -> nn.Sequential:
    """Figure 2 (b): the MNIST D, maxout 240x5 -> maxout 240x5 -> 1 (paper: 1200x5), on 48 x 48 faces
    (3,055,441 parameters)."""
    return mnist_discriminator(generator, in_features=FACES_DIM)


def cifar10_generator(pixel_mean: Tensor | None = None, generator: torch.Generator | None = None) -> nn.Sequential:
    """Figure 2 (c): 100 -> 800 ReLU -> 800 ReLU -> 3072 sigmoid (3,182,272 parameters)."""
    return mlp_generator(CIFAR_DIM, pixel_mean=pixel_mean, generator=generator)


def cifar10_discriminator(generator: torch.Generator | None = None) -> nn.Sequential:
    """Figure 2 (c): the MNIST D, maxout 240x5 -> maxout 240x5 -> 1 (paper: 1600x5), on 3,072 pixels
    (3,977,041 parameters)."""
    return mnist_discriminator(generator, in_features=CIFAR_DIM)


class ConvMaxout(nn.Module):
    """A convolutional maxout layer: ``units`` feature maps, each the max over ``pieces`` convolutions,
    then max pooling (the paper's conv-maxout D)."""

    def __init__(self, in_channels: int, units: int, pieces: int, kernel: int = 5, pool: int = 2) -> None:
        super().__init__()
        self.units, self.pieces = units, pieces
        self.conv = nn.Conv2d(in_channels, units * pieces, kernel, padding=kernel // 2)
        self.pool = nn.MaxPool2d(pool)

    def forward(self, x: Tensor) -> Tensor:
        h = self.conv(x)
        h = h.view(len(h), self.units, self.pieces, *h.shape[2:]).amax(dim=2)
        return self.pool(h)


class Rows(nn.Module):
    """Reshape flat rows to images (``shape``) or images back to rows, so that convolutional nets
    take and give the flat rows that Algorithm 1 (:func:`gan_src.train.train`) works with."""

    def __init__(self, shape: tuple[int, ...] | None = None) -> None:
        super().__init__()
        self.shape = shape

    def forward(self, x: Tensor) -> Tensor:
        return x.reshape(len(x), *self.shape) if self.shape else x.reshape(len(x), -1)


def cifar10_conv_generator(pixel_mean: Tensor | None = None, generator: torch.Generator | None = None,
                           hidden: int = 800, channels: int = 16) -> nn.Sequential:
    """Figure 2 (d), the "deconvolutional" G: 100 -> 800 ReLU -> 1600 ReLU (paper: sigmoid), read as 16 x 10 x 10,
    -> transposed convolution 5x5, stride 3 ((10 - 1) * 3 + 5 = 32) to 3 x 32 x 32 -> sigmoid
    (1,368,403 parameters). The output bias is one per channel: the logit of the channel's mean pixel.

    Both hidden layers are batch-normalised (Ioffe and Szegedy, 2015), as in DCGAN's G (Radford et
    al., 2016); the paper's G has no normalisation, and this G trains with Adam
    (:func:`gan_src.optim.make_optimizer`). Without the two, G collapsed: with the paper's SGD and
    momentum (lr 0.005, 30 epochs; lr 0.02, 16 epochs) and with Adam alone (10 epochs) it drew nearly
    one image for every z; with the paper's U(-0.05, 0.05) on the transposed convolution, one
    checkerboard or grey image. Batch normalisation keeps every hidden unit varying with z
    (zero mean, unit spread over each minibatch), so that the z-independent part of the output
    cannot take over."""
    G = nn.Sequential(
        nn.Linear(Z_DIM, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
        nn.Linear(hidden, channels * 100), nn.BatchNorm1d(channels * 100), nn.ReLU(),
        Rows((channels, 10, 10)),
        nn.ConvTranspose2d(channels, 3, kernel_size=5, stride=3),
        nn.Sigmoid(), Rows(),
    )
    _init_he(G, generator)
    if pixel_mean is not None:
        _mean_bias(G[7], pixel_mean.view(3, -1).mean(1))
    return G


def cifar10_conv_discriminator(generator: torch.Generator | None = None) -> nn.Sequential:
    """Figure 2 (d), the convolutional D: conv-maxout 16 maps x 2 pieces (5x5, pool 2) -> conv-maxout
    32 x 2 (5x5, pool 2) -> maxout 200x5 on 32 x 8 x 8 -> 1 logit, dropout on every layer's input
    (2,077,297 parameters); weights U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (:func:`_init_fan_in`)."""
    D = nn.Sequential(
        Rows((3, 32, 32)),
        nn.Dropout(0.2), ConvMaxout(3, 16, 2),
        nn.Dropout(0.5), ConvMaxout(16, 32, 2),
        Rows(),
        nn.Dropout(0.5), Maxout(32 * 8 * 8, 200, 5),
        nn.Dropout(0.5), nn.Linear(200, 1),
        nn.Flatten(0),
    )
    _init_fan_in(D, generator)
    return D


# name -> (G builder, D builder); the command line and gan_src.pretrained look models up here
NETWORKS = {
    "faces": (faces_generator, faces_discriminator),
    "cifar10": (cifar10_generator, cifar10_discriminator),
    "cifar10_conv": (cifar10_conv_generator, cifar10_conv_discriminator),
}


def training_data(name: str, root: str | os.PathLike | None = None, full_cifar10: bool | None = False) -> Tensor:
    """The training rows of model ``name``: the 400 Olivetti faces at 48 x 48 and their 400 mirror
    images (800 rows), or the CIFAR-10 training images (the offline subset unless ``full_cifar10``;
    ``None``: the subset where it is on disk, else the full set, as :func:`gan_src.data.load_cifar10`)."""
    from .data import load_cifar10, load_olivetti

    if name == "faces":
        # a face's mirror image is a face: it doubles 400 images cheaply, and 8 steps of m = 100 make an epoch
        faces = load_olivetti(root, side=FACES_SIDE)
        mirrored = faces.view(-1, FACES_SIDE, FACES_SIDE).flip(-1).reshape(len(faces), -1)
        return torch.cat([faces, mirrored])
    return load_cifar10(root, full=full_cifar10).train


# --- the chapter's table and numbers ------------------------------------------

PANEL = {"faces": "(b)", "cifar10": "(c)", "cifar10_conv": "(d)"}  # each model's panel of Figure 2
OPTIMISERS = {"momentum": "SGD + momentum", "adam": "Adam"}


def comparison_rows(name: str, record: dict) -> list[list[str]]:
    """Model ``name``'s rows of the chapter's table, paper against ours: its G and its D (with our
    parameter counts), and how each was trained (ours from ``record``, the shipped model's provenance)."""
    G, D = (make() for make in NETWORKS[name])
    paper, ours = PAPER[name].split("; "), SCALED[name].split("; ")
    cfg, panel = record["config"], PANEL[name]

    def net(text: str) -> str:  # 'G 100 -> 800 ReLU' as '100 → 800 ReLU' (the row says which net)
        return text[2:].replace(" -> ", " → ")

    return [
        [f"{panel} G", net(paper[0]), f"{net(ours[0])} ({count_parameters(G):,} parameters)"],
        [f"{panel} D", net(paper[1]), f"{net(ours[1])} ({count_parameters(D):,} parameters)"],
        [f"{panel} training", PAPER_TRAINING[name],
         f"{OPTIMISERS[cfg.get('optimizer', 'momentum')]}, lr {cfg['lr']}, m = {cfg['m']}, on "
         f"{record['images']:,} images; {record['epochs']:,} epochs ({record['steps']:,} steps), seed "
         f"{record['seed']}, {record['train_seconds'] / 60:.0f} min on one CPU core"],
    ]


def memorisation(x: Tensor, train: Tensor, dist: Tensor, device: str | torch.device = "cpu") -> dict:
    """What Figure 2's framed column measures, for samples ``x`` of G and its training rows ``train``:
    ``dist``, each row's squared L2 distance to its nearest training image (as
    :func:`gan_src.plotting.nearest_neighbour_panel` returns it); for scale, the mean distance from the
    even training rows to the nearest odd one (a face and its mirror image, rows i and i + 400, are
    never split apart), on ``device``; and the variety of the samples and of the training rows
    (:func:`gan_src.neighbours.mean_pairwise_distance`; 0 for a collapsed G)."""
    even, odd = train[::2].to(device), train[1::2].to(device)
    scale = nearest(even, odd)[1].mean().item()
    return {"dist": dist.tolist(), "scale": scale,
            "variety": (mean_pairwise_distance(x), mean_pairwise_distance(train))}


def memorisation_report(stats: dict) -> str:
    """:func:`memorisation`'s numbers as the chapter prints them, rounded: any CPU prints the same."""
    return "\n".join([
        "squared L2 distance, sample -> nearest training image, by row:",
        "  " + ", ".join(f"{v:.1f}" for v in stats["dist"]),
        "for scale: training image (even rows) -> nearest other",
        f"  training image (odd rows), on average {stats['scale']:.1f}",
        "variety: mean squared L2 distance between two images (0 for a collapsed G)",
        f"  samples {stats['variety'][0]:.1f}, training images {stats['variety'][1]:.1f}",
    ])


def varied_from(epochs: list[int], variety: list[float], training: float) -> int | None:
    """The first epoch from which every snapshot's samples are more varied than the training images
    (``variety`` above ``training``): where a G that started collapsed has stopped being so. None when
    the last snapshot is not."""
    below = [i for i, v in enumerate(variety) if v <= training]
    if not below:
        return epochs[0]
    return epochs[below[-1] + 1] if below[-1] + 1 < len(epochs) else None

