"""A mock exam shaped like the real one: sections by kind, points, a time suggestion, answers
collected and judged at submission, a score report by section and topic with the chapters to
revisit, and a printable HTML/PDF version whose answer key is on separate pages.

    exam = mock_exam()                # your paper: 20 problems in six sections
    exam                              # the paper (Markdown in a notebook), no answers
    exam.answer(3, "B")               # recorded, not judged: no feedback before submission
    exam.submit()                     # judged now; the first submission is the score
    exam.feedback()                   # after submission: each problem's verdict and message
    exam.retake()                     # a new paper (the submitted one keeps its score)
    exam.save("my_exam")              # mock_exam.html and mock_exam.pdf (answer key at the end)

Papers are per student: the student id (``ck.exercises.seed()``, or ``student=...``) and the
attempt number pick the problems, so the same student gets the same paper again (reproducible)
and another student another one. An answer the kit cannot read is "not understood" at
submission: not attempted, never counted wrong.
"""

from __future__ import annotations

import html
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from cnnkit.exercises.core import Markdown, Result, is_blank, not_attempted
from cnnkit.review.practice import check_count, check_seed, make_problem, student_id
from cnnkit.review.problem import LETTERS, MissingProblem, PracticeProblem, _short

#: The most problems one mock exam holds.
MAX_EXAM_PROBLEMS = 100


@dataclass(frozen=True)
class Section:
    kind: str
    title: str
    chinese: str
    points: int  # per problem
    minutes: float  # suggested per problem
    share: float  # fraction of the exam's problems


SECTIONS: tuple[Section, ...] = (
    Section("choice", "Choice", "选择题", 2, 1.5, 5 / 20),
    Section("true_false", "True or false", "判断题", 1, 1.0, 4 / 20),
    Section("ordering", "Ordering", "排序题", 3, 2.0, 2 / 20),
    Section("calculation", "Calculation", "计算题", 5, 5.0, 5 / 20),
    Section("short_answer", "Short answer", "简答题", 5, 4.0, 2 / 20),
    Section("design", "Analysis and design", "分析设计题", 10, 12.0, 2 / 20),
)
_BY_KIND = {section.kind: section for section in SECTIONS}


def plan(n: int) -> dict[str, int]:
    """How many problems of each kind an exam of ``n`` problems has (one of each when n >= 6)."""
    counts = {s.kind: 1 if n >= len(SECTIONS) else 0 for s in SECTIONS}
    rest = n - sum(counts.values())
    wanted = {s.kind: s.share * rest for s in SECTIONS}
    for kind in counts:
        counts[kind] += int(wanted[kind])
    order = sorted(SECTIONS, key=lambda s: wanted[s.kind] - int(wanted[s.kind]), reverse=True)
    for section in order[: n - sum(counts.values())]:
        counts[section.kind] += 1
    return counts


def _markdown_to_html(text: str) -> str:
    try:
        from markdown_it import MarkdownIt
    except ImportError:  # markdown-it comes with Keras (through rich); plain text otherwise
        return f"<pre>{html.escape(text)}</pre>"
    return MarkdownIt("commonmark").enable("table").render(text)


@dataclass
class ExamScore:
    """The outcome of a mock exam: points by section and topic, chapters to revisit."""

    points: float
    total: float
    correct: int
    attempted: int
    count: int
    sections: list[tuple[str, int, int, float, float]]  # title, correct, count, points, total
    topics: list[tuple[str, int, int]]  # topic, correct, count (weakest first)
    revisit: list[str]  # topics with a miss, weakest first
    chapters: list[str]  # "chapter 04, section ..." to read again

    @property
    def percent(self) -> float:
        return 100.0 * self.points / self.total if self.total else 0.0

    def __str__(self) -> str:
        text = (
            f"Score: {self.points:g}/{self.total:g} points ({self.percent:.0f}%), "
            f"{self.correct}/{self.count} problems correct, {self.attempted} attempted."
        )
        if self.revisit:
            text += " Topics to revisit: " + ", ".join(self.revisit) + "."
        else:
            text += " Nothing to revisit: well done."
        return text

    __repr__ = __str__

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(title)}</td><td>{right}/{count}</td>"
            f"<td>{points:g}/{total:g}</td></tr>"
            for title, right, count, points, total in self.sections
        )
        topics = "".join(
            f"<tr><td>{html.escape(topic)}</td><td>{right}/{count}</td></tr>"
            for topic, right, count in self.topics
        )
        chapters = "".join(f"<li>{html.escape(c)}</li>" for c in self.chapters)
        read = f"<p><b>Read again:</b></p><ul>{chapters}</ul>" if chapters else ""
        return (
            f"<div><p><b>{html.escape(str(self).split(' Topics')[0])}</b></p>"
            "<table><thead><tr><th>section</th><th>correct</th><th>points</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
            "<table><thead><tr><th>topic (weakest first)</th><th>correct</th></tr></thead>"
            f"<tbody>{topics}</tbody></table>{read}</div>"
        )


