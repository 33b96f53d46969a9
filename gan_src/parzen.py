"""The Parzen-window log-likelihood of Section 5 and Table 1, by the authors' protocol.

"We estimate probability of the test set data under p_g by fitting a Gaussian Parzen
window to the samples generated with G and reporting the log-likelihood under this
distribution. The sigma parameter of the Gaussians was obtained by cross validation on
the validation set." (Section 5.) The authors' ``parzen_ll.py`` fixes the details:

- centres mu_j: 10,000 samples of G; one Gaussian kernel, one sigma for all d = 784 pixels:
  log p(x) = logmeanexp_j(-||x - mu_j||^2 / (2 sigma^2)) - d log(sigma sqrt(2 pi));
- sigma from ``logspace(-1, 0, 10)``, chosen by the mean log-likelihood of the first
  1,000 validation images (training rows 50,000-50,999);
- Table 1's figure: the mean over the 10,000 test images, ± its standard error std / sqrt(N).

The same estimator scores any set of centres: real training images or k-means centres
(:mod:`gan_src.kmeans`) give the ceilings of Theis et al. (2016).

Numerics. The squared distances come from the expansion ||x||^2 - 2 x.mu + ||mu||^2, whose
cross term is one matmul per batch. Before expanding, x and mu are shifted by the mean of
the centres in float64 (distances do not change; the norms that cancel become smaller);
the norms are float64, the matmul and the kernel values are float32 by default, the nearest
distance of each point is clamped at 0 and added back in float64, and every logarithm and
mean is taken in float64. ``tests/test_parzen.py`` and
``benchmarks/parzen.py`` show that the float32 matmul moves the reported mean by far
less than its last printed digit. A batch's distances, and their row maxima for the
logsumexp, are computed once and reused for all sigmas.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from .models import mnist_p_z

# parzen_ll.py: "sigma_range = numpy.logspace(-1., 0, num=10)"
SIGMAS: tuple[float, ...] = tuple(torch.logspace(-1, 0, 10, dtype=torch.float64).tolist())
N_CENTRES = 10_000   # samples of G used as kernel centres
N_VALID = 1_000      # validation images that choose sigma
PAPER_MNIST = (225.0, 2.0)  # Table 1, "Adversarial nets", MNIST: 225 ± 2 nats
# The authors' training-time channel valid_gen_ll (``monitor_ll: 1`` in mnist.yaml; the Generator's
# ``ll_n_samples = 100, ll_sigma = 0.2`` in adversarial/__init__.py), on pylearn2's monitoring batches
# of 100 validation images (the SGD batch size), each scored against its own fresh samples of G.
MONITOR_SIGMA = 0.2
MONITOR_SAMPLES = 100
MONITOR_BATCH = 100


@dataclass(frozen=True)
class ParzenResult:
    """One run of the protocol: the chosen sigma, the validation curve, and Table 1's figure."""

    sigma: float                 # argmax of ``curve``
    sigmas: tuple[float, ...]    # the candidates (``SIGMAS``)
    curve: tuple[float, ...]     # mean validation log-likelihood at each candidate, nats
    mean: float                  # mean test log-likelihood at ``sigma``, nats
    se: float                    # its standard error, std / sqrt(N)
    n_test: int

    def __str__(self) -> str:
        return f"LL = {self.mean:.2f} ± {self.se:.2f} nats (sigma = {self.sigma:.4f}, {self.n_test} test images)"


@torch.no_grad()
def parzen_log_likelihood(
    x: Tensor,
    centres: Tensor,
    sigma: float | Sequence[float] | Tensor,
    batch_size: int = 1_000,
    dtype: torch.dtype = torch.float32,
) -> Tensor:
    """log p(x) under the Parzen window with Gaussian kernels at ``centres`` (Section 5, Table 1).

    log p(x) = logmeanexp_j(-||x - mu_j||^2 / (2 sigma^2)) - d log(sigma sqrt(2 pi)).

    ``sigma`` is one bandwidth (returns shape (N,)) or several (returns (N, S)): the
    distances of a batch are computed once and reused for every sigma. The result is
    float64. ``dtype`` is that of the distances and kernel values (the cross-term matmul, the
    element-wise work on the N x len(centres) matrix and each row's sum of kernels, all <= 1
    after division by the nearest one's); norms, shift, nearest distances, logarithms and means
    are float64 whatever it is. ``dtype=torch.float64`` makes every step float64.
    """
    single = isinstance(sigma, (int, float)) or (isinstance(sigma, Tensor) and sigma.dim() == 0)
    sigmas = torch.as_tensor(sigma, dtype=torch.float64).reshape(-1).cpu()
    if (sigmas <= 0).any():
        raise ValueError(f"sigma must be positive, got {sigmas.tolist()}")
    x64, mu64 = x.reshape(len(x), -1).double(), centres.reshape(len(centres), -1).double()
    if x64.shape[1] != mu64.shape[1]:
        raise ValueError(f"x has {x64.shape[1]} dimensions but the centres have {mu64.shape[1]}")
    d = x64.shape[1]
    shift = mu64.mean(0)  # distances are shift-invariant; the cancelling norms shrink
    mu64 = mu64 - shift
    mu = mu64.to(dtype)
    minus_mu_sq = (-mu64.pow(2).sum(1)).to(dtype)
    log_norm = (math.log(len(mu64)) + d * torch.log(sigmas * math.sqrt(2 * math.pi))).to(x64.device)  # (S,)
    floor = math.log(torch.finfo(dtype).tiny) + 1  # exp(floor) = e x the smallest normal float
    out = []
    for xb in (x64 - shift).split(batch_size):
        x_sq = xb.pow(2).sum(1, keepdim=True)  # float64
        # -||x - mu||^2 + ||x||^2 = 2 x.mu - ||mu||^2: one fused matmul per batch; ||x||^2 is added back
        # in float64 below, through the row maximum, so the large norms never meet in low precision
        neg = torch.addmm(minus_mu_sq, xb.to(dtype), mu.T, alpha=2)
        # logsumexp with the row maximum (the nearest centre) taken once for all sigmas:
        # log sum_j exp(-d_j a) = -d_min a + log sum_j exp(-(d_j - d_min) a), a = 1 / (2 sigma^2)
        top = neg.amax(1, keepdim=True)
        neg.sub_(top)
        top = (top.double() - x_sq).clamp_max_(0)  # -d_min, float64; a distance is never negative
        # exponents below log(smallest normal float) + 1 are raised to that: exp would return subnormal
        # floats there, which x86 handles about four times slower; each such kernel is < 4e-38 of the
        # nearest one's (float32), so the sum of 10,000 moves by less than 1e-33 of itself
        lse = torch.stack([torch.mul(neg, a).clamp_min_(floor).exp_().sum(1).double().log_() + top[:, 0] * a
                           for a in (0.5 / sigmas.pow(2)).tolist()], dim=1)
        out.append(lse - log_norm)
    ll = torch.cat(out)
    return ll[:, 0] if single else ll


