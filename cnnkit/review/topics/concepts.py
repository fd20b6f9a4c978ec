"""Concept questions: choice, true/false, ordering and short answer, built from item banks.

An item bank (``bank_*.py``) lists items written once; a generator draws one item with the
problem's random generator and shuffles what may be shuffled (options, steps), so the same seed
gives the same problem. Checkers accept the forms a student naturally types and never raise.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cnnkit.exercises.core import Result, StudentCodeError, correct, incorrect
from cnnkit.review.problem import LETTERS, Draft, Source


def _no_verify():
    return True, None  # a concept item is checked by its author, not computed


def _concept_draft(item, kind, statement, answer, solution, check, *, justified=False, **fields):
    """The Draft of one concept item: checked by ``check`` alone (nothing to compute), recorded by
    its question (a true/false item by its claim), with its source section; ``justified`` adds
    the item's justification, ``fields`` other Draft fields (``options``)."""
    if justified:
        fields["justification"] = item.justification
    asked = item.claim if isinstance(item, TrueFalse) else item.question
    data, fields["kind"], fields["source"] = dict(item=asked), kind, item.source
    return Draft(statement, answer, solution, check, _no_verify, data, **fields)


def normalise_text(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), case-folded, spaces collapsed."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"\s+", " ", text).strip()


# --------------------------------------------------------------------------- items


@dataclass(frozen=True)
class Choice:
    """One single-answer choice question; each distractor says why it is wrong."""

    topic: str
    source: Source
    question: str
    right: str
    wrong: tuple[tuple[str, str], ...]  # (option, why it is wrong)
    justification: str


@dataclass(frozen=True)
class TrueFalse:
    topic: str
    source: Source
    claim: str
    truth: bool
    justification: str


@dataclass(frozen=True)
class Ordering:
    """Steps written in the right order; the problem shows them shuffled, labelled A, B, ..."""

    topic: str
    source: Source
    question: str
    steps: tuple[str, ...]
    justification: str


@dataclass(frozen=True)
class Idea:
    """A key idea an answer must contain: any one of ``alternatives`` (each a tuple of words
    that must all appear, after normalisation) counts as stating it."""

    name: str
    alternatives: tuple[tuple[str, ...], ...]

    def stated_in(self, text: str) -> bool:
        return any(all(word in text for word in words) for words in self.alternatives)


@dataclass(frozen=True)
class ShortAnswer:
    """A short-answer question asked so that the kit can grade it: the student ticks every true
    statement among the key ideas (``ideas``, each a true reason) and the ``wrong`` ones (a
    false statement and why it is false; negations of the key ideas among them). Free text is
    never graded: the model answer is shown with the solution to compare one's own words."""

    topic: str
    source: Source
    question: str
    ideas: tuple[Idea, ...]
    model_answer: str
    extra: dict = field(default_factory=dict)
    wrong: tuple[tuple[str, str], ...] = ()


# --------------------------------------------------------------------------- reading answers


def _is_int(value) -> bool:
    try:
        import numpy as np

        integer_types: tuple = (int, np.integer)
    except ImportError:  # pragma: no cover - numpy is a dependency of the kit
        integer_types = (int,)
    return isinstance(value, integer_types) and not isinstance(value, bool)


def _letter(answer, count: int, texts: Sequence[str] = ()) -> int:
    """The index of the option a student chose: its letter ('B', 'b', '(B)', 'B.'), its index as
    an int (0 for A, as in ``problem.options[0]``) or its text (``problem.options[1]``)."""
    if _is_int(answer):
        index = int(answer)  # a plain int: an int subclass's own comparisons are not trusted
        if 0 <= index < count:
            return index
        raise StudentCodeError(
            f"Option indices run from 0 (A) to {count - 1} ({LETTERS[count - 1]}); got {answer}."
        )
    if isinstance(answer, str):
        text = normalise_text(answer).strip("()[]. ").upper()
        if len(text) == 1 and text in LETTERS[:count]:
            return LETTERS.index(text)
        by_text = {normalise_text(option).rstrip("."): i for i, option in enumerate(texts)}
        chosen = by_text.get(normalise_text(answer).rstrip("."))
        if chosen is not None:
            return chosen
        raise StudentCodeError(
            f"Answer with one letter from {LETTERS[0]} to {LETTERS[count - 1]}, e.g. 'B' (or "
            f"the option's index or text); got {answer[:40]!r}."
        )
    raise StudentCodeError(
        f"Answer with the option's letter as text, e.g. 'B'; got {type(answer).__name__}."
    )


