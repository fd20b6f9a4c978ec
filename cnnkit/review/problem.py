"""One practice problem: its kind, its topic, where the course teaches it, and its checker.

A topic generator (:mod:`cnnkit.review.topics`) returns a :class:`Draft`; :func:`make_problem`
in :mod:`cnnkit.review.practice` verifies it (Keras or NumPy for calculations) and turns it into
a :class:`PracticeProblem`. This module imports no topic, so topics can import it freely.

Kinds (the exam's question types):

- ``calculation`` (计算题): a number, a shape or a table, also typed as text ('3,904',
  '28x28x6'); verified by Keras or NumPy; a real number judged at the precision its statement
  asks.
- ``choice`` (选择题): one option, by letter, index (0 for A) or text; a justification after
  checking.
- ``true_false`` (判断题): True/False, 1/0, 'true'/'false', 'T'/'F', '对'/'错'.
- ``ordering`` (排序题): the letters of the shuffled steps in the right order.
- ``short_answer`` (简答题): the letters of every true statement among ``options`` (key ideas
  and wrong ones); free text is not graded ("not understood"), the model answer is in the
  solution.
- ``design`` (分析设计题): a Keras model or layer list checked against a goal and constraints.

An answer the kit cannot read is "not attempted" with a "Not understood" message (never counted
wrong), see :func:`judge`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
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

KINDS: tuple[str, ...] = (
    "calculation",
    "choice",
    "true_false",
    "ordering",
    "short_answer",
    "design",
)
KIND_NAMES = {
    "calculation": "calculation 计算题",
    "choice": "choice 选择题",
    "true_false": "true/false 判断题",
    "ordering": "ordering 排序题",
    "short_answer": "short answer 简答题",
    "design": "design 分析设计题",
}
LETTERS = "ABCDEFGHIJKLMNOP"
#: Longer text answers are refused without being read; longer messages are cut.
MAX_ANSWER_CHARACTERS = 5_000
MAX_MESSAGE_CHARACTERS = 400


@dataclass(frozen=True)
class Source:
    """The chapter section that teaches a problem: ``notebooks/<notebook>.ipynb``, ``heading``."""

    notebook: str  # "04_classic_cnns"
    heading: str  # "6. GoogLeNet (2014): the inception module", as in notebooks/src

    @property
    def chapter(self) -> str:
        return self.notebook[:2]

    def __str__(self) -> str:
        return f'chapter {self.chapter}, section "{self.heading}" (notebooks/{self.notebook}.ipynb)'


@dataclass
class Draft:
    """What a topic generator returns: a problem before it is verified.

    ``verify()`` returns (agrees, what Keras/NumPy computed); concept items verify trivially.
    """

    statement: str
    answer: Any
    solution: str
    checker: Callable[[Any], Result]
    verify: Callable[[], tuple[bool, Any]]
    data: dict = field(default_factory=dict)
    kind: str = "calculation"
    source: Source | None = None
    options: tuple[str, ...] = ()
    justification: str = ""


def _record(event: str, topic: str, item: str, status: str) -> None:
    """Record a check in the student's progress file; never breaks checking."""
    try:
        from cnnkit.progress_store import record
    except ImportError:  # progress store not installed in this version of the kit
        return
    try:
        record(event, topic, item, status)
    except Exception as error:  # a broken progress file must not stop the student
        log.debug("progress not recorded: %s", error)


def _short(text: str, limit: int = 60) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def not_understood(message: str) -> Result:
    """An answer the kit cannot read: not attempted (never counted wrong), said plainly."""
    message = str(message)
    if not message.startswith("Not understood"):
        message = f"Not understood: {message}"
    return not_attempted(_short(message, MAX_MESSAGE_CHARACTERS))