@dataclass(frozen=True)
class Recorded:
    """What ``exam.answer(i, value)`` gives before submission: the answer is kept, not judged."""

    number: int
    message: str
    status: str = "recorded"

    def __str__(self) -> str:
        return self.message

    __repr__ = __str__


class ExamQuestion:
    """One question of a mock exam as the student sees it: statement, options, number, topic,
    kind and section; ``check(value)`` records an answer (``exam.answer``) without judging it.
    The answer and the solution open only after ``exam.submit()``."""

    def __init__(self, exam: MockExam, problem: PracticeProblem):
        self._exam = exam
        self._problem = problem
        for name in ("number", "topic", "kind", "statement", "options", "source", "label"):
            setattr(self, name, getattr(problem, name))

    @property
    def last_result(self) -> Result | None:
        """The verdict given at submission (None before)."""
        return self._exam._results.get(self.number)

    @property
    def answer(self):
        """The right answer, once the paper is submitted; None before."""
        return self._problem.answer if self._exam.submitted else None

    def check(self, answer=Ellipsis):
        return self._exam.answer(self.number, answer)

    def typical_mistake(self):
        """A wrong answer students often give (for demonstrations and tests)."""
        return self._problem.typical_mistake()

    def show_solution(self) -> Markdown:
        if not self._exam.submitted:
            return Markdown("The solutions open after `exam.submit()`.")
        return self._problem.show_solution()

    def _repr_markdown_(self) -> str:
        return self._problem._repr_markdown_()

    def __str__(self) -> str:
        return str(self._problem)

    __repr__ = __str__


