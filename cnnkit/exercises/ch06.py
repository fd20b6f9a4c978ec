"""Chapter 06 exercises: generative adversarial networks. The one source of the generated notebooks.

Each problem: statement, starter code (what the student sees), solution code, hints, a checker,
and the typical wrong answers with the message they must get (the tests prove each one).
TensorFlow is imported only inside the checker that needs it (Problem 5).
"""

from __future__ import annotations

import math

import numpy as np

from cnnkit.exercises.core import (
    Chapter,
    Problem,
    StudentCodeError,
    WrongAnswer,
    as_number,
    call_student,
    check_number,
    correct,
    fresh_generator,
    incorrect,
    log_base_variants,
)

# --- q1: discriminator loss in NumPy ----------------------------------------------------------

_P_REAL_EXAMPLE = np.array([0.9, 0.7, 0.6])
_P_FAKE_EXAMPLE = np.array([0.2, 0.4, 0.1])


def _d_loss(p_real, p_fake):
    return float(-np.mean(np.log(p_real)) - np.mean(np.log(1 - p_fake)))


def _check_d_loss(discriminator_loss):
    # Fresh numbers for every check; each reference is computed before the student's function
    # runs and kept alive, so an np.empty answer never finds the right values in freed memory.
    rng = fresh_generator("ch06.q1")
    p_real = np.clip(_P_REAL_EXAMPLE + rng.uniform(-0.05, 0.05, 3), 0.05, 0.95)
    p_fake = np.clip(_P_FAKE_EXAMPLE + rng.uniform(-0.05, 0.05, 3), 0.05, 0.95)
    expected = _d_loss(p_real, p_fake)
    value = call_student(
        discriminator_loss, p_real.copy(), p_fake.copy(), output_like=[np.float64(0)]
    )
    mistakes = {
        -_d_loss(
            p_real, p_fake
        ): "Mind the sign: the loss is the NEGATIVE log-likelihood, -[log D(x) + log(1 - D(G(z)))].",
        _d_loss(
            p_fake, p_real
        ): "Labels swapped: real images have target 1 (log D(x)), generated ones target 0 (log(1 - D(G(z)))).",
        float(-np.mean(np.log(p_real)) - np.mean(np.log(p_fake))): (
            "For generated images D should output 0, so the term is log(1 - D(G(z))), not log D(G(z))."
        ),
        float(
            -np.mean(np.log(p_real))
        ): "You only scored the real images; add the term for the generated ones.",
    }
    return check_number(
        value,
        expected,
        rel_tol=1e-6,
        mistakes=mistakes,
        success="Correct: L_D = -mean log D(x) - mean log(1 - D(G(z))), binary cross-entropy with targets 1 and 0.",
    )


q1 = Problem(
    title="The discriminator's loss (判别器损失)",
    statement=(
        "Write `discriminator_loss(p_real, p_fake)` in NumPy. `p_real` holds D(x) for a batch of "
        "real images, `p_fake` holds D(G(z)) for a batch of generated ones (probabilities). "
        "Return L_D = -mean(log D(x)) - mean(log(1 - D(G(z)))) as one number."
    ),
    starter="def discriminator_loss(p_real, p_fake):\n    # YOUR CODE HERE\n    raise NotImplementedError",
    solution_code=(
        "def discriminator_loss(p_real, p_fake):\n"
        "    return -np.mean(np.log(p_real)) - np.mean(np.log(1 - p_fake))"
    ),
    checker=_check_d_loss,
    answer_name="discriminator_loss",
    hints=(
        "D is a binary classifier: target 1 for real, 0 for generated.",
        "Binary cross-entropy of target y and probability p: -[y log p + (1 - y) log(1 - p)].",
    ),
    explanation="Real images (y = 1) contribute -log D(x); generated ones (y = 0) contribute -log(1 - D(G(z))).",
    wrong_answers=(
        WrongAnswer(
            "def discriminator_loss(p_real, p_fake):\n    return np.mean(np.log(p_real)) + np.mean(np.log(1 - p_fake))",
            "sign",
        ),
        WrongAnswer(
            "def discriminator_loss(p_real, p_fake):\n    return -np.mean(np.log(p_fake)) - np.mean(np.log(1 - p_real))",
            "Labels swapped",
        ),
        WrongAnswer(
            "def discriminator_loss(p_real, p_fake):\n    return -np.mean(np.log(p_real)) - np.mean(np.log(p_fake))",
            "log(1 - D(G(z)))",
        ),
    ),
)

