"""Concept items of chapter 01: activations, gradient descent, the design workflow."""

from __future__ import annotations

from cnnkit.review import sections as s
from cnnkit.review.topics.concepts import Choice, Idea, Ordering, ShortAnswer, TrueFalse

ACTIVATIONS = "activations"
GRADIENT_DESCENT = "gradient_descent"
WORKFLOW = "workflow"

CHOICES = [
    Choice(
        ACTIVATIONS,
        s.NONLINEARITY,
        "Why does a deep network need a non-linear activation (激活函数) between its layers?",
        "Without it, any stack of linear layers collapses to one linear map, however deep.",
        (
            (
                "It makes the forward pass faster.",
                "A non-linearity adds work; it is there for expressiveness.",
            ),
            ("It keeps the weights small.", "That is what weight decay does, not the activation."),
            (
                "It normalises the outputs to sum to 1.",
                "That is softmax at the output, a different job.",
            ),
        ),
        "W2(W1·x + b1) + b2 = W·x + b: linear layers compose to one linear layer, so depth adds nothing without a non-linearity.",
    ),
    Choice(
        ACTIVATIONS,
        s.SATURATION,
        "Which activation saturates for large |z|, so its gradient nearly vanishes there?",
        "sigmoid",
        (
            (
                "ReLU",
                "ReLU's derivative is exactly 1 for every z > 0: it does not saturate on the positive side.",
            ),
            ("linear (identity)", "The identity has derivative 1 everywhere."),
            (
                "leaky ReLU",
                "Leaky ReLU has slope 1 for z > 0 and a small constant slope below: no saturation.",
            ),
        ),
        "σ'(z) = σ(z)(1 - σ(z)) ≤ 0.25 and tends to 0 for large |z| (tanh likewise).",
    ),
    Choice(
        ACTIVATIONS,
        s.ACTIVATIONS,
        "What are the output ranges of sigmoid and tanh?",
        "sigmoid (0, 1); tanh (-1, 1)",
        (
            ("sigmoid (-1, 1); tanh (0, 1)", "Swapped: sigmoid gives probabilities in (0, 1)."),
            ("both (0, 1)", "tanh is zero-centred: (-1, 1)."),
            ("sigmoid [0, ∞); tanh (-1, 1)", "[0, ∞) is ReLU's range."),
        ),
        "tanh(z) = 2σ(2z) - 1 is a rescaled sigmoid centred on 0, which often speeds convergence.",
    ),
    Choice(
        GRADIENT_DESCENT,
        s.GRADIENT_DESCENT,
        "Training loss jumps around and grows from epoch to epoch. Which change is the first to try?",
        "Lower the learning rate (学习率).",
        (
            (
                "Raise the learning rate (学习率).",
                "A too-large step overshoots the minimum; a larger one overshoots more.",
            ),
            (
                "Add more dense layers (全连接层).",
                "Capacity does not cure divergence; the step size does.",
            ),
            (
                "Train for more epochs (轮).",
                "Diverging training does not converge by running longer.",
            ),
        ),
        "w ← w - α·dJ/dw: a too-large α overshoots the valley and the loss grows; a smaller α takes smaller steps.",
    ),
    Choice(
        WORKFLOW,
        s.WORKFLOW,
        "Deep learning in three steps: which list is right?",
        "build the network; choose the loss; choose the optimizer",
        (
            (
                "collect data; label data; publish",
                "Those are data chores, not the three modelling steps.",
            ),
            (
                "choose the loss; train; test",
                "The network must be defined before anything is trained.",
            ),
            (
                "build the network; train; deploy",
                "Training needs a loss and an optimizer chosen first.",
            ),
        ),
        "Keras mirrors it: define the model, then model.compile(loss=..., optimizer=...), then fit.",
    ),
]

