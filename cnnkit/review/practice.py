"""Endless exam-style practice problems of six kinds, calculation answers verified by Keras.

    from cnnkit.review import practice
    problems = practice("conv_output_size", n=5, seed=1)
    problems[0]                       # the statement (Markdown in a notebook), never the answer
    problems[0].check((28, 28, 6))    # correct / incorrect with a teaching message / not attempted
    problems[0].show_solution()       # worked step by step, and the section that teaches it
    practice(kind="choice", n=5)      # only one kind: calculation, choice, true_false, ordering,
                                      # short_answer, design

Every calculation answer is computed by hand-written arithmetic (shown in the solution) and then
verified by Keras itself (building the layer and reading its output shape / ``count_params()``,
or running the op) or NumPy. A problem on which they disagree is never shown: it is regenerated,
counted in ``REJECTED`` and logged. The generators live in :mod:`cnnkit.review.topics`.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import random
from collections import deque
from collections.abc import Sequence

from cnnkit.review.problem import KINDS, PracticeProblem
from cnnkit.validation import check_int, check_seed

log = logging.getLogger(__name__)

#: The last problems whose hand-computed answer Keras disagreed with (never shown to students);
#: bounded, so a long-running kernel does not grow it without end.
REJECTED: deque[dict] = deque(maxlen=100)

#: The most problems one call draws (each is verified; thousands would take minutes).
MAX_PROBLEMS = 1000
_MAX_ATTEMPTS = 20


def check_count(n, limit: int = MAX_PROBLEMS, what: str = "practice") -> int:
    """``n`` as a whole number from 1 to ``limit``, or a ValueError/TypeError naming ``n``."""
    hint = f"It draws 1 to {limit:,} problems per call; call it again (with another seed) for more."
    if isinstance(n, int) and not isinstance(n, bool) and n.bit_length() > 64:
        # Checked before any message prints n: 10**5000 has more digits than Python will print.
        raise ValueError(
            f"{what}(n=...) must be from 1 to {limit:,}; got a {n.bit_length()}-bit number. {hint}"
        )
    return check_int(f"{what}(n=...)", n, 1, maximum=limit, hint=hint)


def _student_number(text: str) -> int:
    """A student number or name as the exercises read it (``ck.exercises.seed("...")``): spaces
    collapsed, lower case, the first 12 hex digits of its SHA-256, modulo 10**9."""
    cleaned = " ".join(text.split()).lower()
    if not cleaned:
        raise ValueError("student='' is empty: give your student number or name.")
    return int(hashlib.sha256(cleaned.encode("utf-8")).hexdigest()[:12], 16) % 10**9


def _exercises_seed() -> int:
    """The exercises' per-student seed (drawn and stored the first time), 0 if unavailable."""
    try:
        from cnnkit.exercises.core import seed

        return int(seed())
    except Exception as error:  # an unusable progress file must not stop practice
        log.debug("no per-student seed: %s", error)
        return 0


def student_id(student=None) -> int:
    """Whose problems these are: ``student`` (a student number or name, or an int), or by default
    the exercises' per-student seed (``ck.exercises.seed()``), so that each student gets their own
    problems and papers and the same ones again."""
    if student is None:
        return _exercises_seed()
    if isinstance(student, str):
        if len(student) > 200:
            raise ValueError(f"student=... is {len(student):,} characters; give a student number.")
        return _student_number(student)
    return check_seed(student, "student")


def _names(value, allowed: Sequence[str], argument: str, hint: str = "") -> list[str]:
    """One name, a list of names, or None (all) -> list; errors name the argument."""
    if value is None:
        return list(allowed)
    if isinstance(value, str):
        names = [value]
    elif isinstance(value, (list, tuple, set, frozenset)):
        names = list(value)
    else:
        raise TypeError(
            f"{argument} must be a name, a list of names or None; got {type(value).__name__} "
            f"{str(value)[:40]!r}.{hint}"
        )
    if len(names) > len(allowed):
        raise ValueError(f"{argument}: at most {len(allowed)} names, got {len(names):,}.")
    unknown = [name for name in names if name not in allowed]
    if unknown or not names:
        shown = str(unknown[0] if unknown else names)[:40]
        close = difflib.get_close_matches(str(shown), allowed, n=3) if unknown else []
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ValueError(
            f"Unknown {argument} {shown!r}.{hint} The list: "
            f"cnnkit.review.{'TOPICS' if argument == 'topic' else 'KINDS'}."
        )
    return names


