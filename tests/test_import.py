"""``sim import``: the mapping table, coalition inference, errors, determinism, the bundled
Salisbury log against the data file's totals, and the command itself."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.dated_acts import NAME_PATTERN
from sim.infra.errors import InputError
from sim.infra.yaml_io import parse
from sim.infra.yaml_text import quoted, scalar
from sim.scenario.documented import SeedsLog, load_seeds
from sim.scenario.import_coalitions import coalition_id, infer
from sim.scenario.import_log import MARK, import_csv
from sim.scenario.import_rows import COLUMNS
from sim.scenario.importer import EpisodeError, Options, build, post_name
from tests.cli_runner import sim_inline, sim_process

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "seeds" / "sources" / "expulsions_pre2022.csv"
BUNDLED = ROOT / "seeds" / "salisbury-2018.yaml"

BASE = {
    "id": "R1", "episode": "ep", "date": "2020-01-10", "actor": "AA", "target": "BB",
    "action_type": "expel", "count": "2", "target_mission": "BB Embassy", "deadline": "",
    "in_response_to": "", "source_url": "https://example.org/r1", "note": "a note",
}  # fmt: skip


def write_csv(path: Path, rows: list[dict[str, str]], header: tuple[str, ...] = COLUMNS) -> Path:
    """A CSV in the data file's columns: each row is BASE with its own changes (ids R1, R2...)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for number, changes in enumerate(rows, 1):
        row = {**BASE, "id": f"R{number}", **changes}
        writer.writerow([row.get(column, "") for column in header])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def imported(tmp_path: Path, rows: list[dict[str, str]], **options: object) -> SeedsLog:
    """The log the rows make, written and loaded as a user would."""
    result = import_csv(write_csv(tmp_path / "data.csv", rows), Options(**options))  # type: ignore[arg-type]
    out = tmp_path / "log.yaml"
    out.write_text(result.text, encoding="utf-8")
    return load_seeds(out)


# --- the mapping table ----------------------------------------------------------------------

MAPPING = [
    # (row changes, kind, size, post, replaceable, a phrase of the resolution or None)
    ({"action_type": "expel", "count": "3", "deadline": "2020-01-17"}, "expel", 3, None, False, None),
    ({"action_type": "expel", "count": ""}, "expel", 1, None, False, "no count: 1 person"),
    ({"action_type": "close_consulate", "count": "", "deadline": "2020-01-12",
      "target_mission": "BB Consulate General Seattle (office)"},
     "close_post", 1, "bb_cg_seattle", False, "post bb_cg_seattle named"),
    ({"action_type": "recall_ambassador", "count": ""}, "recall_ambassador", 1, None, False, None),
    ({"action_type": "statement", "count": ""}, "statement", 1, None, False, None),
    ({"action_type": "other", "count": "3"}, "statement", 1, None, False, "'other' has no mechanic"),
    ({"action_type": "staff_cap", "count": "10", "target_mission": "Mission (maximum size 30 -> 20)"},
     "cap", 20, None, False, "ceiling 20 is read from target_mission ('30 -> 20')"),
    ({"action_type": "staff_cap", "count": "755", "target_mission": "Embassy (cap 455 staff)"},
     "cap", 455, None, False, "ceiling 455"),
    ({"action_type": "staff_cap", "count": "50", "target_mission": "BB Embassy", "note": "parity"},
     "expel", 50, None, False, "expulsion of the count (50) whose posts are abolished"),
    ({"action_type": "staff_cap", "count": "", "note": "no locals may be hired"},
     "statement", 1, None, False, "neither a ceiling to read nor a count"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "kind", "size", "post", "replaceable", "phrase"), MAPPING)
def test_each_action_type_maps_to_its_kind(
    tmp_path: Path, changes: dict[str, str], kind: str, size: int, post: str | None,
    replaceable: bool, phrase: str | None,
) -> None:  # fmt: skip
    (act,) = imported(tmp_path, [changes]).acts
    assert (act.kind, act.size, act.post, act.replaceable) == (kind, size, post, replaceable)
    if phrase is None:
        assert act.resolution is None
    else:
        assert act.resolution is not None and phrase in act.resolution
    assert (act.id, act.source, act.note) == ("R1", BASE["source_url"], changes.get("note", BASE["note"]))