def judge(checker: Callable[[Any], Result], answer, refusal_is_wrong: bool = False) -> Result:
    """``checker(answer)`` guarded: a blank answer is not attempted, an unreadable one "not
    understood", a checker error never a traceback, a message never a wall of text.

    ``refusal_is_wrong``: the checker's ``StudentCodeError`` is a verdict (incorrect), as in the
    design checker, which raises it for a model that breaks a constraint.
    """
    try:
        blank = is_blank(answer)
    except Exception:  # a student's container whose __len__ or values() fails
        return not_understood("could not read this answer.")
    if blank:
        return not_attempted("Replace the ... with your answer, then check again.")
    if isinstance(answer, (str, bytes)) and len(answer) > MAX_ANSWER_CHARACTERS:
        return not_understood(
            f"that answer is {len(answer):,} characters long; answers here are a number, a "
            "shape, a letter or a list."
        )
    try:
        result = checker(answer)
    except StudentCodeError as error:
        return incorrect(str(error)) if refusal_is_wrong else not_understood(str(error))
    except Exception as error:  # a checker must never show a traceback
        return not_understood(
            f"could not read this answer ({type(error).__name__}). Is it the kind of value the "
            "problem asks for?"
        )
    if len(result.message) > MAX_MESSAGE_CHARACTERS:
        result = Result(result.status, _short(result.message, MAX_MESSAGE_CHARACTERS))
    return result


@dataclass(repr=False)
class PracticeProblem:
    """One practice problem: ``.kind``, ``.topic``, ``.statement``, ``.answer``, ``.source``,
    ``.check(answer)``, ``.show_solution()``. Shows its statement (never its answer) in a notebook.
    """

    topic: str
    statement: str
    answer: Any
    solution: str
    checker: Callable[[Any], Result]
    data: dict = field(default_factory=dict)
    verified: bool = False
    number: int | None = None
    last_result: Result | None = None
    kind: str = "calculation"
    source: Source | None = None
    options: tuple[str, ...] = ()
    justification: str = ""
    event: str | None = "practice"  # how a check is recorded in the progress file (None: not)

    @property
    def label(self) -> str:
        prefix = f"Problem {self.number}" if self.number is not None else "Problem"
        return f"{prefix} ({self.topic})"

    def check(self, answer=Ellipsis) -> Result:
        """Check an answer; never raises. ``...`` or None means not attempted.

        An answer the kit cannot read (a text that is not a number or a shape, an option that
        does not exist, a list of the wrong kind) is "not attempted" with a message starting
        "Not understood": it is never counted wrong, in progress or in a mock exam's score.
        """
        result = judge(self.checker, answer, refusal_is_wrong=self.kind == "design")
        if result.status == "incorrect" and self.source is not None:
            result = Result(result.status, f"{result.message} Read: {self.source}.")
        result = Result(result.status, result.message, self.label)
        self.last_result = result
        if result.status != "not attempted" and self.event:
            _record(self.event, self.topic, self.kind, result.status)
        return result

    def typical_mistake(self):
        """A wrong answer students often give to this problem (its check names the mistake).

        None when the topic defines none. Used by the chapter 08 notebook to show the teaching
        messages; handy for testing a checker too.
        """
        return getattr(self.checker, "typical_mistake", None)

    def show_solution(self) -> Markdown:
        """The worked solution, step by step, ending with the answer (recorded as viewed)."""
        if self.event:
            _record(self.event, self.topic, self.kind, "solution")
        where = f"\n\n*Taught in {self.source}.*" if self.source else ""
        return Markdown(f"**Solution of {self.label}**\n\n{self.solution}{where}")

    def options_markdown(self) -> str:
        return "\n".join(f"- **{LETTERS[i]}.** {option}" for i, option in enumerate(self.options))

    def _repr_markdown_(self) -> str:
        parts = [f"**{self.label}** · *{KIND_NAMES.get(self.kind, self.kind)}*", self.statement]
        if self.options:
            parts.append(self.options_markdown())
        return "\n\n".join(parts)

    def __str__(self) -> str:
        options = "\n".join(f"  {LETTERS[i]}. {o}" for i, o in enumerate(self.options))
        return f"{self.label} [{self.kind}]\n{self.statement}" + (f"\n{options}" if options else "")

    __repr__ = __str__  # never the answer, never a memory address


class MissingProblem:
    """What ``exam[number]`` gives for a number that does not exist: a message, no traceback."""

    def __init__(self, message: str):
        self.message = message
        self.number = None
        self.topic = "none"
        self.kind = "none"

    def check(self, answer=Ellipsis) -> Result:
        return not_attempted(self.message)

    def show_solution(self) -> Markdown:
        return Markdown(self.message)

    def _repr_markdown_(self) -> str:
        return self.message

    def __str__(self) -> str:
        return self.message

    __repr__ = __str__