# --- q2: generator loss value -----------------------------------------------------------------


def _check_g_loss(answer):
    return check_number(
        answer,
        -math.log(0.25),
        abs_tol=5e-3,
        mistakes={
            round(math.log(0.75), 3): (
                "That is log(1 - D(G(z))), the minimax form. The non-saturating generator loss "
                "that everyone uses is -log D(G(z))."
            ),
            round(
                -math.log(0.75), 3
            ): "-log(1 - D(G(z))) is the discriminator's term for this image, not G's loss.",
            round(-math.log10(0.25), 3): "Use the natural logarithm, as Keras does.",
            round(math.log(0.25), 3): "Mind the minus sign: -log D(G(z)) is positive.",
        },
        variants=log_base_variants(lambda log: round(-log(0.25), 3), base="e"),
        success="Correct: -ln(0.25) ≈ 1.386. G's loss is large because D is not fooled (D(G(z)) = 0.25).",
    )


q2 = Problem(
    title="The generator's loss (生成器损失)",
    statement=(
        "The discriminator gives a generated image D(G(z)) = 0.25. What is the generator's "
        "non-saturating loss L_G = -log D(G(z)) for this image (natural log, three decimals)?"
    ),
    starter="answer = ...",
    solution_code="import math\n\nanswer = -math.log(0.25)",
    checker=_check_g_loss,
    hints=("G wants D(G(z)) = 1: binary cross-entropy with target 1.",),
    explanation="L_G = -ln 0.25 ≈ 1.386; it falls to 0 when D is completely fooled (D(G(z)) = 1).",
    wrong_answers=(
        WrongAnswer("import math\nanswer = -math.log2(0.25)", "Wrong logarithm base"),
        WrongAnswer("answer = -0.288", "minimax"),
        WrongAnswer("answer = 0.288", "discriminator's term"),
        WrongAnswer("answer = 0.602", "natural logarithm"),
    ),
)

# --- q3: equilibrium --------------------------------------------------------------------------


def _check_equilibrium(answer):
    return check_number(
        answer,
        2 * math.log(2),
        abs_tol=5e-3,
        mistakes={
            round(
                math.log(2), 3
            ): "ln 2 is one of the two terms (or G's loss). L_D adds the real and the generated term: ln 2 + ln 2.",
            0.5: "0.5 is D's output at equilibrium; the question asks for the loss.",
            0.0: "At equilibrium D cannot tell real from generated, so it cannot reach zero loss.",
        },
        variants=log_base_variants(lambda log: round(-2 * log(0.5), 3), base="e"),
        success="Correct: D(x) = 1/2 everywhere gives L_D = -ln(1/2) - ln(1/2) = ln 4 ≈ 1.386.",
    )


q3 = Problem(
    title="The loss at equilibrium",
    statement=(
        "At the game's equilibrium G's samples are indistinguishable from real ones and the best "
        "D outputs D(x) = 1/2 for every image. What is L_D then (natural log, three decimals)?"
    ),
    starter="answer = ...",
    solution_code="import math\n\nanswer = 2 * math.log(2)",
    checker=_check_equilibrium,
    hints=("Put D(x) = D(G(z)) = 0.5 into L_D = -log D(x) - log(1 - D(G(z))).",),
    explanation="L_D = -ln 0.5 - ln 0.5 = 2 ln 2 ≈ 1.386: the dotted line in the chapter's loss plot.",
    wrong_answers=(
        WrongAnswer("import math\nanswer = 2 * math.log10(2)", "Wrong logarithm base"),
        WrongAnswer("answer = 0.693", "ln 2 is one of the two terms"),
        WrongAnswer("answer = 0.5", "D's output"),
    ),
)

# --- q4: which weights move ------------------------------------------------------------------


def _check_which(answer):
    if not isinstance(answer, str):
        raise StudentCodeError("Expected one of the strings 'generator', 'discriminator', 'both'.")
    value = answer.strip().lower()
    if value == "both":
        return incorrect(
            "If D's weights moved during G's step, D would be trained to call G's samples real: "
            "it would learn to be fooled. Only G's weights are updated."
        )
    if value == "discriminator":
        return incorrect(
            "The gradient flows back THROUGH D, but only G's weights are updated in G's step."
        )
    if value != "generator":
        shown = repr(answer) if len(repr(answer)) <= 40 else repr(answer)[:37] + "..."
        return incorrect(f"Answer 'generator', 'discriminator' or 'both', not {shown}.")
    return correct("Correct: the gradient of L_G passes through D, but only G's weights change.")


