"""Question sets written by someone who never saw the code, graded on what the answers contain.

``heldout_dev.yaml`` is the half the project was developed against; ``heldout_test.yaml`` (when
present) is the half run once, at the end of issue 15, and reported as it was — both now guard
against regressions. The floor is the share measured then: it may rise, never fall. Every miss
is listed in the failure message (``python -m tests.heldout FILE`` prints the same).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.heldout import load, report, run

HERE = Path(__file__).parent / "questions"
# The share right when each set was last measured (docs/answers.md: dev 177/185 and test 161/185
# in its one run at the end of issue 15's first round; dev 179/185 and test 183/185 after the second,
# with the test half by then development data); a change may only raise it.
# ``heldout_fresh.yaml`` was written afterwards by another helper from the documents alone and run
# once, after that second round: 176/200 (88.0%); it is development data from then on. After the
# third round (docs/answers.md): dev 179/185, test 184/185, fresh 198/200. The new set (320, a fourth
# writer): its development half 133/160 after the fourth round; its sealed half, run once on 117c700,
# 136/160 (85.0%), reported as it came out, and development data from then on. ``heldout_small.yaml``:
# 30 questions a fifth writer finished (of 200 asked), run once on a257816: 28/30. The seventh set
# (316, two writers): dev 134/158, test half run once on 3352190 128/158 (81.0%). The eighth (338,
# two more writers): dev 148/169 at first look, 162/169 after round 7; test half run once on 1492775,
# 158/169 (93.5%), as it came out; both halves are development data from then on.
FLOORS = {"heldout_dev.yaml": 0.96, "heldout_test.yaml": 0.99, "heldout_fresh.yaml": 0.99,
          "heldout_new_dev.yaml": 0.93, "heldout_new_test.yaml": 0.96,
          "heldout_small.yaml": 0.96, "heldout_r7_dev.yaml": 0.97, "heldout_r7_test.yaml": 0.97,
          "heldout_r8_dev.yaml": 0.95, "heldout_r8_test.yaml": 0.98,
          "heldout_r9.yaml": 0.92, "heldout_r9_late.yaml": 0.96,
          "heldout_r10_dev.yaml": 0.96, "heldout_r10_test.yaml": 0.93,
          "heldout_r10_late.yaml": 0.96,
          "heldout_r11_dev.yaml": 0.92, "heldout_r11_test.yaml": 0.90,
          "heldout_r12_dev.yaml": 0.95, "heldout_r13_dev.yaml": 0.95,
          "heldout_r13_test.yaml": 0.90, "heldout_r14_dev.yaml": 0.95, "heldout_r14_test.yaml": 0.90}


@pytest.mark.parametrize("name", [n for n in FLOORS if (HERE / n).exists()])
def test_heldout_set(store, name):
    results = run(store, load(HERE / name))
    right = sum(r.right for r in results) / len(results)
    assert right >= FLOORS[name], report(results)


def test_grader_fails_a_wrong_answer(store):
    """The grader is not a rubber stamp: a question with a wrong expectation is a miss."""
    case = {"id": "x", "city": "hejin", "q": "税务局有哪些指标", "asker": None,
            "expect": {"indicators": [1]}}
    assert not run(store, [case])[0].right
    case["expect"] = {"indicators": [7, 19]}
    assert run(store, [case])[0].right


def test_grader_reads_one_date_in_any_written_form():
    """2023-6-30 in a set matches 2023-06-30 or 2023年6月30日 in a reply; another day does not."""
    from tests.heldout import _squash

    assert _squash("2023-6-30") in _squash("方案于 2023-06-30 印发")
    assert _squash("2023-6-30") in _squash("2023年6月30日印发")
    assert _squash("2023-6-30") not in _squash("2023-06-03 印发")