TRUE_FALSE = [
    TrueFalse(
        ACTIVATIONS,
        s.ACTIVATIONS,
        "ReLU(z) = max(0, z) maps the pre-activation (1, -2, 3, -4, 7) to (1, 0, 3, 0, 7).",
        True,
        "Negative entries become 0, positive ones pass unchanged.",
    ),
    TrueFalse(
        ACTIVATIONS,
        s.SATURATION,
        "The derivative of the sigmoid can be as large as 1.",
        False,
        "σ'(z) = σ(1 - σ) is at most 0.25, reached at z = 0.",
    ),
    TrueFalse(
        ACTIVATIONS,
        s.NONLINEARITY,
        "A 10-layer network with only linear activations can represent functions a 1-layer linear model cannot.",
        False,
        "Linear maps compose to one linear map: depth adds nothing without a non-linearity.",
    ),
    TrueFalse(
        GRADIENT_DESCENT,
        s.GRADIENT_DESCENT,
        "Gradient descent moves the weights in the direction of the gradient.",
        False,
        "It moves against the gradient: w ← w - α·∂J/∂w, downhill.",
    ),
    TrueFalse(
        GRADIENT_DESCENT,
        s.GRADIENT_DESCENT,
        "The learning rate is the step size of gradient descent.",
        True,
        "α scales the gradient in w ← w - α·∂J/∂w.",
    ),
    TrueFalse(
        WORKFLOW,
        s.WORKFLOW,
        "In the nine-step workflow, the loss is defined after the network and before the optimizer.",
        True,
        "Steps 4-6: define the network, the loss, the optimizer.",
    ),
]

ORDERINGS = [
    Ordering(
        WORKFLOW,
        s.WORKFLOW,
        "The nine-step design workflow of a deep-learning project.",
        (
            "get the data",
            "load it into tensors",
            "look at samples",
            "define the network",
            "define the loss",
            "define the optimizer",
            "train on batches",
            "visualise the results",
            "analyse and tune (watch for overfitting)",
        ),
        "Data first (get, load, look), then the three modelling steps (network, loss, optimizer), then train, visualise, analyse.",
    ),
    Ordering(
        WORKFLOW,
        s.WORKFLOW,
        "Deep learning in three steps.",
        ("build the network", "choose the loss", "choose the optimizer"),
        "The loss needs the network's output; the optimizer minimises the loss.",
    ),
    Ordering(
        GRADIENT_DESCENT,
        s.GRADIENT_DESCENT,
        "One training iteration of gradient descent on a mini-batch.",
        (
            "forward propagation: compute the predictions",
            "compute the loss against the labels",
            "backpropagation: compute the gradients",
            "update the weights: w ← w - α·g",
        ),
        "Forward, loss, backward, update: what model.fit does for every batch.",
    ),
]

SHORT_ANSWERS = [
    ShortAnswer(
        ACTIVATIONS,
        s.SATURATION,
        "Why does ReLU ease the vanishing-gradient problem compared with sigmoid?",
        (
            Idea(
                "ReLU's derivative is 1 for x > 0",
                (
                    ("derivative", "1"),
                    ("gradient", "1"),
                    ("导数", "1"),
                    ("梯度", "1"),
                    ("slope", "1"),
                ),
            ),
            Idea(
                "sigmoid saturates: its derivative is at most 0.25 and near 0 for large |x|",
                (("0.25",), ("saturat",), ("饱和",), ("1/4",)),
            ),
        ),
        "For x > 0 the derivative of ReLU is 1, so gradients pass through many layers unchanged; "
        "the sigmoid saturates, its derivative is at most 0.25, and a product of many such factors vanishes.",
        wrong=(
            (
                "ReLU's derivative is not 1 for x > 0, and the sigmoid never saturates.",
                "ReLU's derivative is exactly 1 for x > 0, and the sigmoid does saturate (σ' ≤ 0.25).",
            ),
            (
                "ReLU is faster to compute, and speed is what stops gradients vanishing.",
                "Speed does not change the size of the gradient; the derivative does.",
            ),
            (
                "ReLU keeps every output between 0 and 1, like a probability.",
                "ReLU's range is [0, ∞); (0, 1) is the sigmoid's.",
            ),
        ),
    ),
    ShortAnswer(
        GRADIENT_DESCENT,
        s.GRADIENT_DESCENT,
        "What goes wrong when the learning rate is too large, and when it is too small?",
        (
            Idea(
                "too large: steps overshoot and the loss oscillates or diverges",
                (("overshoot",), ("diverge",), ("oscillat",), ("发散",), ("震荡",), ("振荡",)),
            ),
            Idea(
                "too small: training is slow (or stalls)",
                (("slow",), ("慢",), ("stall",), ("many epochs",), ("stuck",)),
            ),
        ),
        "Too large: each step overshoots the minimum, so the loss oscillates or diverges. "
        "Too small: the steps are tiny and training is slow.",
        wrong=(
            (
                "Too large: training is slow but always converges.",
                "Too large a step overshoots: the loss oscillates or diverges.",
            ),
            (
                "Too small: the loss diverges to infinity.",
                "Tiny steps make training slow; they do not diverge.",
            ),
            (
                "The learning rate changes the number of weights in the network.",
                "It scales each update w ← w - α·g; the network is unchanged.",
            ),
        ),
    ),
]
