"""seeds/episodes/ holds one documented log per episode of the shipped CSV, each exactly what
``sim import --episode`` makes of it (regenerate with the command in docs/fitting.md)."""

from __future__ import annotations

import csv
from pathlib import Path

from sim.scenario.import_log import import_csv
from sim.scenario.importer import Options

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "seeds" / "sources" / "expulsions_pre2022.csv"
FOLDER = ROOT / "seeds" / "episodes"


def test_every_episode_is_bundled_as_the_importer_makes_it() -> None:
    episodes = list(dict.fromkeys(row["episode"] for row in csv.DictReader(DATA.open(encoding="utf-8"))))
    assert sorted(p.stem for p in FOLDER.glob("*.yaml")) == sorted(episodes)
    for episode in episodes:
        made = import_csv(DATA, Options(episode=episode)).text
        assert (FOLDER / f"{episode}.yaml").read_text(encoding="utf-8") == made, (
            f"seeds/episodes/{episode}.yaml is stale: sim import seeds/sources/expulsions_pre2022.csv "
            f"--episode {episode} --out seeds/episodes/{episode}.yaml"
        )