q4 = Problem(
    title="Which weights change in the generator's step?",
    statement=(
        "During the generator's update, L_G = -log D(G(z)) is computed through both networks. "
        "Whose weights does the optimizer change? Answer `'generator'`, `'discriminator'` or `'both'`."
    ),
    starter="answer = ...",
    solution_code="answer = 'generator'",
    checker=_check_which,
    hints=(
        "What would D learn if its weights followed the gradient of L_G (target 1 for G's samples)?",
    ),
    explanation="tape.gradient(g_loss, G.trainable_weights): D is only the judge in G's step.",
    wrong_answers=(
        WrongAnswer("answer = 'both'", "learn to be fooled"),
        WrongAnswer("answer = 'discriminator'", "THROUGH D"),
    ),
)

# --- q5: the generator's training step ----------------------------------------------------------


def _tiny_models():
    import keras

    keras.utils.set_random_seed(0)
    generator = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(6, activation="tanh")], name="tiny_generator"
    )
    discriminator = keras.Sequential(
        [keras.Input((6,)), keras.layers.Dense(1, activation="sigmoid")], name="tiny_discriminator"
    )
    return generator, discriminator


def _reference_step(generator, discriminator, z, learning_rate):
    import keras

    from cnnkit.autodiff import value_and_gradients

    def loss_of_g():
        p_fake = discriminator(generator(z, training=True), training=False)
        return keras.losses.BinaryCrossentropy()(keras.ops.ones_like(p_fake), p_fake)

    loss, gradients = value_and_gradients(loss_of_g, generator.trainable_weights)
    keras.optimizers.SGD(learning_rate).apply(gradients, generator.trainable_weights)
    return float(loss)


def _check_generator_step(generator_step):
    if not callable(generator_step):
        raise StudentCodeError(
            f"Expected a function generator_step(generator, discriminator, optimizer, z), got {type(generator_step).__name__}."
        )
    import keras

    learning_rate = 0.5
    z = keras.ops.convert_to_tensor(np.random.default_rng(3).normal(size=(8, 4)).astype("float32"))
    generator, discriminator = _tiny_models()
    g_start = [w.copy() for w in generator.get_weights()]
    d_start = [w.copy() for w in discriminator.get_weights()]
    reference_loss = _reference_step(generator, discriminator, z, learning_rate)
    g_expected = generator.get_weights()
    generator.set_weights(g_start)
    loss = call_student(
        generator_step, generator, discriminator, keras.optimizers.SGD(learning_rate), z
    )
    try:
        loss = float(loss)
    except (TypeError, ValueError):
        raise StudentCodeError(
            f"generator_step must return the loss (a number), got {type(loss).__name__}."
        ) from None
    if any(
        not np.allclose(a, b) for a, b in zip(d_start, discriminator.get_weights(), strict=True)
    ):
        return incorrect(
            "The discriminator's weights changed: in G's step only generator.trainable_weights "
            "are updated (D would otherwise learn to be fooled)."
        )
    g_now = generator.get_weights()
    if all(np.allclose(a, b) for a, b in zip(g_start, g_now, strict=True)):
        return incorrect(
            "The generator's weights did not change: compute the gradients with "
            "value_and_gradients(loss_of_g, generator.trainable_weights) and call "
            "optimizer.apply(gradients, generator.trainable_weights)."
        )
    if not math.isclose(loss, reference_loss, rel_tol=1e-4):
        return incorrect(
            f"Your loss {loss:.4f} is not the generator's loss: it is the "
            "binary cross-entropy of D(G(z)) against target 1 (ones), i.e. -mean log D(G(z))."
        )
    if not all(np.allclose(a, b, atol=1e-5) for a, b in zip(g_expected, g_now, strict=True)):
        return incorrect(
            "The loss is right but the update is not: apply exactly one step of the given "
            "optimizer with the gradient of that loss."
        )
    return correct("Correct: one step of G through a fixed D, with target 1 for G's samples.")


