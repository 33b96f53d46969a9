"""Data: MNIST with the authors' splits (Section 5), the Olivetti faces (a public stand-in for TFD)
and CIFAR-10 for Figure 2 (b)-(d), and the toy distributions of the theory chapters (Figure 1's 1-D
setting, 2-D Gaussian mixtures). One module per data set; every name is importable from here.

- :mod:`gan_src.data.root`    -- where the files live (``root``, ``$GAN_SRC_DATA``, a cache) and the two errors
- :mod:`gan_src.data.mnist`   -- MNIST through torchvision, checked against the published files
- :mod:`gan_src.data.faces`   -- the Olivetti faces, fetched once with scikit-learn
- :mod:`gan_src.data.cifar10` -- CIFAR-10: the offline prefix subset, or the full set through torchvision
- :mod:`gan_src.data.toy`     -- Figure 1's Gaussian and the 2-D Gaussian mixtures

torchvision downloads MNIST (and, on request, the full CIFAR-10) into the data root when the files are
missing and the network is reachable; a download that fails leaves nothing behind. The noise priors
p_z live in :mod:`gan_src.noise`.
"""

from ..noise import uniform_noise  # noqa: F401  (p_z lives in gan_src.noise; older imports find it here)
from .cifar10 import (CIFAR10, CIFAR_BATCH, CIFAR_SUBSET_FILE, CIFAR_SUBSET_PER_BATCH, CIFAR_SUBSET_TEST,  # noqa: F401
                      CIFAR_TRAIN_ROWS, cifar10_subset_on_disk, cifar10_subset_positions, load_cifar10)
from .faces import OLIVETTI_FILE, fetch_olivetti, load_olivetti  # noqa: F401
from .mnist import MNIST_FILES, MNIST_TRAIN_ROWS, MNISTSplits, check_mnist_files, load_mnist  # noqa: F401
from .root import ENV_VAR, DataCorruptError, DataNotFoundError, data_root  # noqa: F401
from .toy import gaussian_1d, gaussian_mixture, grid_modes, ring_modes  # noqa: F401
