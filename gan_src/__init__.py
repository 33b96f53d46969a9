"""gan_src: the code behind gan-book, an executable companion to
Goodfellow et al., *Generative Adversarial Nets* (NeurIPS 2014, arXiv:1406.2661).

Modules, one idea each:

- :mod:`gan_src.data`     -- MNIST with the paper's splits, Olivetti faces and CIFAR-10, and the toy 1-D / 2-D distributions
- :mod:`gan_src.models`   -- G and D: the paper's MNIST networks and small MLPs
- :mod:`gan_src.losses`   -- the value function V(D, G) (Eq. 1) and the two generator objectives
- :mod:`gan_src.optim`    -- SGD with classical momentum and the paper's schedules
- :mod:`gan_src.train`    -- Algorithm 1 (and the authors' simultaneous variant)
- :mod:`gan_src.checkpoint` -- saving and resuming a run exactly; files written whole or not at all
- :mod:`gan_src.run_folder` -- a run's folder: checked before any compute, locked while a run writes to it
- :mod:`gan_src.experiments` -- the paper's experiments in one place: data, G, D, p_z, settings
- :mod:`gan_src.snapshots` -- a run's G snapshots and the curve of their Parzen scores
- :mod:`gan_src.plotting` -- sample grids, and Figure 2's framed nearest-neighbour column
- :mod:`gan_src.figure2`  -- Figure 2 (b)-(d): the paper's face and CIFAR-10 networks, scaled down
- :mod:`gan_src.conditional` -- Section 7, extension 1: a class-conditional GAN p(x | c)
- :mod:`gan_src.semi_supervised` -- Section 7, extension 4: classifiers on D's features
- :mod:`gan_src.cli`      -- ``python -m gan_src ...``
"""

__version__ = "0.1.0"
