"""Rate-distortion frontier of TopK SAEs on correlated pair-block data, free and monosemantic.

The closed-form curves are T2's optimum `D*_r(k) = E[(|S| - k r)_+]` at the rate it uses,
`E[min(ceil(|S|/r), k)]`, for the monosemantic class (r = 1) and for unrestricted atoms. Trained
TopK SAEs across `k`, free and projected onto `W_1` after every step, are drawn as points: every
seed faintly, the best seed per setting as a marker.

The unrestricted curve assumes an unlimited dictionary: its optimum at `k = 1` spends one latent
per non-empty pattern. The DGP has 15 non-empty patterns and the SAEs have more latents than that,
so the closed form is the true optimum at this `m`.

Theorem labels refer to the rate-distortion-polysemanticity theory of Mencattini, Montagna and
Locatello (arXiv:2605.14694), as reconstructed and checked in docs/theory.md.

Run with `python -m figures.rd_frontier` (SCALE=paper for more seeds and steps).
"""

from __future__ import annotations

import sys

import jax
import numpy as np

import rdp_jax as rdp
from figures._common import compare_with_optimum, report, save_figure, scale, write_csv, write_json

import matplotlib.pyplot as plt  # noqa: E402  (backend set in figures._common)

NAME = "rd_frontier"
SETTINGS = {
    "small": dict(seeds=8, steps=3000, batch_size=512, num_latents=32, eval_samples=1 << 16),
    "paper": dict(seeds=64, steps=20000, batch_size=2048, num_latents=64, eval_samples=1 << 20),
}
# Pair-block probabilities: first only, second only, both. Independence would give both = 0.225.
BLOCK_A, BLOCK_B, BLOCK_C = 0.2, 0.15, 0.3
NUM_BLOCKS = 2
BUDGETS = {"unrestricted": 0, "monosemantic": 1}
KEY = 0


def closed_form_rows(supports, probs) -> list[dict]:
    """Return the T2 frontier points for r = 1 and unrestricted, k = 0..n."""
    n = supports.shape[1]
    rows = []
    for label, budget in BUDGETS.items():
        r = None if budget == 0 else budget
        for k in range(n + 1):
            rows.append(
                dict(
                    source="closed_form",
                    budget=label,
                    k=k,
                    rate_l0=float(rdp.rate_topk(supports, probs, k, r)),
                    distortion=float(rdp.distortion_topk(supports, probs, k, r)),
                )
            )
    return rows


def train_and_evaluate(dgp, settings: dict, key) -> tuple[rdp.EnsembleResult, rdp.Evaluation, rdp.Evaluation]:
    """Train every (budget, k, seed) member in one ensemble; evaluate exactly and by sampling."""
    n = dgp.n
    spec = rdp.EnsembleSpec.grid(
        num_latents=settings["num_latents"],
        k=list(range(1, n + 1)),
        budget=list(BUDGETS.values()),
        seed=list(range(settings["seeds"])),
        learning_rate=1e-2,
    )
    config = rdp.TrainConfig(
        sae_kind="topk", steps=settings["steps"], batch_size=settings["batch_size"], lr_schedule="cosine"
    )
    train_key, eval_key = jax.random.split(key)
    result = rdp.train_ensemble(dgp, spec, config, key=train_key)

    supports, probs = dgp.patterns()
    exact = rdp.evaluate_on_patterns(result.saes, dgp.concept_directions, supports, probs)
    sampled = rdp.evaluate_ensemble(result.saes, dgp, num_samples=settings["eval_samples"], key=eval_key)
    return result, exact, sampled


def check_and_collect(spec, exact, sampled, supports, probs) -> tuple[list[dict], bool]:
    """Compare each trained SAE with the closed form; return CSV rows and whether all checks pass."""
    rows, passed = [], True
    members = spec.rows()
    budget_names = {value: name for name, value in BUDGETS.items()}
    for budget in BUDGETS.values():
        for k in sorted(set(spec.k)):
            r = None if budget == 0 else budget
            optimum = float(rdp.distortion_topk(supports, probs, k, r))
            indices = [i for i, row in enumerate(members) if row["k"] == k and row["budget"] == budget]
            comparison = compare_with_optimum(optimum, indices, exact, sampled)
            best = comparison.best
            passed &= comparison.passed
            report(
                budget=budget_names[budget],
                k=k,
                closed_form=f"{optimum:.5f}",
                best_exact=f"{exact.distortion[best]:.5f}",
                best_sampled=f"{sampled.distortion[best]:.5f}",
                sampling_se=f"{sampled.distortion_se[best]:.5f}",
                median_exact=f"{np.median(exact.distortion[indices]):.5f}",
                within_tolerance=comparison.within_tolerance,
                beats_optimum=comparison.beats_optimum,
            )
            for i in indices:
                rows.append(
                    dict(
                        source="trained",
                        budget=budget_names[budget],
                        k=k,
                        seed=members[i]["seed"],
                        best_seed=i == best,
                        rate_l0=float(exact.rate_l0[i]),
                        distortion=float(exact.distortion[i]),
                        distortion_sampled=float(sampled.distortion[i]),
                        distortion_sampled_se=float(sampled.distortion_se[i]),
                        closed_form_distortion=optimum,
                        polysemanticity=float(exact.polysemanticity[i]),
                        dead_fraction=float(exact.dead_fraction[i]),
                    )
                )
    return rows, passed


