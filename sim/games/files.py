"""What ``sim tournament`` writes: every match (Parquet, and CSV rounded for reading), the
ranking, the payoff-matrix heatmap and the boxplot of scores, in one folder swapped in whole
(``sim.infra.result_dir``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sim.games.tournament import TournamentResult, rounded
from sim.infra.atomic import write_atomic
from sim.infra.result_dir import write_result_dir

TOURNAMENT_FILES = ("matches.parquet", "matches.csv", "ranking.csv", "payoffs.png", "scores.png")


def csv_writer(frame: pd.DataFrame, decimals: dict[str, int] | None = None) -> Callable[[Path], None]:
    """Write ``frame`` as CSV with its reals rounded as a person reads them."""

    def write(path: Path) -> None:
        write_atomic(path, rounded(frame, decimals).to_csv(index=False, lineterminator="\n"))

    return write


def parquet_writer(frame: pd.DataFrame) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        frame.to_parquet(path, index=False)

    return write


def figure_writer(draw: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[[Path], None]:
    """Draw a figure into the path (and close it: a long session draws many)."""

    def write(path: Path) -> None:
        import matplotlib.pyplot as plt

        plt.close(draw(*args, paths=[path], **kwargs))

    return write


def settings_text(rounds: int, repetitions: int, noise: float, seed: int) -> str:
    return f"{rounds:,} rounds, {repetitions:,} repetitions, noise {noise:g}, seed {seed}"


def write_tournament(result: TournamentResult, out: Path, dpi: int = 200) -> list[Path]:
    """Write the tournament's files into ``out`` (see the module); returns their paths."""
    from sim.games.charts import box_figure, matrix_figure

    plan = result.plan
    settings = settings_text(plan.rounds, plan.repetitions, plan.noise, plan.seed)
    count = len(plan.players)
    writers = {
        "matches.parquet": parquet_writer(result.matches),
        "matches.csv": csv_writer(result.matches),
        "ranking.csv": csv_writer(result.ranking),
        "payoffs.png": figure_writer(
            matrix_figure,
            result.payoff_matrix,
            title="Mean payoff per round of the row policy against the column policy\n"
            f"{count} policies, {settings}",
            label="payoff per round (R, S, T, P = 3, 0, 5, 1)",
            dpi=dpi,
        ),
        "scores.png": figure_writer(
            box_figure,
            result.scores[list(result.ranking["policy"])],
            title=f"Each policy's mean payoff against the others, one dot per repetition\n{settings}",
            label="mean payoff per round against the others",
            dpi=dpi,
        ),
    }
    manifest = {**plan.manifest(), "ranking": result.summary()}
    return write_result_dir(out, "tournament", writers, manifest)