def select_sigma(
    valid: Tensor, centres: Tensor, sigmas: Sequence[float] = SIGMAS, batch_size: int = 1_000,
) -> tuple[float, Tensor]:
    """Cross-validate sigma (Section 5): the candidate with the highest mean validation log-likelihood.

    Returns (best sigma, the curve of mean log-likelihoods, float64, one per candidate).
    """
    curve = parzen_log_likelihood(valid, centres, list(sigmas), batch_size).mean(0)
    return float(sigmas[int(curve.argmax())]), curve


def normaliser(sigma: float, d: int = 784) -> float:
    """-d log(sigma sqrt(2 pi)): the part of every log p(x) set by sigma alone, whatever the data."""
    return -d * math.log(sigma * math.sqrt(2 * math.pi))


def mean_and_se(ll: Tensor) -> tuple[float, float]:
    """Table 1's "mean ± standard error": mean and std / sqrt(N), the std over N as in ``parzen_ll.py``
    (numpy's ``std()``, ddof = 0)."""
    ll = ll.double()
    return float(ll.mean()), float(ll.std(correction=0) / math.sqrt(len(ll)))


def evaluate(
    centres: Tensor, valid: Tensor, test: Tensor, sigmas: Sequence[float] = SIGMAS, batch_size: int = 1_000,
) -> ParzenResult:
    """The whole protocol of ``parzen_ll.py``: sigma chosen on ``valid``, reported on ``test``.

    Pass ``valid = splits.valid[:N_VALID]`` and ``test = splits.test`` for Table 1.
    """
    sigma, curve = select_sigma(valid, centres, sigmas, batch_size)
    mean, se = mean_and_se(parzen_log_likelihood(test, centres, sigma, batch_size))
    return ParzenResult(sigma=sigma, sigmas=tuple(float(s) for s in sigmas), curve=tuple(curve.tolist()),
                        mean=mean, se=se, n_test=len(test))


@torch.no_grad()
def generator_centres(G: nn.Module, n: int = N_CENTRES, seed: int = 0, batch_size: int = 2_000) -> Tensor:
    """n samples x = G(z), z ~ p_z (uniform, ``mnist.yaml``), from a fixed seed: the kernel centres.

    The same z as ``plotting.sample(G, mnist_p_z, n, seed)``, evaluated in batches; G is put in eval mode.
    """
    z = mnist_p_z(n, torch.Generator().manual_seed(seed))  # one draw: centres do not depend on batch_size
    G.eval()
    device = next(G.parameters()).device
    return torch.cat([G(zb.to(device)).float().cpu() for zb in z.split(batch_size)])


@torch.no_grad()
def monitor_ll(
    G: nn.Module, valid: Tensor, seed: int = 0, n_samples: int = MONITOR_SAMPLES,
    sigma: float = MONITOR_SIGMA, batch_size: int = MONITOR_BATCH,
) -> float:
    """The authors' monitored ``valid_gen_ll``: a cheap Parzen LL that their training printed every epoch.

    Each batch of ``batch_size`` validation images is scored against its own ``n_samples`` fresh samples
    of G (no dropout) with sigma fixed at 0.2, and the channel is the mean over all images, as
    pylearn2's monitor averages a channel over its batches. With 100 centres it sits far below the
    protocol's 10,000-centre estimate, but it ranks snapshots: an earlier configuration of theirs
    stopped training on it (``reboot_early.yaml`` in goodfeli/galatea), so it is one way the authors
    could have picked an epoch.
    """
    batches = valid.split(batch_size)
    z = mnist_p_z(len(batches) * n_samples, torch.Generator().manual_seed(seed))
    G.eval()
    device = next(G.parameters()).device
    lls = [parzen_log_likelihood(xb, G(zb.to(device)).float().cpu(), sigma)
           for xb, zb in zip(batches, z.split(n_samples))]
    return float(torch.cat(lls).mean())