def draw(rows: list[dict], settings: dict, num_patterns: int) -> plt.Figure:
    """Draw the frontier (distortion against rate) and distortion against the TopK budget `k`."""
    figure, (frontier, by_k) = plt.subplots(1, 2, figsize=(9.0, 3.8))
    colours = {"monosemantic": "tab:red", "unrestricted": "tab:blue"}
    offsets = {"monosemantic": 0.08, "unrestricted": -0.08}
    for label, colour in colours.items():
        curve = [row for row in rows if row["source"] == "closed_form" and row["budget"] == label]
        trained = [row for row in rows if row["source"] == "trained" and row["budget"] == label]
        best = [row for row in trained if row["best_seed"]]
        name = "monosemantic (r = 1)" if label == "monosemantic" else "unrestricted"

        frontier.plot([row["rate_l0"] for row in curve], [row["distortion"] for row in curve], "-o", ms=3, color=colour, lw=1.5, label=f"T2 optimum, {name}")
        frontier.scatter([row["rate_l0"] for row in trained], [row["distortion"] for row in trained], s=8, color=colour, alpha=0.25, lw=0)
        frontier.scatter(
            [row["rate_l0"] for row in best],
            [row["distortion"] for row in best],
            s=40,
            marker="D",
            facecolor="none",
            edgecolor=colour,
            label=f"TopK SAEs, {label}: best of {settings['seeds']} seeds (dots: all)",
        )

        jitter = offsets[label]
        by_k.plot([row["k"] + jitter for row in curve], [row["distortion"] for row in curve], "_", ms=14, mew=2, color=colour)
        by_k.scatter([row["k"] + jitter for row in trained], [row["distortion"] for row in trained], s=8, color=colour, alpha=0.3, lw=0)
        by_k.scatter([row["k"] + jitter for row in best], [row["distortion"] for row in best], s=40, marker="D", facecolor="none", edgecolor=colour)

    frontier.set_xlabel("rate  E||h||$_0$")
    frontier.set_ylabel("distortion  E||x − x̂||$^2$")
    handles, labels = frontier.get_legend_handles_labels()
    figure.legend(handles, labels, fontsize=7, loc="upper center", ncol=2, bbox_to_anchor=(0.5, 0.02))
    frontier.set_title("trained TopK SAEs spend all k latents, so they sit right of the frontier", fontsize=8)
    by_k.set_xlabel("TopK budget k")
    by_k.set_ylabel("distortion  E||x − x̂||$^2$")
    by_k.set_xticks(sorted({row["k"] for row in rows}))
    by_k.set_title("distortion at each budget: closed form (bars) and trained SAEs", fontsize=8)
    figure.suptitle(
        f"{NUM_BLOCKS} pair blocks, (a, b, c) = ({BLOCK_A}, {BLOCK_B}, {BLOCK_C}): {num_patterns} non-empty patterns, "
        f"m = {settings['num_latents']} latents, so T2's unlimited-dictionary optimum holds at this m",
        fontsize=9,
    )
    return figure


def main() -> int:
    settings = SETTINGS[scale()]
    dgp = rdp.pair_block_dgp(NUM_BLOCKS, BLOCK_A, BLOCK_B, BLOCK_C)
    supports, probs = dgp.patterns()
    num_patterns = int(np.sum(supports.any(axis=1)))
    report(figure=NAME, scale=scale(), patterns=num_patterns, **settings)

    result, exact, sampled = train_and_evaluate(dgp, settings, jax.random.key(KEY))
    trained_rows, passed = check_and_collect(result.spec, exact, sampled, supports, probs)
    rows = closed_form_rows(supports, probs) + trained_rows

    csv_path = write_csv(NAME, rows)
    json_path = write_json(
        NAME,
        dict(
            scale=scale(),
            settings=settings,
            dgp=dict(family="pair blocks", num_blocks=NUM_BLOCKS, a=BLOCK_A, b=BLOCK_B, c=BLOCK_C),
            key=KEY,
            train_config=result.config.to_dict(),
            diverged_members=int(result.diverged.sum()),
            checks_passed=passed,
        ),
    )
    png_path = save_figure(draw(rows, settings, num_patterns), NAME)
    report(figure=NAME, csv=csv_path, json=json_path, png=png_path, checks="PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