class MockExam:
    """Problems numbered 1..n in sections by kind: ``exam.answer(i, value)`` collects answers,
    ``exam.submit()`` judges them once (the first submission scores), ``exam.retake()`` draws a
    new paper for the same student."""

    def __init__(
        self, problems: list[PracticeProblem], seed=None, student: int = 0, attempt: int = 0
    ):
        self._problems = problems
        self.seed = seed
        self.student = student
        self.attempt = attempt
        self._answers: dict[int, object] = {}
        self._results: dict[int, Result] = {}
        self._score: ExamScore | None = None
        self._questions = [ExamQuestion(self, p) for p in problems]

    @property
    def submitted(self) -> bool:
        return self._score is not None

    @property
    def problems(self) -> list[ExamQuestion]:
        return list(self._questions)

    def __len__(self) -> int:
        return len(self._problems)

    def __iter__(self):
        return iter(self._questions)

    def _missing(self, number) -> str | None:
        if isinstance(number, bool) or not isinstance(number, int):
            return f"Problem numbers are whole numbers 1..{len(self)}; got {_short(number, 40)!r}."
        if not 1 <= number <= len(self):
            return (
                f"There is no problem {number}: this exam's problems are numbered 1..{len(self)}."
            )
        return None

    def __getitem__(self, number: int):
        message = self._missing(number)
        return MissingProblem(message) if message else self._questions[number - 1]

    def answer(self, number: int, value):
        """Keep ``value`` as the answer of problem ``number`` (1-based, as shown); no verdict
        before ``submit()``; a later answer to the same problem replaces it. Never raises."""
        message = self._missing(number)
        if message:
            return not_attempted(message)
        if self.submitted:
            return not_attempted(
                "This paper is submitted and scored; exam.retake() draws a new paper."
            )
        try:
            blank = is_blank(value)
        except Exception:  # a student's container that cannot be read: judged at submission
            blank = False
        if blank:
            self._answers.pop(number, None)
            return not_attempted(f"Problem {number} left blank.")
        self._answers[number] = value
        return Recorded(
            number,
            f"Answer to problem {number} recorded; it is judged when you submit (exam.submit()).",
        )

    def submit(self) -> ExamScore:
        """Judge every recorded answer now and return the score. Only the first submission
        scores: submitting again returns that same score (``retake()`` for a new paper)."""
        if self._score is None:
            for problem in self._problems:
                if problem.number in self._answers:
                    result = problem.check(self._answers[problem.number])
                else:
                    result = not_attempted("Left blank.")
                self._results[problem.number] = result
            self._score = self._compute_score()
        return self._score

    def score(self) -> ExamScore:
        """The score of the first submission (submits the paper if it is not yet submitted)."""
        return self.submit()

    def feedback(self) -> Markdown:
        """After submission: each problem's verdict and message (before: how to submit)."""
        if not self.submitted:
            return Markdown("Feedback opens after `exam.submit()`: answers are judged together.")
        lines = [
            f"- **{p.number}** ({p.topic}): {self._results[p.number].status}. "
            f"{self._results[p.number].message}"
            for p in self._problems
        ]
        return Markdown("\n".join(lines))

    def retake(self, verify: bool = True) -> MockExam:
        """A new paper for the same student (the next attempt): other problems, same plan."""
        return mock_exam(
            n=len(self),
            seed=self.seed,
            verify=verify,
            record=self._problems[0].event is not None if self._problems else True,
            student=self.student,
            attempt=self.attempt + 1,
        )

    def key(self) -> dict[int, object]:
        """The answer key {number: answer}, for a teacher or a demonstration (reading it before
        submitting defeats the exam; ``save()`` prints it on separate pages too)."""
        return {p.number: p.answer for p in self._problems}

    def points_of(self, problem: PracticeProblem) -> int:
        return _BY_KIND[problem.kind].points

    @property
    def total_points(self) -> int:
        return sum(self.points_of(p) for p in self.problems)

    @property
    def minutes(self) -> int:
        return round(sum(_BY_KIND[p.kind].minutes for p in self.problems))

    def sections(self) -> list[tuple[Section, list[PracticeProblem]]]:
        return [
            (s, [p for p in self.problems if p.kind == s.kind])
            for s in SECTIONS
            if any(p.kind == s.kind for p in self.problems)
        ]

    def status_by_topic(self) -> dict[str, Counter]:
        """{topic: Counter of "correct", "incorrect", "not attempted"} in course order (the order
        of ``review.topics.TOPICS``), from each problem's last check. What the exam figure draws."""
        from cnnkit.review.topics import TOPICS

        order = {topic: index for index, topic in enumerate(TOPICS)}
        topics = sorted({p.topic for p in self}, key=lambda t: order.get(t, len(order)))
        counts = {topic: Counter() for topic in topics}
        for problem in self:
            result = problem.last_result
            counts[problem.topic]["not attempted" if result is None else result.status] += 1
        return counts

    def _compute_score(self) -> ExamScore:
        """Points by section and topic from the verdicts given at submission, and what to read
        again; as the last line of a cell the report is shown once (as a table)."""
        results = self._results
        right = {id(p): results[p.number].status == "correct" for p in self}
        attempted = sum(1 for p in self if results[p.number].status != "not attempted")
        sections = [
            (
                f"{s.title} {s.chinese}",
                sum(right[id(p)] for p in problems),
                len(problems),
                sum(self.points_of(p) for p in problems if right[id(p)]),
                sum(self.points_of(p) for p in problems),
            )
            for s, problems in self.sections()
        ]
        per_topic_total = Counter(p.topic for p in self)
        per_topic_right = Counter(p.topic for p in self if right[id(p)])
        topics = sorted(
            ((t, per_topic_right[t], c) for t, c in per_topic_total.items()),
            key=lambda row: (row[1] / row[2], row[0]),
        )
        missed = [p for p in self if not right[id(p)]]
        revisit = [t for t, r, c in topics if r < c]
        chapters = list(dict.fromkeys(str(p.source) for p in missed if p.source is not None))
        points = sum(self.points_of(p) for p in self if right[id(p)])
        return ExamScore(
            points,
            self.total_points,
            sum(right.values()),
            attempted,
            len(self),
            sections,
            topics,
            revisit,
            chapters,
        )

    def solutions(self) -> Markdown:
        """The worked solutions, once the paper is submitted."""
        if not self.submitted:
            return Markdown("The solutions open after `exam.submit()`.")
        return Markdown("\n\n---\n\n".join(p.show_solution() for p in self._problems))

    def _header(self) -> str:
        return (
            f"{len(self)} problems, {self.total_points} points, suggested time {self.minutes} "
            "minutes. Answer with `exam.answer(i, value)` (no feedback before submission); "
            "`exam.submit()` judges all answers once and gives the report."
        )

    def _repr_markdown_(self) -> str:
        parts = [f"### Mock exam (模拟考试)\n\n{self._header()}"]
        for section, problems in self.sections():
            parts.append(
                f"#### {section.title} ({section.chinese}): {len(problems)} × {section.points} points"
            )
            parts += [p._repr_markdown_() for p in problems]
        return "\n\n".join(parts)

    def __str__(self) -> str:
        return "\n\n".join(str(problem) for problem in self._problems)

    __repr__ = __str__  # deterministic text (no memory address, no answers)

    # ------------------------------------------------------------------ printable

    def to_html(self, answer_key: bool = True) -> str:
        """The exam as one printable HTML page; the answer key starts on a new page."""
        css = (
            "@page{size:A4;margin:16mm}body{font-family:'DejaVu Sans','WenQuanYi Micro Hei',"
            "'Noto Sans CJK SC',sans-serif;font-size:10.5pt;line-height:1.35}"
            ".p{margin:0 0 10px;page-break-inside:avoid}.key{page-break-before:always}"
            "pre{background:#f4f4f4;padding:4px;font-size:9pt}h1{font-size:16pt}h2{font-size:13pt;"
            "border-bottom:1px solid #999}.pts{color:#555;font-size:9pt}.space{height:28px}"
        )
        title = "cnnkit mock exam 模拟考试" + (
            f" (seed {self.seed})" if self.seed is not None else ""
        )
        body = [
            f"<h1>{html.escape(title)}</h1><p>{html.escape(self._header().split(' Answer')[0])}"
            ". Name: ______________________</p>"
        ]
        for section, problems in self.sections():
            body.append(
                f"<h2>{html.escape(section.title)} {section.chinese} "
                f"<span class='pts'>({len(problems)} × {section.points} points)</span></h2>"
            )
            for p in problems:
                options = "".join(
                    f"<li>{LETTERS[i]}. {html.escape(o)}</li>" for i, o in enumerate(p.options)
                )
                options = f"<ul style='list-style:none'>{options}</ul>" if options else ""
                space = "" if p.options else "<div class='space'></div>"
                body.append(
                    f"<div class='p'><b>{p.number}.</b> {_markdown_to_html(p.statement)}"
                    f"{options}{space}</div>"
                )
        if answer_key:
            body.append("<div class='key'><h1>Answer key 答案</h1>")
            for p in self._problems:
                body.append(
                    f"<div class='p'><b>{p.number}.</b> ({p.topic}, {self.points_of(p)} points) "
                    f"{_markdown_to_html(p.solution)}</div>"
                )
            body.append("</div>")
        return (
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{css}</style></head><body>"
            + "".join(body)
            + "</body></html>"
        )

    def save(self, folder, formats=("html", "pdf")) -> dict[str, Path]:
        """Write ``mock_exam.html`` and/or ``mock_exam.pdf`` (WeasyPrint) into ``folder``."""
        formats = tuple(formats)
        if not formats or any(f not in ("html", "pdf") for f in formats):
            raise ValueError(f"formats must be chosen from ('html', 'pdf'), got {formats!r}.")
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        document = self.to_html()
        written: dict[str, Path] = {}
        if "html" in formats:
            written["html"] = out / "mock_exam.html"
            written["html"].write_text(document, encoding="utf-8")
        if "pdf" in formats:
            from cnnkit.review.sheet import _weasyprint

            written["pdf"] = out / "mock_exam.pdf"
            _weasyprint().HTML(string=document, base_url=str(out)).write_pdf(written["pdf"])
        return written