q5 = Problem(
    title="Implement the generator's training step",
    statement=(
        "Write `generator_step(generator, discriminator, optimizer, z)`: compute "
        "L_G = BCE(1, D(G(z))) in a function `loss_of_g()`, take its gradients with the kit's "
        "`value_and_gradients(loss_of_g, weights)` (on every Keras backend it uses that "
        "backend's own mechanism: `tf.GradientTape`, `jax.value_and_grad`, `torch.autograd`), "
        "update **only the generator** with `optimizer.apply(gradients, weights)`, and return "
        "the loss. It is checked on a tiny G and D."
    ),
    starter=(
        "def generator_step(generator, discriminator, optimizer, z):\n"
        "    # YOUR CODE HERE\n"
        "    raise NotImplementedError"
    ),
    solution_code=(
        "def generator_step(generator, discriminator, optimizer, z):\n"
        "    def loss_of_g():\n"
        "        p_fake = discriminator(generator(z, training=True), training=False)\n"
        "        return keras.losses.BinaryCrossentropy()(keras.ops.ones_like(p_fake), p_fake)\n"
        "\n"
        "    weights = generator.trainable_weights\n"
        "    loss, gradients = value_and_gradients(loss_of_g, weights)\n"
        "    optimizer.apply(gradients, weights)\n"
        "    return loss"
    ),
    checker=_check_generator_step,
    answer_name="generator_step",
    hints=(
        "Everything from z to the loss must happen inside `loss_of_g()`: that is what is differentiated.",
        "G wants D to say 'real': the target is `keras.ops.ones_like(p_fake)`.",
        "`value_and_gradients(loss_of_g, generator.trainable_weights)`, then `optimizer.apply(gradients, generator.trainable_weights)`.",
    ),
    explanation="The gradient flows through D into G, and only G's weights are updated.",
    wrong_answers=(
        WrongAnswer(
            "def generator_step(generator, discriminator, optimizer, z):\n"
            "    def loss_of_g():\n"
            "        p = discriminator(generator(z))\n"
            "        return keras.losses.BinaryCrossentropy()(keras.ops.ones_like(p), p)\n"
            "\n"
            "    weights = generator.trainable_weights + discriminator.trainable_weights\n"
            "    loss, gradients = value_and_gradients(loss_of_g, weights)\n"
            "    optimizer.apply(gradients, weights)\n"
            "    return loss",
            "discriminator's weights changed",
        ),
        WrongAnswer(
            "def generator_step(generator, discriminator, optimizer, z):\n"
            "    def loss_of_g():\n"
            "        p = discriminator(generator(z))\n"
            "        return keras.losses.BinaryCrossentropy()(keras.ops.zeros_like(p), p)\n"
            "\n"
            "    weights = generator.trainable_weights\n"
            "    loss, gradients = value_and_gradients(loss_of_g, weights)\n"
            "    optimizer.apply(gradients, weights)\n"
            "    return loss",
            "target 1",
        ),
        WrongAnswer(
            "def generator_step(generator, discriminator, optimizer, z):\n"
            "    p = discriminator(generator(z))\n"
            "    return keras.losses.BinaryCrossentropy()(keras.ops.ones_like(p), p)",
            "did not change",
        ),
    ),
)

# --- q6: diagnose mode collapse ---------------------------------------------------------------

#: Generated samples per class (T-shirt ... Ankle boot) for three GANs, and the mean confidence.
HISTOGRAMS = {
    "A": ([98, 105, 96, 101, 99, 102, 97, 104, 100, 98], 0.81),
    "B": ([0, 0, 0, 0, 3, 0, 941, 0, 56, 0], 0.74),
    "C": ([93, 110, 99, 95, 104, 98, 101, 97, 106, 97], 0.31),
}


def _check_collapse(answer):
    if not isinstance(answer, dict):
        raise StudentCodeError("Expected a dict like {'collapsed': 'A', 'blurry': 'B'}.")
    missing = sorted({"collapsed", "blurry"} - set(answer))
    if missing:
        return incorrect(f"Missing keys: {', '.join(missing)}.")
    collapsed = str(answer["collapsed"]).strip().upper()
    blurry = str(answer["blurry"]).strip().upper()
    if collapsed == "C":
        return incorrect(
            "C spreads its samples over all 10 classes: that is diversity, not collapse. Its low "
            "confidence (0.31) says the samples are hard to recognise."
        )
    if collapsed != "B":
        return incorrect(
            "Mode collapse (模式崩溃) means G produces only one or a few kinds of output: look for "
            "the histogram where one class takes almost every sample."
        )
    if blurry == "B":
        return incorrect("B is the collapsed one; which even histogram has a low mean confidence?")
    if blurry != "C":
        return incorrect(
            "A has an even histogram AND confident labels: that is the healthy GAN. Look at the "
            "mean confidence."
        )
    return correct(
        "Correct: B collapsed (94% 'Shirt'), C is diverse but its samples are not recognisable, A is healthy."
    )


