"""Endless exam-style practice problems whose answers are checked by Keras before you see them.

    from cnnkit.review import practice, mock_exam
    problems = practice("conv_output_size", n=5, seed=1)
    problems[0]                       # the statement (Markdown in a notebook)
    problems[0].check((28, 28, 6))    # correct / incorrect with a teaching message / not attempted
    problems[0].show_solution()       # worked step by step with the numbers

    exam = mock_exam(seed=7)          # 20 mixed problems
    exam.answer(1, (14, 14, 16))      # problems are numbered 1..20, as shown
    exam.score()                      # score and the topics to revisit

Every answer is computed by hand-written arithmetic (shown in the solution) and then verified
by Keras itself (building the layer and reading its output shape / ``count_params()``, or running
the op). A problem on which Keras disagrees is never shown: it is regenerated, counted in
``REJECTED`` and logged. The topic generators live in :mod:`cnnkit.review.practice_topics`.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cnnkit.exercises.core import (
    Markdown,
    Result,
    StudentCodeError,
    incorrect,
    is_blank,
    not_attempted,
)

log = logging.getLogger(__name__)

#: Problems whose hand-computed answer Keras disagreed with (never shown to students).
REJECTED: list[dict] = []

_MAX_ATTEMPTS = 20


@dataclass
class Draft:
    """What a topic generator returns: a problem before Keras has verified it."""

    statement: str
    answer: Any
    solution: str
    checker: Callable[[Any], Result]
    verify: Callable[[], tuple[bool, Any]]  # -> (Keras agrees, what Keras computed)
    data: dict = field(default_factory=dict)


@dataclass
class PracticeProblem:
    """One practice problem: ``.statement``, ``.answer``, ``.solution``, ``.check(answer)``."""

    topic: str
    statement: str
    answer: Any
    solution: str
    checker: Callable[[Any], Result] = field(repr=False)
    data: dict = field(default_factory=dict, repr=False)
    verified: bool = False
    number: int | None = None
    last_result: Result | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        prefix = f"Problem {self.number}" if self.number is not None else "Problem"
        return f"{prefix} ({self.topic})"

    def check(self, answer=Ellipsis) -> Result:
        """Check an answer; never raises. ``...`` or None means not attempted."""
        if is_blank(answer):
            result = not_attempted("Replace the ... with your answer, then check again.")
        else:
            try:
                result = self.checker(answer)
            except StudentCodeError as error:
                result = incorrect(str(error))
            except Exception as error:  # a checker must never show a traceback
                result = incorrect(
                    f"Could not read this answer ({type(error).__name__}: {error}). "
                    "Is it the kind of value the problem asks for?"
                )
        result = Result(result.status, result.message, self.label)
        self.last_result = result
        return result

    def typical_mistake(self):
        """A wrong answer students often give to this problem (its check names the mistake).

        None when the topic defines none. Used by the chapter 08 notebook to show the teaching
        messages; handy for testing a checker too.
        """
        return getattr(self.checker, "typical_mistake", None)

    def show_solution(self) -> Markdown:
        """The worked solution, step by step, ending with the answer."""
        return Markdown(f"**Solution of {self.label}**\n\n{self.solution}")

    def _repr_markdown_(self) -> str:
        return f"**{self.label}**\n\n{self.statement}"

    def __str__(self) -> str:
        return f"{self.label}\n{self.statement}"


def _topics():
    from cnnkit.review import practice_topics

    return practice_topics.GENERATORS


def _resolve_topics(topic) -> list[str]:
    from cnnkit.review.practice_topics import TOPICS

    if topic is None:
        return list(TOPICS)
    names = [topic] if isinstance(topic, str) else list(topic)
    unknown = [name for name in names if name not in TOPICS]
    if unknown or not names:
        raise ValueError(f"Unknown topic(s) {unknown or names}; choose from: {', '.join(TOPICS)}.")
    return names


def make_problem(topic: str, rng: random.Random, verify: bool = True) -> PracticeProblem:
    """One problem of ``topic`` drawn with ``rng``; regenerated until Keras agrees."""
    generator = _topics()[topic]
    for _ in range(_MAX_ATTEMPTS):
        draft = generator(rng)
        if verify:
            agrees, keras_value = draft.verify()
            if not agrees:
                REJECTED.append(
                    {
                        "topic": topic,
                        "data": draft.data,
                        "answer": draft.answer,
                        "keras": keras_value,
                    }
                )
                log.warning(
                    "practice: Keras disagrees on a %s problem (answer %r, Keras %r); regenerating.",
                    topic,
                    draft.answer,
                    keras_value,
                )
                continue
        return PracticeProblem(
            topic=topic,
            statement=draft.statement,
            answer=draft.answer,
            solution=draft.solution,
            checker=draft.checker,
            data=draft.data,
            verified=verify,
        )
    raise RuntimeError(
        f"Keras disagreed with {_MAX_ATTEMPTS} generated {topic!r} problems in a row; "
        "see cnnkit.review.practice.REJECTED (a bug in the generator or a Keras change)."
    )


def practice(
    topic: str | Sequence[str] | None = None,
    n: int = 10,
    seed: int | None = None,
    verify: bool = True,
) -> list[PracticeProblem]:
    """``n`` practice problems on ``topic`` (one name, a list, or None for a mix of all TOPICS).

    The same ``seed`` gives the same problems; ``seed=None`` gives fresh ones. With
    ``verify=True`` (the default) each answer is checked by building the Keras layer or running
    the Keras op before the problem is returned.
    """
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}.")
    names = _resolve_topics(topic)
    rng = random.Random(seed)
    problems = []
    for number in range(1, n + 1):
        name = names[0] if len(names) == 1 else rng.choice(names)
        problem = make_problem(name, rng, verify=verify)
        problem.number = number
        problems.append(problem)
    return problems


@dataclass
class ExamScore:
    """The outcome of a mock exam."""

    correct: int
    attempted: int
    total: int
    revisit: list[str]

    @property
    def percent(self) -> float:
        return 100.0 * self.correct / self.total if self.total else 0.0

    def __str__(self) -> str:
        text = (
            f"Score: {self.correct}/{self.total} ({self.percent:.0f}%), {self.attempted} attempted."
        )
        if self.revisit:
            text += " Topics to revisit: " + ", ".join(self.revisit) + "."
        elif self.correct == self.total:
            text += " Nothing to revisit: well done."
        return text

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return str(self)


class MockExam:
    """A mixed set of problems numbered 1..n; answer with ``exam.answer(i, value)``."""

    def __init__(self, problems: list[PracticeProblem]):
        self.problems = problems

    def __len__(self) -> int:
        return len(self.problems)

    def __iter__(self):
        return iter(self.problems)

    def __getitem__(self, number: int) -> PracticeProblem:
        return self.problems[self._index(number)]

    def _index(self, number: int) -> int:
        if isinstance(number, bool) or not isinstance(number, int):
            raise TypeError(f"Problem numbers are integers 1..{len(self)}, got {number!r}.")
        if not 1 <= number <= len(self):
            raise ValueError(f"Problems are numbered 1..{len(self)} (as shown), got {number}.")
        return number - 1

    def answer(self, number: int, value) -> Result:
        """Check ``value`` as the answer of problem ``number`` (1-based, as shown) and record it."""
        return self.problems[self._index(number)].check(value)

    def score(self, show: bool = True) -> ExamScore:
        """Count the correct answers (last attempt of each problem) and list topics to revisit."""
        results = [problem.last_result for problem in self.problems]
        correct = sum(1 for r in results if r is not None and r.status == "correct")
        attempted = sum(1 for r in results if r is not None and r.status != "not attempted")
        missed = Counter(
            problem.topic
            for problem, r in zip(self.problems, results, strict=True)
            if r is None or r.status != "correct"
        )
        score = ExamScore(
            correct, attempted, len(self.problems), [t for t, _ in missed.most_common()]
        )
        if show:
            print(score)
        return score

    def solutions(self) -> Markdown:
        return Markdown("\n\n---\n\n".join(p.show_solution() for p in self.problems))

    def _repr_markdown_(self) -> str:
        parts = [f"### Mock exam: {len(self)} problems (answer with `exam.answer(i, value)`)"]
        parts += [problem._repr_markdown_() for problem in self.problems]
        return "\n\n".join(parts)

    def __str__(self) -> str:
        return "\n\n".join(str(problem) for problem in self.problems)

    __repr__ = __str__  # deterministic text (no memory address) in consoles and saved notebooks


def mock_exam(n: int = 20, seed: int | None = None, verify: bool = True) -> MockExam:
    """A mock exam of ``n`` problems mixing every topic (each topic at least once when n allows)."""
    from cnnkit.review.practice_topics import TOPICS

    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}.")
    rng = random.Random(seed)
    names = list(TOPICS)
    rng.shuffle(names)
    names = (names * (n // len(names) + 1))[:n]
    rng.shuffle(names)
    problems = []
    for number, name in enumerate(names, start=1):
        problem = make_problem(name, rng, verify=verify)
        problem.number = number
        problems.append(problem)
    return MockExam(problems)
