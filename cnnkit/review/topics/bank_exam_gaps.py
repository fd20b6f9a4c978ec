"""Choice items for exam material that had no practice (issue 27): learning paradigms
(chapter 01), recurrent vs feed-forward memory (chapter 05), grid, random and Bayesian search
(chapter 07). Each distractor says why it is wrong; each item cites its section."""

from __future__ import annotations

from cnnkit.review import sections as s
from cnnkit.review.problem import Source
from cnnkit.review.topics.concepts import Choice

FF_VS_RNN = Source(s.RNN, "5. Feed-forward vs recurrent on the same sequence task")
SEARCH = Source(
    s.OVERFIT, "5. Hyperparameters (超参数): grid, random and Bayesian search with KerasTuner"
)

PARADIGMS = "learning_paradigms"
MEMORY = "rnn_vs_feedforward"
TUNING = "hyperparameter_search"

CHOICES: tuple[Choice, ...] = (
    Choice(
        PARADIGMS,
        s.PARADIGMS,
        "A network learns to map photos to the labels 'sneaker', 'bag', ... from photos that "
        "come with their labels. Which learning paradigm (学习范式) is this?",
        "supervised learning (监督学习)",
        (
            ("unsupervised learning (无监督学习)", "Unsupervised learning never sees labels."),
            ("reinforcement learning (强化学习)", "There are no actions and rewards here."),
            ("clustering", "Clustering groups unlabelled inputs; here every photo has a label."),
        ),
        "Inputs with labels, and a map input → label is learned: supervised learning.",
    ),
    Choice(
        PARADIGMS,
        s.PARADIGMS,
        "A shop groups its customers by their purchases, with no group names given in advance. "
        "Which paradigm is this?",
        "unsupervised learning (无监督学习)",
        (
            ("supervised learning (监督学习)", "Supervised learning needs a label for each input."),
            ("reinforcement learning (强化学习)", "No agent acts and earns rewards here."),
            ("transfer learning (迁移学习)", "Nothing is reused from another task."),
        ),
        "Inputs without labels; the structure (clusters) is learned: unsupervised learning.",
    ),
    Choice(
        PARADIGMS,
        s.PARADIGMS,
        "An agent plays a game and only learns from the score its moves earn. Which paradigm is "
        "this?",
        "reinforcement learning (强化学习)",
        (
            ("supervised learning (监督学习)", "No one gives the right move for each position."),
            ("unsupervised learning (无监督学习)", "There is a reward signal to maximise."),
            ("data augmentation (数据增强)", "That is a way to enlarge a training set."),
        ),
        "Actions and the rewards they earn; a policy that maximises reward is learned.",
    ),
    Choice(
        MEMORY,
        FF_VS_RNN,
        "What lets a recurrent network (循环神经网络) use earlier inputs of a sequence when it "
        "reads the current one, where a feed-forward network cannot?",
        "its hidden state s_t = f(U·x_t + W·s_(t-1)), carried from step to step",
        (
            ("more layers", "Depth alone adds no memory of earlier inputs."),
            ("a larger learning rate", "The learning rate changes training, not what is seen."),
            (
                "pooling over time steps",
                "Pooling summarises a window it sees at once; it carries nothing forward.",
            ),
        ),
        "The state s_(t-1) feeds the next step, so information from earlier steps reaches the "
        "current one; a feed-forward network sees only the input vector it is given.",
    ),
    Choice(
        MEMORY,
        FF_VS_RNN,
        "A dense network predicts the next value from the last 48 values, flattened. What can it "
        "NOT do that a recurrent network can?",
        "use a value older than its 48-value window, or accept sequences of another length",
        (
            ("learn any weights at all", "A dense network learns its weights like any other."),
            ("fit the training set", "It can fit the data inside its window."),
            ("use the 48 values together", "It sees all 48 at once: that it can do."),
        ),
        "Its input size is fixed at 48 and it keeps nothing between predictions; an RNN shares "
        "its weights over time and carries a state, so the length is free.",
    ),
    Choice(
        TUNING,
        SEARCH,
        "Which hyperparameter search fits a model of score vs hyperparameters to the trials so "
        "far and picks the next trial where that model expects the most?",
        "Bayesian optimisation (贝叶斯优化)",
        (
            ("grid search (网格搜索)", "Grid search tries the combinations in a fixed order."),
            ("random search (随机搜索)", "Random search samples without learning from trials."),
            (
                "early stopping (早停法)",
                "Early stopping ends one training run; it searches nothing.",
            ),
        ),
        "Bayesian optimisation uses the results so far to choose the next trial.",
    ),
    Choice(
        TUNING,
        SEARCH,
        "Only 2 of 6 hyperparameters matter much. With the same number of trials, why does random "
        "search usually beat grid search?",
        "every random trial tries a new value of each hyperparameter, so the 2 that matter get "
        "many distinct values",
        (
            (
                "random search trains each trial for longer",
                "Both search methods train each trial the same way.",
            ),
            ("grid search cannot use the validation set", "Both score trials on validation data."),
            (
                "random search needs no search space",
                "It samples from a space you define, like the grid.",
            ),
        ),
        "A grid repeats each value of an important hyperparameter across the unimportant ones; "
        "random sampling spends every trial on a new value.",
    ),
)