def test_the_parity_expulsion_says_replaceable_false_in_the_file(tmp_path: Path) -> None:
    rows = [{"action_type": "staff_cap", "count": "50"}, {"action_type": "expel", "count": "2"}]
    text = import_csv(write_csv(tmp_path / "d.csv", rows), Options()).text
    assert text.count("\n    replaceable: false\n") == 1


def test_a_missing_deadline_gets_the_default_and_says_so(tmp_path: Path) -> None:
    rows = [{}, {"deadline": "2020-01-12"}, {"action_type": "statement", "count": ""}]
    acts = imported(tmp_path, rows, deadline_days=10).acts
    assert acts[0].deadline == dt.date(2020, 1, 20)
    assert "no deadline: 10 days" in (acts[0].resolution or "")
    assert acts[1].deadline == dt.date(2020, 1, 12) and acts[1].resolution is None
    assert acts[2].deadline is None and acts[2].resolution is None


def test_a_count_that_no_size_can_hold_is_said_to_be_unused(tmp_path: Path) -> None:
    (act,) = imported(tmp_path, [{"action_type": "recall_ambassador", "count": "2"}]).acts
    assert act.resolution == "the row's count (2) is not used: a recall_ambassador has no size"


def test_a_statement_with_a_deadline_keeps_it_in_words(tmp_path: Path) -> None:
    (act,) = imported(tmp_path, [{"action_type": "other", "deadline": "2020-02-01"}]).acts
    assert act.deadline is None
    assert "deadline 2020-02-01 is not kept" in (act.resolution or "")


@pytest.mark.parametrize(
    ("changes", "date"),
    [({"date": "2019-10"}, dt.date(2019, 10, 1)), ({"note": "DATE IS MONTH ONLY: 'late October'"}, None)],
)
def test_a_date_known_to_the_month_says_so(
    tmp_path: Path, changes: dict[str, str], date: dt.date | None
) -> None:
    (act,) = imported(tmp_path, [changes]).acts
    assert "known to the month only" in (act.resolution or "")
    assert act.date == (date or dt.date(2020, 1, 10))


def test_note_is_kept_whole(tmp_path: Path) -> None:
    note = "x " * 600 + 'quotes " and \\ backslashes, a tab\there, a line\nbreak, Arabic روسيا, "NO"'
    (act,) = imported(tmp_path, [{"note": note}]).acts
    assert act.note == note


def test_several_answers_separated_by_semicolons(tmp_path: Path) -> None:
    rows = [{}, {"date": "2020-01-11"}, {"actor": "BB", "target": "AA", "date": "2020-01-12",
                                         "in_response_to": "R1; R2"}]  # fmt: skip
    assert imported(tmp_path, rows).acts[2].in_response_to == ("R1", "R2")


def test_an_answer_to_a_row_of_another_episode_is_dropped_aloud(tmp_path: Path) -> None:
    rows = [{"episode": "one"}, {"episode": "two", "actor": "BB", "target": "AA", "in_response_to": "R1"}]
    (act,) = imported(tmp_path, rows, episode="two").acts
    assert act.in_response_to == ()
    assert "answers R1 (episode one), which --episode two leaves out" in (act.resolution or "")


def test_acts_are_in_date_order_and_an_answer_follows_its_act(tmp_path: Path) -> None:
    rows = [
        {"date": "2020-01-12"},
        {"actor": "BB", "target": "AA", "date": "2020-01-11", "in_response_to": "R3"},
        {"date": "2020-01-11"},
    ]
    assert [a.id for a in imported(tmp_path, rows).acts] == ["R3", "R2", "R1"]


def test_sides_in_first_appearance_order(tmp_path: Path) -> None:
    rows = [{"actor": "UK", "target": "RU"}, {"actor": "NATO"}, {"actor": "RU", "target": "US"}]
    rows[1]["target"] = "RU"
    assert imported(tmp_path, rows).sides == ("UK", "RU", "NATO", "US")


POSTS = [
    ("Russian Consulate General Seattle (office and Consul General's residence)", "russian_cg_seattle"),
    ("British Consulate General St Petersburg", "british_cg_st_petersburg"),
    ("Honorary Consul of Russia in Montenegro (consent withdrawn; Boro Djukic)", "honorary_consul_russia"),
    ("NATO Military Liaison Mission Moscow; NATO Information Office Moscow", "nato_military_liaison_mission"),
    ("Consulat général de Russie à Marseille", "consulat_general_de_russie_a"),
    ("12th Street Office", "post_12th_street_office"),
    ("(none)", ""),
]