q6 = Problem(
    title="Diagnose mode collapse (模式崩溃) from a histogram",
    statement=(
        "A classifier trained on real Fashion-MNIST labelled 1,000 samples of three GANs. "
        "Samples per class (T-shirt, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, "
        "Bag, Ankle boot) and the classifier's mean confidence:\n\n"
        "| GAN | samples per class | mean confidence |\n|---|---|---|\n"
        + "\n".join(
            f"| {name} | {counts} | {conf} |" for name, (counts, conf) in HISTOGRAMS.items()
        )
        + "\n\nWhich GAN suffers from mode collapse, and which one makes diverse but unrecognisable "
        "samples? `answer = {'collapsed': ..., 'blurry': ...}` with the letters."
    ),
    starter="answer = {'collapsed': ..., 'blurry': ...}",
    solution_code="answer = {'collapsed': 'B', 'blurry': 'C'}",
    checker=_check_collapse,
    hints=(
        "Collapse = little diversity: which histogram is concentrated on one class?",
        "Quality shows in the confidence: a classifier hesitates on images that look like nothing.",
    ),
    explanation="B: 94% of the samples are one class (collapse). C: even classes, confidence 0.31 (poor quality). A: healthy.",
    wrong_answers=(
        WrongAnswer("answer = {'collapsed': 'C', 'blurry': 'B'}", "diversity, not collapse"),
        WrongAnswer(
            "answer = {'collapsed': 'A', 'blurry': 'C'}", "one class takes almost every sample"
        ),
        WrongAnswer("answer = {'collapsed': 'B', 'blurry': 'A'}", "healthy"),
    ),
)


# --- q7: the size of a transposed convolution -----------------------------------------------------


def _transpose_size(w1, f, s, p, a):
    return (w1 - 1) * s - 2 * p + f + a


def _check_transpose_size(answer):
    return check_number(
        answer,
        _transpose_size(6, 5, 2, 1, 1),
        integer=True,
        mistakes={
            2: (
                "That is the size of an ordinary convolution, floor((W1 - F + 2P)/S) + 1, which "
                "shrinks. A transposed convolution grows: W2 = (W1 - 1)S - 2P + F + A."
            ),
            16: (
                "Too large by 2P or by S: use (W1 - 1)S (the last copy of the kernel starts "
                "(W1 - 1)S cells after the first) and crop P = 1 cell from each side (-2P)."
            ),
            15: "P is cropped from EACH side: subtract 2P, not P.",
            13: "You left out the output_padding A = 1, added at the end: + A.",
            12: (
                "W1·S = 12 is Keras's padding='same' rule without output_padding; here P and A "
                "are given, so use W2 = (W1 - 1)S - 2P + F + A."
            ),
        },
        success="Correct: (6 - 1)·2 - 2·1 + 5 + 1 = 14.",
    )


q7 = Problem(
    title="The output size of a transposed convolution (转置卷积)",
    statement=(
        "A transposed convolution upsamples a 6×6 feature map with a 5×5 kernel, stride S = 2, "
        "P = 1 cell cropped from each side and output_padding A = 1. What is the output's height "
        "W2? (Every input cell paints a copy of the kernel into the output, S cells after the "
        "previous one.)"
    ),
    starter="answer = ...",
    solution_code="answer = (6 - 1) * 2 - 2 * 1 + 5 + 1",
    checker=_check_transpose_size,
    hints=(
        "The copies of the kernel start at 0, S, 2S, ..., (W1 - 1)S; the last one ends F cells later.",
        "Then crop P from each side and add A at the end.",
    ),
    explanation=(
        "W2 = (W1 - 1)S - 2P + F + A = 5·2 - 2 + 5 + 1 = 14; "
        "`cnnkit.formulas.conv_transpose_output_size(6, 5, 2, 1, 1)` gives the same."
    ),
    wrong_answers=(
        WrongAnswer("answer = 2", "ordinary convolution"),
        WrongAnswer("answer = 13", "output_padding"),
        WrongAnswer("answer = 15", "EACH side"),
        WrongAnswer("answer = 12", "padding='same'"),
    ),
)

# --- q8: diversity as the mean pairwise distance -------------------------------------------------


def _pairwise(images):
    flat = images.reshape(len(images), -1)
    return np.sqrt(((flat[:, None, :] - flat[None, :, :]) ** 2).sum(axis=-1))


