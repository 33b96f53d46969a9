"""gan_src: the code behind gan-book, an executable companion to
Goodfellow et al., *Generative Adversarial Nets* (NeurIPS 2014, arXiv:1406.2661).

Modules, one idea each. The paper's pieces:

- :mod:`gan_src.data`       -- MNIST with the paper's splits, Olivetti faces, CIFAR-10, the toy 1-D / 2-D distributions
  (``data.root``, ``data.mnist``, ``data.faces``, ``data.cifar10``, ``data.toy``)
- :mod:`gan_src.noise`      -- p_z, the prior on input noise variables: every prior of the book and their type
- :mod:`gan_src.models`     -- G and D: the paper's MNIST networks and small MLPs
- :mod:`gan_src.losses`     -- the value function V(D, G) (Eq. 1) and the two generator objectives
- :mod:`gan_src.optim`      -- SGD with classical momentum and the paper's schedules
- :mod:`gan_src.train`      -- Algorithm 1 (and the authors' simultaneous variant): ``train_epoch``, one screen
- :mod:`gan_src.theory`     -- Section 4 on tabulated 1-D densities: D* (Proposition 1), C(G), Proposition 2
- :mod:`gan_src.divergences` -- KL and Jensen-Shannon divergences behind Theorem 1
- :mod:`gan_src.smoothing`  -- Section 2: back-propagating through noise, grad E f(x + eps) -> grad f(x)
- :mod:`gan_src.parzen`     -- the Parzen-window log-likelihood of Table 1, by the authors' protocol
- :mod:`gan_src.kmeans`     -- k-means centres for a Parzen ceiling
- :mod:`gan_src.neighbours` -- nearest training examples (Figure 2's rightmost column) and sample variety
- :mod:`gan_src.interpolation` -- Figure 3: walks in z space
- :mod:`gan_src.figure1`    -- Figure 1 drawn from a real run of the 1-D GAN
- :mod:`gan_src.figure2`    -- Figure 2 (b)-(d): the paper's face and CIFAR-10 networks, scaled down
- :mod:`gan_src.toy1d`      -- a 1-D GAN in Figure 1's setting, recorded as it learns
- :mod:`gan_src.toy2d`      -- GANs on 2-D Gaussian mixtures, Section 6's "Helvetica scenario"
- :mod:`gan_src.modes`      -- mode coverage on those mixtures
- :mod:`gan_src.langevin`   -- Langevin dynamics from a score: the Markov chain a GAN does without (Section 6)
- :mod:`gan_src.conditional` -- Section 7, extension 1: a class-conditional GAN p(x | c)
- :mod:`gan_src.inference`  -- Section 7, extension 2: an inference net that predicts z given x
- :mod:`gan_src.semi_supervised` -- Section 7, extension 4: classifiers on D's features

Runs, results and shipped models:

- :mod:`gan_src.experiments` -- the paper's experiments in one place: data, G, D, p_z, settings
- :mod:`gan_src.run_folder` -- a run on disk: its files and their names, saving an epoch, reading G back, the lock
- :mod:`gan_src.checkpoint` -- the file format: written whole or not at all, a digest checked on load
- :mod:`gan_src.snapshots`  -- scoring a run's G snapshots and choosing one by validation (Table 1's curve)
- :mod:`gan_src.table1`     -- Table 1 in the book: its setting and rows, and reading that curve (rules, plateau, verdicts)
- :mod:`gan_src.section6`   -- Section 6 in the book: mode coverage beside published results, the k / lr sweep, Parzen on the ring
- :mod:`gan_src.pretrained` -- the shipped generators, their provenance, and export
- :mod:`gan_src.shipping`   -- a trained run shipped as a pretrained model, in one function
- :mod:`gan_src.results`    -- results that are not models (Parzen ceilings, seeds, update rules)
- :mod:`gan_src.cli`        -- ``python -m gan_src train | parzen``: the flags, exit codes, signals (``__main__`` runs it)
- :mod:`gan_src.cli_train` -- the ``train`` command: a run started or resumed, checked against its settings
- :mod:`gan_src.cli_parzen` -- the ``parzen`` command: Table 1's score of a G, or the curve of its snapshots

The chapters' helpers:

- :mod:`gan_src.plotting`   -- sample grids, Figure 2's framed nearest-neighbour column, players, curves
- :mod:`gan_src.display`    -- code and tables shown as Markdown
- :mod:`gan_src.widgets`    -- Jupyter controls: a slider along a walk in z space
- :mod:`gan_src.claims`     -- a number from a training run checked against a measured band
- :mod:`gan_src.devices`    -- the GPU when there is one, else the CPU
"""

__version__ = "0.1.0"