@pytest.mark.parametrize(("mission", "name"), POSTS)
def test_post_names(mission: str, name: str) -> None:
    assert post_name(mission) == name
    assert name == "" or re.fullmatch(NAME_PATTERN, name)


# --- coalitions -----------------------------------------------------------------------------


def test_joint_action_and_one_announcement(tmp_path: Path) -> None:
    rows = [
        {"actor": "UK", "target": "RU", "date": "2018-03-14"},
        {"actor": "US", "target": "RU", "date": "2018-03-26"},  # 12 days later: same coalition
        {"actor": "FR", "target": "RU", "date": "2018-03-26"},
        {"actor": "RU", "target": "US", "date": "2018-03-30"},
        {"actor": "RU", "target": "FR", "date": "2018-03-30"},
        {"actor": "DE", "target": "RU", "date": "2018-04-20", "action_type": "close_consulate"},  # 25 days
        {"actor": "IT", "target": "RU", "date": "2018-04-21", "action_type": "statement"},  # not hostile
    ]
    log = imported(tmp_path, rows)
    assert log.coalitions.keys() == {"ep-RU-2018-03-14", "ep-RU-2018-03-30"}
    assert log.coalitions["ep-RU-2018-03-14"].leader == "UK"
    assert log.coalitions["ep-RU-2018-03-30"].leader == "RU"
    expected = ["ep-RU-2018-03-14"] * 3 + ["ep-RU-2018-03-30"] * 2 + [None, None]
    assert [a.coalition for a in log.acts] == expected


def test_the_joint_action_wins_over_the_announcement(tmp_path: Path) -> None:
    rows = [
        {"actor": "AA", "target": "BB"},
        {"actor": "CC", "target": "BB"},
        {"actor": "AA", "target": "DD"},  # AA's batch of the day: BB and DD, but BB is taken
    ]
    log = imported(tmp_path, rows)
    assert [a.coalition for a in log.acts] == ["ep-BB-2020-01-10", "ep-BB-2020-01-10", None]


def test_coalitions_stay_within_an_episode_and_off_means_none(tmp_path: Path) -> None:
    rows = [{"episode": "one"}, {"episode": "two", "actor": "CC"}]
    assert imported(tmp_path, rows).coalitions == {}
    assert imported(tmp_path, [{}, {"actor": "CC"}]).coalitions.keys() == {"ep-BB-2020-01-10"}
    assert imported(tmp_path, [{}, {"actor": "CC"}], coalition_days=0).coalitions == {}


def test_long_coalition_ids_are_cut_to_a_name() -> None:
    assert coalition_id("skripal_2018", "RU", "2018-03-14", set()) == "skripal_2018-RU-2018-03-14"
    cut = coalition_id("navalny_protests_2021", "RU", "2021-02-05", set())
    assert cut == "navalny_protests_2-RU-2021-02-05" and len(cut) == 32
    again = coalition_id("navalny_protests_2021", "RU", "2021-02-05", {cut})
    assert again == "navalny_protests-RU-2021-02-05-2"
    long_who = coalition_id("e", "X" * 32, "2021-02-05", set())
    assert re.fullmatch(NAME_PATTERN, long_who)


ROWS = st.lists(
    st.fixed_dictionaries({
        "actor": st.sampled_from(["AA", "BB", "CC", "DD"]),
        "target": st.sampled_from(["AA", "BB", "CC", "DD"]),
        "date": st.dates(dt.date(2020, 1, 1), dt.date(2020, 3, 1)).map(dt.date.isoformat),
        "action_type": st.sampled_from(["expel", "close_consulate", "staff_cap", "statement", "other"]),
        "episode": st.sampled_from(["ep", "a_very_long_episode_name_indeed"]),
    }).filter(lambda r: r["actor"] != r["target"]),
    min_size=1,
    max_size=25,
)  # fmt: skip


