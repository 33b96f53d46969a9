"""Choosing Table 1's snapshot without the test set: the three validation scores of a curve row."""

import math

import pytest
import torch
from torch import nn

from gan_src import parzen
from gan_src.models import mnist_generator, mnist_p_z
from gan_src.snapshots import RULES, best_snapshot, score

ROWS = [{"epoch": 10, "valid": 190.0, "valid_all": 180.0, "valid_gen_ll": -50.0, "test": 199.0},
        {"epoch": 20, "valid": 205.5, "valid_all": 181.0, "valid_gen_ll": -40.0, "test": 204.0},
        {"epoch": 30, "valid": 201.0, "valid_all": 183.0, "valid_gen_ll": -45.0, "test": 209.0},
        {"epoch": 40, "valid": 199.0, "test": 210.0}]  # scored before valid_all existed


def test_best_snapshot_follows_the_rule_asked_and_never_the_test_score():
    assert best_snapshot(ROWS)["epoch"] == 30  # valid_all by default; epoch 40 has no such score
    assert best_snapshot(ROWS, "valid")["epoch"] == 20
    assert best_snapshot(ROWS, "valid_gen_ll")["epoch"] == 20
    assert best_snapshot([]) is None and best_snapshot(ROWS[3:]) is None
    with pytest.raises(ValueError, match="unknown selection rule 'test'"):
        best_snapshot(ROWS, "test")


class Constant(nn.Module):
    """A G that ignores z: every sample is the image c."""

    def __init__(self, c):
        super().__init__()
        self.c = nn.Parameter(c)

    def forward(self, z):
        return self.c.expand(len(z), -1)


def test_monitor_channel_is_a_parzen_ll_at_sigma_two_tenths(mnist):
    """With every centre at c the window is one Gaussian: the channel must be its exact log-density
    at sigma 0.2, averaged over the images (the authors' normaliser d log(sigma sqrt(2 pi)))."""
    valid = mnist.valid[:300].reshape(300, -1)
    c = valid[:1000].mean(0)
    exact = (-(valid.double() - c.double()).pow(2).sum(1) / (2 * 0.2 ** 2)
             - 784 * math.log(0.2 * math.sqrt(2 * math.pi))).mean()
    assert parzen.monitor_ll(Constant(c), valid) == pytest.approx(float(exact), rel=1e-6)


def test_monitor_channel_gives_each_batch_of_100_its_own_fresh_samples(mnist):
    G, valid = mnist_generator(generator=torch.Generator().manual_seed(1)).eval(), mnist.valid[:300]
    z = mnist_p_z(300, torch.Generator().manual_seed(7))
    with torch.no_grad():
        by_hand = torch.cat([parzen.parzen_log_likelihood(xb, G(zb), 0.2)
                             for xb, zb in zip(valid.split(100), z.split(100))]).mean()
        shared = parzen.parzen_log_likelihood(valid, G(z[:100]), 0.2).mean()
    assert parzen.monitor_ll(G, valid, seed=7) == pytest.approx(float(by_hand), rel=1e-9)
    assert parzen.monitor_ll(G, valid, seed=7) != pytest.approx(float(shared), rel=1e-6)


def test_score_holds_the_protocol_and_both_other_rules_from_one_set_of_samples(mnist):
    G = mnist_generator(generator=torch.Generator().manual_seed(2))
    valid, test = mnist.valid[:2000], mnist.test[:500]
    row = score(G, valid, test, samples=300, seed=3)
    assert set(RULES) <= set(row)
    r = parzen.evaluate(parzen.generator_centres(G, 300, 3), valid[:1000], test)
    assert (row["sigma"], row["valid"], row["test"], row["se"]) == (r.sigma, max(r.curve), r.mean, r.se)
    centres = parzen.generator_centres(G, 300, 3)
    all_valid = parzen.parzen_log_likelihood(valid, centres, r.sigma).mean()
    assert row["valid_all"] == pytest.approx(float(all_valid), rel=1e-12)  # all 2,000 images, not 1,000
    assert row["valid_all"] != pytest.approx(row["valid"], rel=1e-6)
    assert row["valid_gen_ll"] == pytest.approx(parzen.monitor_ll(G, valid, 3), rel=1e-12)


def test_parzen_snapshots_records_every_rule_and_rescores_rows_scored_without_them(tmp_path):
    import json
    import subprocess
    import sys

    for epoch, seed in ((5, 0), (10, 1)):
        torch.save(mnist_generator(generator=torch.Generator().manual_seed(seed)).state_dict(),
                   tmp_path / f"G_epoch{epoch:04d}.pt")
    out = tmp_path / "parzen.jsonl"
    out.write_text(json.dumps({"epoch": 5, "valid": 1.0, "test": 2.0}) + "\n")  # a row of an older curve
    cli = [sys.executable, "-m", "gan_src", "parzen", "--snapshots", str(tmp_path), "--samples", "200",
           "--out", str(out)]
    result = subprocess.run(cli, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["epoch"] for r in rows] == [5, 10] and all(set(RULES) <= set(r) for r in rows)
    assert rows[0]["valid"] != 1.0  # the old row was scored again, not kept
    assert "all valid" in result.stdout and "monitor" in result.stdout
    before = out.read_text()
    again = subprocess.run(cli, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and out.read_text() == before  # nothing scored twice
