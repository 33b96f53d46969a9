"""VEEGAN's mode-coverage metrics (gan_src.modes) on samples whose answer is known by construction."""

import pytest
import torch

from gan_src.data import gaussian_mixture, grid_modes, ring_modes
from gan_src.modes import mode_histogram, mode_report, nearest_mode


def test_samples_from_the_mixture_cover_every_mode_and_are_high_quality():
    modes = grid_modes()
    x = gaussian_mixture(2500, modes, 0.05, torch.Generator().manual_seed(0))
    report = mode_report(x, modes, 0.05)
    assert report.modes_covered == report.n_modes == 25
    # a 2-D Gaussian puts 1 - exp(-9/2) = 98.9 % of its mass within 3 std of its centre
    assert report.high_quality == pytest.approx(0.989, abs=0.01)
    assert report.counts.sum().item() == round(report.high_quality * 2500)


def test_a_collapsed_generator_covers_one_mode_with_perfect_quality():
    modes = ring_modes()
    x = modes[3] + 0.01 * torch.randn(2500, 2, generator=torch.Generator().manual_seed(1)).clamp(-2, 2)
    report = mode_report(x, modes, 0.01)
    assert report.modes_covered == 1
    assert report.high_quality == 1.0
    assert report.counts.tolist() == [0, 0, 0, 2500, 0, 0, 0, 0]


def test_samples_between_modes_are_not_high_quality_and_cover_nothing():
    modes = ring_modes()
    x = 0.5 * modes  # halfway to the centre: 0.5 from every nearest mode, 50 std
    report = mode_report(x, modes, 0.01)
    assert report.modes_covered == 0 and report.high_quality == 0.0
    idx, d = nearest_mode(x, modes)
    assert idx.tolist() == list(range(8))
    assert torch.allclose(d, torch.full((8,), 0.5, dtype=torch.float64), atol=1e-6)


def test_threshold_is_three_standard_deviations():
    modes = torch.tensor([[0.0, 0.0], [10.0, 0.0]])
    x = torch.tensor([[0.29, 0.0], [0.31, 0.0], [10.0, 0.25]])
    assert mode_histogram(x, modes, std=0.1).tolist() == [1, 1]


def test_wrong_shape_says_what_is_wrong():
    with pytest.raises(ValueError, match="shape"):
        mode_report(torch.zeros(5, 3), ring_modes(), 0.01)
