"""Figures of the exam review (chapter 08): the mock exam's result per topic."""

from __future__ import annotations

from cnnkit.plots.common import pyplot
from cnnkit.style import label

CORRECT_COLOUR = "#2e7d32"
WRONG_COLOUR = "#c62828"
BLANK_COLOUR = "#bdbdbd"


def exam_results(exam):
    """Horizontal bars, one per topic (course order) of a ``MockExam``: correct, wrong, blank.

    Draws ``exam.status_by_topic()`` (each problem's last checked answer, as ``exam.score()``
    reads it); the figure module needs nothing else from the review package.
    """
    problems = list(exam)
    if not problems:
        raise ValueError("The exam has no problems to plot.")
    by_topic = exam.status_by_topic()
    topics = list(by_topic)
    counts = {
        kind: {topic: by_topic[topic][kind] for topic in topics}
        for kind in ("correct", "incorrect", "not attempted")
    }
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(topics) + 1.8))
    left = [0] * len(topics)
    for status, colour, name in (
        ("correct", CORRECT_COLOUR, "correct"),
        ("incorrect", WRONG_COLOUR, "wrong"),
        ("not attempted", BLANK_COLOUR, "not attempted"),
    ):
        values = [counts[status][topic] for topic in topics]
        ax.barh(topics, values, left=left, color=colour, label=name)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel("problems")
    ax.xaxis.get_major_locator().set_params(integer=True)
    correct = sum(counts["correct"].values())
    ax.set_title(f"{label('Mock exam', '模拟考试')}: {correct}/{len(problems)} correct")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize="small")
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    plt.close(fig)
    return fig