@settings(deadline=None)
@given(rows=ROWS, days=st.integers(0, 30))
def test_coalition_properties(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, str]], days: int
) -> None:
    """Every coalition is two or more actors against one target, or one actor against two or
    more targets, within one episode; its leader acted in it; an act is in at most one;
    ids are names; inference off gives none."""
    path = write_csv(tmp_path_factory.mktemp("c") / "d.csv", rows)
    _, _, acts = build(path, Options(coalition_days=days))
    coalitions = infer(acts, days)
    if days == 0:
        assert coalitions == []
    seen: set[int] = set()
    for coalition in coalitions:
        actors = {a.row.actor for a in coalition.members}
        targets = {a.row.target for a in coalition.members}
        assert (len(actors) >= 2 and len(targets) == 1) or (len(actors) == 1 and len(targets) >= 2)
        assert len({a.row.episode for a in coalition.members}) == 1
        assert coalition.leader == coalition.members[0].row.actor
        assert all(a.kind in ("expel", "cap", "close_post") for a in coalition.members)
        assert re.fullmatch(NAME_PATTERN, coalition.id)
        assert not seen & {id(a) for a in coalition.members}
        seen |= {id(a) for a in coalition.members}
    assert len({c.id for c in coalitions}) == len(coalitions)
    result = import_csv(path, Options(coalition_days=days))
    data, _ = parse(result.text, "t")
    assert len(SeedsLog.model_validate(data).coalitions) == len(coalitions)


# --- quoting --------------------------------------------------------------------------------


@given(text=st.text(st.characters(blacklist_categories=["Cs"]), max_size=300), start=st.integers(0, 40))
def test_any_text_reads_back_as_written(text: str, start: int) -> None:
    for value in (scalar(text, 6, start=start), quoted(text, 6, start=start)):
        data, _ = parse(f"k:\n    v: {value}\n", "t")
        assert data["k"]["v"] == text


@pytest.mark.parametrize("count", [0, 1, 2, 40])
def test_a_long_flow_list_is_continued_and_reads_back(count: int) -> None:
    from sim.scenario.import_log import _flow_list

    items = [f"S{i}" for i in range(count)]
    lines = _flow_list("sides", items, width=20)
    assert all(len(line) <= 20 for line in lines)
    data, _ = parse("\n".join(lines) + "\n", "t")
    assert data["sides"] == items


# --- errors ---------------------------------------------------------------------------------


def problems(path: Path, **options: object) -> list[str]:
    with pytest.raises(InputError) as caught:
        import_csv(path, Options(**options))  # type: ignore[arg-type]
    return [str(p) for p in caught.value.problems]


def test_every_bad_row_is_reported_once_in_one_run(tmp_path: Path) -> None:
    rows = [
        {},
        {"date": "2018-13-01", "count": "x"},  # two bad cells: the first is reported
        {"count": "-1"},
        {"action_type": "expell"},
        {"in_response_to": "R99"},
        {"deadline": "2019-01-01"},
        {"id": "R1"},
        {"actor": "BB"},
        {"source_url": ""},
    ]
    path = write_csv(tmp_path / "data.csv", rows)
    found = problems(path)
    name = str(path)
    assert found == [
        f"{name}:3:3: column date: '2018-13-01' is not a date YYYY-MM-DD",
        f"{name}:4:7: column count: '-1' is not a whole number of people or posts",
        f"{name}:5:6: column action_type: 'expell' is not one of expel, close_consulate, staff_cap, "
        "recall_ambassador, statement, other; did you mean 'expel'?",
        f"{name}:6:10: column in_response_to: 'R99' is not the id of a row in this file",
        f"{name}:7:9: column deadline: 2019-01-01 is before the row's date 2020-01-10",
        f"{name}:8:1: column id: 'R1' is already the id of the row on line 2",
        f"{name}:9:5: column target: 'BB' is also the actor",
        f"{name}:10:11: column source_url: every row cites its source",
    ]