def _letters(answer, count: int, texts: Sequence[str]) -> set[int]:
    """The options a student ticked: 'AC', 'A, C', ['A', 'C'], [0, 2] or the options' texts."""
    if isinstance(answer, str):
        text = normalise_text(answer)
        if text.rstrip(".") in {normalise_text(t).rstrip(".") for t in texts}:
            return {_letter(answer, count, texts)}
        items: list = [ch for ch in text.upper() if ch.isalpha()]
        if not items or not all(ch in LETTERS[:count] for ch in items) or len(items) > count:
            raise StudentCodeError(
                f"Answer with the letters of every true statement, e.g. 'AC'; got {answer[:40]!r}."
            )
    elif isinstance(answer, (list, tuple, set, frozenset)):
        if len(answer) > count:
            raise StudentCodeError(f"There are only {count} statements; list each at most once.")
        items = list(answer)
    else:
        raise StudentCodeError(
            f"Answer with the letters of every true statement, e.g. 'AC'; got "
            f"{type(answer).__name__}."
        )
    return {_letter(item, count, texts) for item in items}


_TRUE = {"true", "t", "yes", "y", "对", "正确", "是", "√", "✓", "✔", "1"}
_FALSE = {"false", "f", "no", "n", "错", "错误", "否", "×", "✗", "✘", "x", "0"}


def _truth(answer) -> bool:
    """True/False from True, False, numpy booleans, 1/0 and texts ('true', 'F', '对', '1')."""
    try:
        import numpy as np

        if isinstance(answer, np.bool_):
            return bool(answer)
    except ImportError:  # pragma: no cover - numpy is a dependency of the kit
        pass
    if isinstance(answer, bool):
        return answer
    if _is_int(answer) and int(answer) in (0, 1):
        return int(answer) == 1
    if isinstance(answer, str):
        text = normalise_text(answer).strip(". ")
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise StudentCodeError(
        f"Answer True or False (or 1/0, 'T'/'F', '对'/'错'); got {type(answer).__name__} "
        f"{str(answer)[:40]!r}."
    )


def _order(answer, count: int, shown: Sequence[str]) -> list[int]:
    """Indices of the shown steps in the student's order: 'CABD', 'C, A, B, D', ['C', 'A', ...]
    or the steps' texts."""
    if isinstance(answer, str):
        items = [ch for ch in normalise_text(answer).upper() if ch.isalpha()]
    elif isinstance(answer, (list, tuple)):
        items = list(answer)
    else:
        raise StudentCodeError(
            f"Answer with the letters in order, e.g. '{LETTERS[:count]}', got "
            f"{type(answer).__name__} {str(answer)[:40]!r}."
        )
    texts = {normalise_text(step): i for i, step in enumerate(shown)}
    order = []
    for item in items:
        if isinstance(item, str) and len(normalise_text(item)) == 1:
            letter = normalise_text(item).upper()
            if letter not in LETTERS[:count]:
                raise StudentCodeError(
                    f"{item!r} is not one of the letters {LETTERS[0]}-{LETTERS[count - 1]}."
                )
            order.append(LETTERS.index(letter))
        elif isinstance(item, str) and normalise_text(item) in texts:
            order.append(texts[normalise_text(item)])
        else:
            raise StudentCodeError(
                f"Each item must be a step's letter ({LETTERS[0]}-{LETTERS[count - 1]}); "
                f"got {str(item)[:40]!r}."
            )
    return order


# --------------------------------------------------------------------------- generators


def choice_generator(items: Sequence[Choice]) -> Callable[[random.Random], Draft]:
    def generate(rng: random.Random) -> Draft:
        item = rng.choice(items)
        wrong = rng.sample(list(item.wrong), min(3, len(item.wrong)))
        options = [(item.right, "")] + wrong
        rng.shuffle(options)
        texts = tuple(text for text, _ in options)
        right = texts.index(item.right)
        letter = LETTERS[right]

        def check(answer) -> Result:
            chosen = _letter(answer, len(texts), texts)
            if chosen == right:
                return correct(f"Correct: {letter}. {item.justification}")
            return incorrect(f"Not {LETTERS[chosen]}: {options[chosen][1]}")

        check.typical_mistake = LETTERS[(right + 1) % len(texts)]
        return _concept_draft(
            item,
            "choice",
            item.question,
            letter,
            f"**Answer:** {letter}. {item.right}\n\n{item.justification}",
            check,
            options=texts,
            justified=True,
        )

    return generate