def _check_diversity(diversity):
    # Fresh numbers for every check; each reference is computed before the student's function
    # runs and kept alive, so an np.empty answer never finds the right values in freed memory.
    samples = fresh_generator("ch06.q8").uniform(0, 1, (6, 4, 4))
    distances = _pairwise(samples)
    n = len(samples)
    flat = samples.reshape(n, -1)
    value = call_student(diversity, samples.copy(), output_like=[np.float64(0)])
    mistakes = {
        float(distances.sum() / n**2): (
            "You divided by N² and so counted each image's zero distance to itself. Average over "
            "the N(N-1) pairs of DIFFERENT samples."
        ),
        float((distances**2).sum() / (n * (n - 1))): (
            "Those are squared distances: take the square root of each pair's sum of squares "
            "before averaging."
        ),
        float(np.linalg.norm(flat - flat.mean(axis=0), axis=1).mean()): (
            "That is the mean distance to the average image, not between pairs of samples."
        ),
    }
    result = check_number(
        value,
        float(distances.sum() / (n * (n - 1))),
        rel_tol=1e-6,
        mistakes=mistakes,
        success="right value",
    )
    if result.status != "correct":
        return result
    same = call_student(diversity, np.repeat(samples[:1], 5, axis=0))
    same = as_number(same, what="a number")
    if not math.isclose(same, 0.0, abs_tol=1e-6):
        return incorrect(f"Five copies of one image must have diversity 0, got {same:.4g}.")
    return correct(
        "Correct: the mean distance between two different samples. A collapsed generator, which "
        "draws nearly the same image for every z, scores close to 0."
    )


q8 = Problem(
    title="Diversity of generated samples (多样性)",
    statement=(
        "Write `diversity(images)` in NumPy: the mean Euclidean distance between two DIFFERENT "
        "samples, (1/(N(N-1))) Σ_{i≠j} ||x_i - x_j||, for `images` of shape (N, H, W). Mode "
        "collapse shows as a diversity far below that of real images."
    ),
    starter="def diversity(images):\n    # YOUR CODE HERE\n    raise NotImplementedError",
    solution_code=(
        "def diversity(images):\n"
        "    flat = images.reshape(len(images), -1)\n"
        "    distances = np.sqrt(((flat[:, None] - flat[None, :]) ** 2).sum(axis=-1))\n"
        "    n = len(flat)\n"
        "    return distances.sum() / (n * (n - 1))"
    ),
    checker=_check_diversity,
    answer_name="diversity",
    hints=(
        "Flatten each image to a vector: images.reshape(len(images), -1).",
        "Broadcasting flat[:, None] - flat[None, :] gives all N×N differences; the diagonal is 0.",
    ),
    explanation=(
        "Summing the N×N distance matrix counts every pair twice and the N zeros on the diagonal; "
        "dividing by N(N-1) averages over ordered pairs of different samples."
    ),
    wrong_answers=(
        WrongAnswer(
            "def diversity(images):\n"
            "    flat = images.reshape(len(images), -1)\n"
            "    d = np.sqrt(((flat[:, None] - flat[None, :]) ** 2).sum(axis=-1))\n"
            "    return d.mean()",
            "N²",
        ),
        WrongAnswer(
            "def diversity(images):\n"
            "    flat = images.reshape(len(images), -1)\n"
            "    d2 = ((flat[:, None] - flat[None, :]) ** 2).sum(axis=-1)\n"
            "    n = len(flat)\n"
            "    return d2.sum() / (n * (n - 1))",
            "squared distances",
        ),
        WrongAnswer(
            "def diversity(images):\n"
            "    flat = images.reshape(len(images), -1)\n"
            "    return np.linalg.norm(flat - flat.mean(axis=0), axis=1).mean()",
            "average image",
        ),
    ),
)


CHAPTER = Chapter(
    number=6,
    slug="06_gan",
    title="Generative adversarial networks (生成对抗网络)",
    introduction=(
        "Practice for `notebooks/06_gan.ipynb`: the losses of both players, the equilibrium, "
        "the generator's training step, diagnosing mode collapse, the size of a transposed "
        "convolution and the diversity of generated samples."
    ),
    preamble=(
        "import numpy as np\nimport keras\n\nfrom cnnkit.autodiff import value_and_gradients"
    ),
    problems=[q1, q2, q3, q4, q5, q6, q7, q8],
)
