"""A scenario's hash is what a run's identity and a sweep's resume rest on: a release that adds
scenario fields must leave the hash of every scenario written before them as it was.

The hashes below were taken at ea4993f, the last commit before scenarios could have more than
two sides (and before acts had targets and coalitions, forks ``drop_by``, documented logs
coalitions and observations hosts), except the history scenario and its three forks, whose
files issue 14 changed (post-scoped acts in the documented log, the consulates' sizes): theirs
are the hashes after that change. A later field that is unset stays out of the hash.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario.loading import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
BEFORE_N_STATES = {
    "baseline.yaml": "5e33ddb7683852b2ba1c88ff4ec78058efe1a59656fe480393120e2d6b1c3663",
    "escalation-spiral.yaml": "7f0b82f028c7583b45d9804329502860526336e2da2eff977e5638918ef5c345",
    "generous-under-noise.yaml": "ef97b67240ec98655a0a267bda7e00304b73166adb1e1e2a529fc6afca8a9be2",
    "grim-trigger-lock-in.yaml": "e64462d1b6bf9ce2b1ef949413b3a0c8129b2348da25e5e728d0d4f8566072da",
    "grit-de-escalation.yaml": "3a133fb7f04da6ced27448bc6794ecd86b9ce724c1bbcfe6d22bfe2db27cade4",
    "history-2016-2022.yaml": "71648b70bcf4435f6bc9beffad009f2ba88cea2a053a564262732bdde879a921",
    "parity-cap.yaml": "4a324d61a5570f7bcc585f79ff18e4f70df164c4d2c89231b72ead6979821877",
    "rotation-rule-2021-answered.yaml": "a3530c3ff6d9abb693555ebc846af3d410c7341acb68060c776314cedcc86f8f",
    "rotation-rule-2021.yaml": "7a068b8f66f07cca4c3feda0852ad615ea6a3b00f0018bd0e31a7afadaf4864b",
    "tit-for-tat-spiral.yaml": "8de235f71ce574f361efec096696e97efc02e80f6cd25df0685966f7013ab11f",
    "what-if-mirror-2016.yaml": "917b1284c4b5b34c48bb689ffe6f42442486f33a5019df2c0ea2e263211cd48a",
    "what-if-no-us-rule-2020.yaml": "6fb7a47284ac07bb7c2e109588db20e164255f7b2738048fc8b920c893a000eb",
    "what-if-stockholm-2021.yaml": "f725f25101f29808339e1aac845bada590dd10d13888ded5525b336bcf38acf1",
}


@pytest.mark.parametrize("name", sorted(BEFORE_N_STATES))
def test_a_scenario_written_before_n_states_keeps_its_hash(name: str) -> None:
    assert load_scenario(SCENARIOS / name).sha256() == BEFORE_N_STATES[name]
