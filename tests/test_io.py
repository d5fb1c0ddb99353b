"""Saving and loading trained ensembles and scan files."""

import chex
import jax
import numpy as np
import pytest

import rdp_jax as rdp


def test_result_round_trip(tmp_path):
    dgp = rdp.pair_block_dgp(1, 0.3, 0.2, 0.15)
    spec = rdp.EnsembleSpec.grid(num_latents=3, k=[1, 2], seed=[0, 1])
    config = rdp.TrainConfig(steps=20, batch_size=32, chunk_size=10)
    result = rdp.train_ensemble(dgp, spec, config, key=jax.random.key(0), progress=False)
    path = tmp_path / "run" / "ensemble.eqx"

    rdp.save_result(path, result, dgp="pair block (0.3, 0.2, 0.15)")
    loaded, extra = rdp.load_result(path, dgp)

    chex.assert_trees_all_equal(loaded.saes, result.saes)
    assert loaded.spec == spec
    assert loaded.config == config
    np.testing.assert_array_equal(loaded.history_loss, result.history_loss)
    assert extra == {"dgp": "pair block (0.3, 0.2, 0.15)"}


def test_missing_result_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="no saved result"):
        rdp.load_result(tmp_path / "absent.eqx", rdp.pair_block_dgp(1, 0.3, 0.2, 0.15))


def test_scan_file_loads(tmp_path):
    path = tmp_path / "scan.toml"
    path.write_text(
        '[train]\nsae_kind = "topk"\nsteps = 100\nlr_schedule = "cosine"\n\n'
        "[grid]\nnum_latents = 8\nk = [1, 2]\nbudget = [0, 1]\nseed = [0, 1, 2]\n"
    )
    spec, config = rdp.load_scan(path)
    assert spec.num_members == 12
    assert config.steps == 100
    assert config.lr_schedule == "cosine"


@pytest.mark.parametrize(
    "text, message",
    [
        ("[train]\nsteps = 10\n", "missing the \\[grid\\] table"),
        ("[grid]\nk = 1\n", "missing `num_latents`"),
        ("[grid]\nnum_latents = 4\nlayers = 2\n", "unknown keys \\['layers'\\]"),
        ("[train]\nepochs = 3\n[grid]\nnum_latents = 4\n", "unknown keys \\['epochs'\\]"),
        ("[grid]\nnum_latents = 4\n[model]\nx = 1\n", "unknown tables"),
        ("[train]\nsteps = -5\n[grid]\nnum_latents = 4\n", "`steps`"),
    ],
)
def test_invalid_scan_file_raises(tmp_path, text, message):
    path = tmp_path / "scan.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        rdp.load_scan(path)


def test_path_without_suffix_round_trips(tmp_path):
    dgp = rdp.pair_block_dgp(1, 0.3, 0.2, 0.15)
    spec = rdp.EnsembleSpec.grid(num_latents=2, seed=[0])
    config = rdp.TrainConfig(steps=10, batch_size=16, chunk_size=10)
    result = rdp.train_ensemble(dgp, spec, config, key=jax.random.key(0), progress=False)
    path = tmp_path / "saved_without_suffix"
    rdp.save_result(path, result)
    loaded, _ = rdp.load_result(path, dgp)
    chex.assert_trees_all_equal(loaded.saes, result.saes)


def test_load_with_wrong_dgp_raises(tmp_path):
    dgp = rdp.pair_block_dgp(1, 0.3, 0.2, 0.15)
    spec = rdp.EnsembleSpec.grid(num_latents=2, seed=[0])
    config = rdp.TrainConfig(steps=10, batch_size=16, chunk_size=10)
    result = rdp.train_ensemble(dgp, spec, config, key=jax.random.key(0), progress=False)
    rdp.save_result(tmp_path / "ensemble.eqx", result)
    with pytest.raises(ValueError, match="pass the DGP"):
        rdp.load_result(tmp_path / "ensemble.eqx", rdp.pair_block_dgp(2, 0.3, 0.2, 0.15))