def _generators(topic, kind) -> list:
    from cnnkit.review.topics import GENERATORS, TOPICS

    hint = (
        " To ask for a number of problems, write practice(n=...)."
        if isinstance(topic, (int, float))
        else ""
    )
    topics = _names(topic, TOPICS, "topic", hint)
    kinds = _names(kind, KINDS, "kind")
    chosen = [g for name in topics for g in GENERATORS[name] if g.kind in kinds]
    if not chosen:
        raise ValueError(
            f"No {'/'.join(kinds)} problems on {', '.join(topics)}; leave out kind= or pick "
            "another topic (cnnkit.review.topics.kinds_of(topic) lists a topic's kinds)."
        )
    return chosen


def make_problem(generator, rng: random.Random, verify: bool = True) -> PracticeProblem:
    """One problem from ``generator`` (a :class:`cnnkit.review.topics.Generator` or a topic
    name) drawn with ``rng``; regenerated until Keras/NumPy agrees with its answer."""
    if isinstance(generator, str):
        from cnnkit.review.topics import GENERATORS

        generator = rng.choice(GENERATORS[generator])
    for _ in range(_MAX_ATTEMPTS):
        draft = generator.make(rng)
        if verify:
            agrees, computed = draft.verify()
            if not agrees:
                REJECTED.append(
                    {
                        "topic": generator.topic,
                        "data": draft.data,
                        "answer": draft.answer,
                        "keras": computed,
                    }
                )
                log.warning(
                    "practice: Keras disagrees on a %s problem (answer %r, Keras %r); regenerating.",
                    generator.topic,
                    draft.answer,
                    computed,
                )
                continue
        return PracticeProblem(
            topic=generator.topic,
            statement=draft.statement,
            answer=draft.answer,
            solution=draft.solution,
            checker=draft.checker,
            data=draft.data,
            verified=verify,
            kind=draft.kind,
            source=draft.source or generator.source,
            options=draft.options,
            justification=draft.justification,
        )
    raise RuntimeError(
        f"Keras disagreed with {_MAX_ATTEMPTS} generated {generator.topic!r} problems in a row; "
        "see cnnkit.review.practice.REJECTED (a bug in the generator or a Keras change)."
    )


def practice(
    topic: str | Sequence[str] | None = None,
    n: int = 10,
    seed: int | None = None,
    verify: bool = True,
    kind: str | Sequence[str] | None = None,
    record: bool = True,
    student: str | int | None = None,
) -> list[PracticeProblem]:
    """``n`` practice problems on ``topic`` (a name, a list, or None for all of TOPICS).

    ``kind`` keeps only some kinds (see :data:`cnnkit.review.problem.KINDS`). The same ``seed``
    and the same student give the same problems; another student gets other problems with the
    same seed; ``seed=None`` gives fresh ones. ``student`` is a student number or name (default:
    the exercises' per-student seed, :func:`student_id`). With ``verify=True`` (the default) each
    calculation answer is checked by Keras or NumPy before the problem is returned.
    ``record=False`` keeps the checks out of the progress file (for demonstrations).

    Answers are read in the forms students write: numbers (also as text, '3904' or '3,904'),
    shapes ((28, 28, 6), '28x28x6', '28*28*6', '(28, 28, 6)'), an option's letter ('B'), index
    (1 for B, as in ``problem.options[1]``) or text, True/False, 1/0 or 'true'/'false', letters
    in order ('CABD'). An answer the kit cannot read is "not understood" (not attempted), never
    counted wrong.
    """
    generators = _generators(topic, kind)
    check_count(n)
    seed = check_seed(seed)
    who = student_id(student)
    rng = random.Random(f"practice/{who}/{seed}") if seed is not None else random.Random()
    topics = list(dict.fromkeys(g.topic for g in generators))
    problems = []
    for number in range(1, n + 1):
        name = topics[0] if len(topics) == 1 else rng.choice(topics)
        generator = rng.choice([g for g in generators if g.topic == name])
        problem = make_problem(generator, rng, verify=verify)
        problem.number = number
        problem.event = "practice" if record else None
        problems.append(problem)
    return problems