def test_header_problems_are_named(tmp_path: Path) -> None:
    header = (*(c for c in COLUMNS if c != "note"), "notes")
    found = problems(write_csv(tmp_path / "d.csv", [{}], header))
    assert found[0].endswith("header: missing column(s) note; the header is " + ",".join(COLUMNS))
    assert found[1].endswith(":1:12: header: unknown column 'notes'; did you mean 'note'?")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "file is empty"),
        ("\n\n", "file is empty"),
        (",".join(COLUMNS) + "\n", "the file has a header and no rows"),
        (",".join(COLUMNS) + '\nR1,ep,"2020-01-01\n', "not CSV"),
    ],
)
def test_files_without_rows(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    assert message in problems(path)[0]


def test_unknown_episode_lists_the_known_ones(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", [{"episode": "one"}, {"episode": "two"}])
    with pytest.raises(EpisodeError, match="'three' is not an episode of the file; its episodes: one, two"):
        import_csv(path, Options(episode="three"))


def test_answers_that_go_round_are_refused(tmp_path: Path) -> None:
    rows = [{"in_response_to": "R2"}, {"actor": "BB", "target": "AA", "in_response_to": "R1"}]
    found = problems(write_csv(tmp_path / "d.csv", rows))
    assert len(found) == 2 and all("a circle" in line for line in found)


# --- determinism and the bundled log ---------------------------------------------------------


def test_same_csv_same_options_same_bytes(tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere" / DATA.name
    copy.parent.mkdir()
    copy.write_bytes(DATA.read_bytes())
    one = import_csv(DATA, Options(episode="skripal_2018")).text
    assert import_csv(copy, Options(episode="skripal_2018")).text == one
    assert import_csv(DATA, Options(episode="skripal_2018", coalition_days=3)).text != one


def test_the_bundled_log_is_what_the_importer_makes_of_the_shipped_csv(tmp_path: Path) -> None:
    """seeds/salisbury-2018.yaml is generated: regenerate it with the command in its header."""
    out = tmp_path / "salisbury-2018.yaml"
    outcome = sim_inline("import", DATA, "--episode", "skripal_2018", "--out", out)
    assert outcome.code == 0, outcome.stderr
    assert out.read_bytes() == BUNDLED.read_bytes(), (
        "seeds/salisbury-2018.yaml is stale: sim import seeds/sources/expulsions_pre2022.csv "
        "--episode skripal_2018 --out seeds/salisbury-2018.yaml"
    )


def test_every_episode_imports_and_loads(tmp_path: Path) -> None:
    episodes = list(dict.fromkeys(row["episode"] for row in csv.DictReader(DATA.open(encoding="utf-8"))))
    assert len(episodes) == 15
    for episode in [*episodes, None]:
        out = tmp_path / f"{episode}.yaml"
        out.write_text(import_csv(DATA, Options(episode=episode)).text, encoding="utf-8")
        log = load_seeds(out)
        assert log.acts and len(log.sides) >= 2
    assert len(load_seeds(tmp_path / "None.yaml").acts) == 139


#: The 29 states of the 2018 wave (the data file's README).
STATES_2018 = {
    "UK", "US", "UA", "CA", "DE", "FR", "PL", "CZ", "LT", "MD", "AL", "AU", "DK", "ES", "IT",
    "NL", "BE", "EE", "FI", "GE", "HR", "HU", "IE", "LV", "ME", "MK", "NO", "RO", "SE",
}  # fmt: skip


def test_salisbury_totals_match_the_data_files_table() -> None:
    """153 expelled by the 29 states and NATO (146 + 7), 146 by Russia, one for one; Russia's
    parity order on the UK (count 50) is an expulsion apart, not among the 146."""
    log = load_seeds(BUNDLED)
    expels = [a for a in log.acts if a.kind == "expel"]
    parity = [a for a in expels if "replaceable" in a.model_fields_set]
    described = [(a.id, a.actor, a.target, a.size, a.replaceable) for a in parity]
    assert described == [("SKR18-045", "RU", "UK", 50, False)]
    by_others: dict[str, int] = {}
    by_russia: dict[str, int] = {}
    for act in expels:
        if act in parity:
            continue
        book = by_russia if act.actor == "RU" else by_others
        key = act.target if act.actor == "RU" else act.actor
        book[key] = book.get(key, 0) + act.size
    assert set(by_others) == STATES_2018 | {"NATO"}
    assert sum(by_others.values()) == 153
    assert by_others["NATO"] == 7 and sum(v for k, v in by_others.items() if k != "NATO") == 146
    assert sum(by_russia.values()) == 146
    assert by_russia == {state: n for state, n in by_others.items() if state != "NATO"}


def test_salisbury_coalitions() -> None:
    log = load_seeds(BUNDLED)
    assert set(log.coalitions) == {f"skripal_2018-RU-2018-{day}" for day in ("03-14", "03-30", "04-04")}
    assert log.coalitions["skripal_2018-RU-2018-03-14"].leader == "UK"
    wave = {a.actor for a in log.acts if a.coalition == "skripal_2018-RU-2018-03-14"}
    assert wave == STATES_2018 | {"NATO"}
    batch = [a for a in log.acts if a.coalition == "skripal_2018-RU-2018-03-30"]
    assert len({a.target for a in batch}) == 24 and {a.actor for a in batch} == {"RU"}  # 23 states + the UK


# --- the command ----------------------------------------------------------------------------


def test_cli_writes_the_log_and_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "log.yaml"
    outcome = sim_inline("import", DATA, "--episode", "vrbetice_2021", "--out", out)
    assert outcome.code == 0, outcome.stderr
    assert outcome.stdout.startswith("16 acts between 7 sides, 2 coalitions")
    assert out.read_text(encoding="utf-8").startswith(f"{MARK} from expulsions_pre2022.csv\n")
    outcome = sim_inline("import", DATA, "--episode", "vrbetice_2021", "--out", out, "--json")
    data = json.loads(outcome.stdout)
    assert (data["acts"], data["out"], data["coalitions"][0]["leader"]) == (16, str(out), "CZ")


def test_cli_bad_input_is_one_line_each_exit_2_and_nothing_written(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "data.csv", [{"date": "2018-13-01"}, {"count": "many"}])
    out = tmp_path / "log.yaml"
    outcome = sim_inline("import", path, "--out", out)
    outcome.assert_no_traceback()
    assert outcome.code == 2
    assert outcome.stderr.splitlines() == [
        f"{path}:2:3: column date: '2018-13-01' is not a date YYYY-MM-DD",
        f"{path}:3:7: column count: 'many' is not a whole number of people or posts",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("--episode", "nope"), "--episode: 'nope' is not an episode of the file; its episodes: ep"),
        (("--coalition-days", "two"), "--coalition-days: 'two' is not a whole number"),
        (("--deadline-days", "-1"), "--deadline-days: -1 is not between 0 and 3,650"),
    ],
)
def test_cli_bad_options(tmp_path: Path, args: tuple[str, ...], line: str) -> None:
    path = write_csv(tmp_path / "data.csv", [{}])
    outcome = sim_inline("import", path, "--out", tmp_path / "log.yaml", *args)
    outcome.assert_no_traceback()
    assert (outcome.code, outcome.stderr.strip()) == (2, line)
    assert not (tmp_path / "log.yaml").exists()


def test_cli_replaces_only_what_it_wrote(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "data.csv", [{}])
    mine = tmp_path / "mine.yaml"
    mine.write_text("title: written by hand\n", encoding="utf-8")
    outcome = sim_inline("import", path, "--out", mine)
    assert outcome.code == 2 and "was not written by sim import; not replacing it" in outcome.stderr
    assert mine.read_text(encoding="utf-8") == "title: written by hand\n"
    assert sim_inline("import", path, "--out", mine, "--force").code == 0
    assert sim_inline("import", path, "--out", mine, "--coalition-days", "3").code == 0  # its own file
    assert "--coalition-days 3" in mine.read_text(encoding="utf-8")
    outcome = sim_inline("import", path, "--out", path, "--force")
    assert outcome.code == 2 and "is the CSV being imported" in outcome.stderr
    assert sim_inline("import", path, "--out", tmp_path).code == 2  # a directory


@pytest.mark.parametrize(
    ("name", "message"), [("missing.csv", "file not found"), ("", "is not a regular file; give a CSV file")]
)
def test_cli_a_csv_that_is_not_there(tmp_path: Path, name: str, message: str) -> None:
    outcome = sim_inline("import", tmp_path / name, "--out", tmp_path / "log.yaml")
    outcome.assert_no_traceback()
    assert outcome.code == 2 and outcome.stderr.strip() == f"{tmp_path / name}:1:1: {message}"
    assert not (tmp_path / "log.yaml").exists()


def test_output_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    texts = []
    for seed in ("1", "2"):
        out = tmp_path / f"{seed}.yaml"
        assert sim_process("import", DATA, "--out", out, hash_seed=seed).code == 0
        texts.append(out.read_bytes())
    assert texts[0] == texts[1]
