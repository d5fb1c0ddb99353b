"""Penalised SAEs against their closed-form frontiers: JumpReLU with L0 (T2b), ReLU with L1 (T3).

Left: the L0-Lagrangian frontier of T2b, `R(lambda)` and `D(lambda)` for `lambda` from 0 to 5, for
monosemantic (r = 1), pair (r = 2) and unrestricted atoms, with JumpReLU SAEs trained at four
penalties. Right: ReLU SAEs trained with the norm-weighted L1 penalty at several strengths, in
L1 rate and distortion, with T3's least L1 rate at zero distortion marked on the axis. Every
seed is a faint dot, and the best seed per setting (least penalised loss) is a marker.

The check is that no JumpReLU SAE reaches a Lagrangian `D + lambda R` below the T2b optimum.
How close the best seeds come is printed, not checked: straight-through JumpReLU training and L1
training do not reliably reach these optima.

Theorem labels refer to the rate-distortion-polysemanticity theory of Mencattini, Montagna and
Locatello (arXiv:2605.14694), as reconstructed and checked in docs/theory.md.

Run with `python -m figures.lagrangian_frontier` (SCALE=paper for more seeds and steps).
"""

from __future__ import annotations

import sys

import jax
import numpy as np

import rdp_jax as rdp
from figures._common import FLOAT32_TOLERANCE, format_gap, report, save_figure, scale, write_csv, write_json
from rdp_jax.recipes import train_jumprelu

import matplotlib.pyplot as plt  # noqa: E402  (backend set in figures._common)

NAME = "lagrangian_frontier"
SETTINGS = {
    "small": dict(seeds=3, jumprelu_steps=8000, relu_steps=3000, batch_size=512),
    "paper": dict(seeds=16, jumprelu_steps=30000, relu_steps=20000, batch_size=2048),
}
BLOCK_A, BLOCK_B, BLOCK_C = 0.2, 0.15, 0.3
NUM_BLOCKS = 2
PENALTIES = (0.5, 1.5, 2.5, 3.5)
L1_COEFFICIENTS = (0.003, 0.01, 0.03, 0.1, 0.3)
BUDGETS = {"unrestricted": 0, "monosemantic (r = 1)": 1, "pairs (r = 2)": 2}
COLOURS = {0: "tab:blue", 1: "tab:red", 2: "tab:green"}
KEY = 3


def frontier_rows(supports, probs) -> list[dict]:
    """Return the T2b frontier on a fine grid of penalties and T3's L1 rates, as CSV rows."""
    rows = []
    for name, budget in BUDGETS.items():
        r = None if budget == 0 else budget
        for lam in np.linspace(0.0, 5.0, 201):
            frontier = rdp.l0_lagrangian_frontier(supports, probs, lam, r)
            rows.append(dict(source="closed_form_t2b", budget=name, penalty=lam, rate_l0=float(frontier.rate), distortion=float(frontier.distortion)))
        rows.append(dict(source="closed_form_t3", budget=name, rate_l1=float(rdp.l1_rate_zero_distortion(supports, probs, r)), distortion=0.0))
    return rows


def jumprelu_rows(dgp, supports, probs, settings) -> tuple[list[dict], bool, list]:
    rows, passed, configs = [], True, []
    for name, budget in BUDGETS.items():
        result, members = train_jumprelu(
            [dgp], budget, PENALTIES, seeds=settings["seeds"], steps=settings["jumprelu_steps"], batch_size=settings["batch_size"],
            key=jax.random.fold_in(jax.random.key(KEY), budget),
        )
        configs.append(result.config.to_dict())
        exact = rdp.evaluate_on_patterns(result.saes, dgp.concept_directions, supports, probs)
        penalties = np.array([member["penalty"] for member in members])
        for lam in PENALTIES:
            indices = np.flatnonzero(penalties == lam)
            frontier = rdp.l0_lagrangian_frontier(supports, probs, lam, None if budget == 0 else budget)
            optimum = float(frontier.distortion) + lam * float(frontier.rate)
            lagrangian = exact.distortion[indices] + lam * exact.rate_l0[indices]
            beats = float(lagrangian.min() - optimum) < -FLOAT32_TOLERANCE
            passed &= not beats
            best = indices[int(np.argmin(lagrangian))]
            report(
                model="jumprelu",
                budget=budget,
                penalty=lam,
                optimum=f"{optimum:.4f}",
                best_lagrangian=f"{lagrangian.min():.4f}",
                gap=format_gap(lagrangian.min() / optimum - 1),
                beats_optimum=beats,
            )
            for index in indices:
                rows.append(
                    dict(
                        source="trained_jumprelu",
                        budget=name,
                        penalty=lam,
                        seed=result.spec.seed[index],
                        learning_rate=result.spec.learning_rate[index],
                        best_seed=index == best,
                        rate_l0=float(exact.rate_l0[index]),
                        distortion=float(exact.distortion[index]),
                        closed_form_lagrangian=optimum,
                    )
                )
    return rows, passed, configs