def mock_exam(
    n: int = 20,
    seed: int | None = None,
    verify: bool = True,
    record: bool = True,
    student: str | int | None = None,
    attempt: int = 0,
) -> MockExam:
    """A mock exam of ``n`` problems (1..100) in sections by kind, topics spread out.

    The paper is the student's own and reproducible: ``student`` (a student number or name;
    default the exercises' per-student seed), ``seed`` (optional) and ``attempt`` (0 for the
    first paper; ``exam.retake()`` counts up) pick the problems. ``record=False`` keeps its
    checks out of the progress file (for demonstrations).
    """
    from cnnkit.review.topics import GENERATORS

    check_count(n, MAX_EXAM_PROBLEMS, "mock_exam")
    seed = check_seed(seed)
    attempt = check_seed(attempt, "attempt")
    if attempt < 0:
        raise ValueError(f"attempt must be 0 or more, got {attempt}.")
    who = student_id(student)
    rng = random.Random(f"mock_exam/{who}/{seed}/{attempt}")
    used: Counter = Counter()
    seen: set[str] = set()
    problems: list[PracticeProblem] = []
    for kind, count in plan(n).items():
        generators = [g for gs in GENERATORS.values() for g in gs if g.kind == kind]
        for _ in range(count):
            least = min(used[g.topic] for g in generators)
            generator = rng.choice([g for g in generators if used[g.topic] == least])
            used[generator.topic] += 1
            for _attempt in range(5):  # avoid the same concept item twice in one exam
                problem = make_problem(generator, rng, verify=verify)
                if problem.statement not in seen:
                    break
            seen.add(problem.statement)
            problem.number = len(problems) + 1
            problem.event = "mock_exam" if record else None
            problems.append(problem)
    return MockExam(problems, seed=seed, student=who, attempt=attempt)