def true_false_generator(items: Sequence[TrueFalse]) -> Callable[[random.Random], Draft]:
    def generate(rng: random.Random) -> Draft:
        item = rng.choice(items)

        def check(answer) -> Result:
            said = _truth(answer)
            verdict = "true" if item.truth else "false"
            if said == item.truth:
                return correct(f"Correct: the statement is {verdict}. {item.justification}")
            return incorrect(f"The statement is {verdict}. {item.justification}")

        check.typical_mistake = not item.truth
        return _concept_draft(
            item,
            "true_false",
            f"True or false? {item.claim} Answer True or False.",
            item.truth,
            f"**Answer:** {item.truth}. {item.justification}",
            check,
            justified=True,
        )

    return generate


def ordering_generator(items: Sequence[Ordering]) -> Callable[[random.Random], Draft]:
    def generate(rng: random.Random) -> Draft:
        item = rng.choice(items)
        count = len(item.steps)
        shown = list(item.steps)
        while shown == list(item.steps):
            rng.shuffle(shown)
        answer = "".join(LETTERS[shown.index(step)] for step in item.steps)
        listing = "\n".join(f"- **{LETTERS[i]}.** {step}" for i, step in enumerate(shown))
        statement = (
            f"{item.question} Put the steps in order; answer with the letters, e.g. "
            f"'{LETTERS[:count]}'.\n\n{listing}"
        )

        def check(given) -> Result:
            order = _order(given, count, shown)
            if sorted(order) != list(range(count)):
                missing = sorted(set(range(count)) - set(order))
                repeated = sorted({i for i in order if order.count(i) > 1})
                problems = []
                if missing:
                    problems.append("missing " + ", ".join(LETTERS[i] for i in missing))
                if repeated:
                    problems.append("repeated " + ", ".join(LETTERS[i] for i in repeated))
                return incorrect(
                    f"Use each of the {count} letters exactly once ({'; '.join(problems)})."
                )
            expected = [shown.index(step) for step in item.steps]
            if order == expected:
                return correct(f"Correct: {answer}. {item.justification}")
            first = next(i for i, (a, b) in enumerate(zip(order, expected, strict=True)) if a != b)
            step = shown[order[first]]
            if first == 0:
                return incorrect(f"Position 1 is wrong: '{step}' does not come first.")
            return incorrect(
                f"The first {first} steps are in order; position {first + 1} is wrong: "
                f"'{step}' does not come there. What must happen before it?"
            )

        typical = list(answer)
        typical[0], typical[1] = typical[1], typical[0]
        check.typical_mistake = "".join(typical)
        numbered = "\n".join(f"{i}. {step}" for i, step in enumerate(item.steps, 1))
        return _concept_draft(
            item,
            "ordering",
            statement,
            answer,
            f"{numbered}\n\n{item.justification}\n\n**Answer:** {answer}",
            check,
            justified=True,
        )

    return generate


def _sentence(text: str) -> str:
    """Every statement written alike (capital first letter, full stop), so that its form does not
    tell a key idea from a wrong statement."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")


def short_answer_generator(items: Sequence[ShortAnswer]) -> Callable[[random.Random], Draft]:
    """Short answers as "tick every true statement": the answer is the set of letters of the
    key ideas; a wrong tick is named with why it is false, a missing one is counted (not named)."""

    def generate(rng: random.Random) -> Draft:
        item = rng.choice(items)
        options = [(_sentence(idea.name), "") for idea in item.ideas] + [
            (_sentence(text), why) for text, why in item.wrong
        ]
        rng.shuffle(options)
        texts = tuple(text for text, _ in options)
        true = {i for i, (_, why) in enumerate(options) if not why}
        answer = "".join(LETTERS[i] for i in sorted(true))
        statement = (
            f"{item.question} Which of these statements are true? Tick every true one and "
            "answer with their letters, e.g. 'AC'."
        )

        def check(given) -> Result:
            chosen = _letters(given, len(texts), texts)
            if chosen == true:
                return correct(f"Correct: {answer}. {item.model_answer}")
            wrong = sorted(chosen - true)
            if wrong:
                return incorrect(f"{LETTERS[wrong[0]]} is false: {options[wrong[0]][1]}")
            missing = len(true - chosen)
            return incorrect(
                f"Every statement you ticked is true, but {missing} more true "
                f"statement{'s are' if missing > 1 else ' is'} left out."
            )

        check.typical_mistake = LETTERS[min(true)]  # one true reason, the other left out
        needed = "; ".join(idea.name for idea in item.ideas)
        return _concept_draft(
            item,
            "short_answer",
            statement,
            answer,
            f"True: {needed}.\n\nModel answer (compare your own words): {item.model_answer}"
            f"\n\n**Answer:** {answer}",
            check,
            options=texts,
        )

    return generate