def relu_rows(dgp, supports, probs, settings) -> tuple[list[dict], dict]:
    spec = rdp.EnsembleSpec.grid(
        num_latents=24, coefficient=list(L1_COEFFICIENTS), budget=list(BUDGETS.values()), seed=list(range(settings["seeds"]))
    )
    config = rdp.TrainConfig(sae_kind="relu", steps=settings["relu_steps"], batch_size=settings["batch_size"], chunk_size=1000, lr_schedule="cosine")
    result = rdp.train_ensemble(dgp, spec, config, key=jax.random.fold_in(jax.random.key(KEY), 10))
    exact = rdp.evaluate_on_patterns(result.saes, dgp.concept_directions, supports, probs)

    names = {budget: name for name, budget in BUDGETS.items()}
    rows = []
    for budget in BUDGETS.values():
        for coefficient in L1_COEFFICIENTS:
            indices = [i for i, row in enumerate(spec.rows()) if row["budget"] == budget and row["coefficient"] == coefficient]
            loss = exact.distortion[indices] + coefficient * exact.rate_l1[indices]
            best = indices[int(np.argmin(loss))]
            for index in indices:
                rows.append(
                    dict(
                        source="trained_relu",
                        budget=names[budget],
                        penalty=coefficient,
                        seed=spec.seed[index],
                        best_seed=index == best,
                        rate_l1=float(exact.rate_l1[index]),
                        distortion=float(exact.distortion[index]),
                    )
                )
        r = None if budget == 0 else budget
        lowest = min((row for row in rows if row["budget"] == names[budget] and row["best_seed"]), key=lambda row: row["distortion"])
        report(
            model="relu",
            budget=budget,
            t3_rate_l1=f"{float(rdp.l1_rate_zero_distortion(supports, probs, r)):.4f}",
            lowest_distortion=f"{lowest['distortion']:.4f}",
            its_rate_l1=f"{lowest['rate_l1']:.4f}",
        )
    return rows, config.to_dict()


def draw(rows: list[dict]) -> plt.Figure:
    """Draw the T2b frontier with JumpReLU points, and ReLU points with T3's zero-distortion rates."""
    figure, (l0_axes, l1_axes) = plt.subplots(1, 2, figsize=(9.0, 3.8))
    for name, budget in BUDGETS.items():
        colour = COLOURS[budget]
        curve = [row for row in rows if row["source"] == "closed_form_t2b" and row["budget"] == name]
        l0_axes.plot([row["rate_l0"] for row in curve], [row["distortion"] for row in curve], "-o", ms=2.5, lw=1.2, color=colour, label=f"T2b frontier, {name}")
        trained = [row for row in rows if row["source"] == "trained_jumprelu" and row["budget"] == name]
        l0_axes.scatter([row["rate_l0"] for row in trained], [row["distortion"] for row in trained], s=6, alpha=0.25, color=colour, lw=0)
        best = [row for row in trained if row["best_seed"]]
        l0_axes.scatter([row["rate_l0"] for row in best], [row["distortion"] for row in best], s=36, marker="D", facecolor="none", edgecolor=colour)

        relu = [row for row in rows if row["source"] == "trained_relu" and row["budget"] == name]
        l1_axes.scatter([row["rate_l1"] for row in relu], [row["distortion"] for row in relu], s=6, alpha=0.25, color=colour, lw=0)
        best = sorted((row for row in relu if row["best_seed"]), key=lambda row: row["rate_l1"])
        l1_axes.plot([row["rate_l1"] for row in best], [row["distortion"] for row in best], "D-", ms=5, mfc="none", lw=0.8, color=colour, label=f"ReLU + L1, {name}")
        t3 = next(row for row in rows if row["source"] == "closed_form_t3" and row["budget"] == name)
        l1_axes.plot([t3["rate_l1"]], [0.0], "*", ms=12, color=colour, label=f"T3 least L1 rate, {name}")

    l0_axes.set_xlabel("rate  E||h||$_0$")
    l0_axes.set_ylabel("distortion  E||x − x̂||$^2$")
    l0_axes.set_title(f"JumpReLU at λ = {', '.join(str(p) for p in PENALTIES)} (diamonds: best seed)", fontsize=8)
    l0_axes.legend(fontsize=7)
    l1_axes.set_xlabel("L1 rate  E Σ h$_j$ ||w$_j$||")
    l1_axes.set_ylabel("distortion  E||x − x̂||$^2$")
    l1_axes.set_title("ReLU SAEs across L1 penalties (line: best seed per penalty)", fontsize=8)
    l1_axes.legend(fontsize=6.5)
    figure.suptitle(f"{NUM_BLOCKS} pair blocks, (a, b, c) = ({BLOCK_A}, {BLOCK_B}, {BLOCK_C})", fontsize=9)
    return figure


def main() -> int:
    settings = SETTINGS[scale()]
    report(figure=NAME, scale=scale(), **settings)
    dgp = rdp.pair_block_dgp(NUM_BLOCKS, BLOCK_A, BLOCK_B, BLOCK_C)
    supports, probs = dgp.patterns()

    jumprelu, passed, jumprelu_configs = jumprelu_rows(dgp, supports, probs, settings)
    relu, relu_config = relu_rows(dgp, supports, probs, settings)
    rows = frontier_rows(supports, probs) + jumprelu + relu

    csv_path = write_csv(NAME, rows)
    json_path = write_json(
        NAME,
        dict(
            scale=scale(),
            settings=settings,
            dgp=dict(family="pair blocks", num_blocks=NUM_BLOCKS, a=BLOCK_A, b=BLOCK_B, c=BLOCK_C),
            penalties=PENALTIES,
            l1_coefficients=L1_COEFFICIENTS,
            key=KEY,
            jumprelu_configs=jumprelu_configs,
            relu_config=relu_config,
            checks_passed=passed,
        ),
    )
    png_path = save_figure(draw(rows), NAME)
    report(figure=NAME, csv=csv_path, json=json_path, png=png_path, checks="PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
