"""Concept items of chapters 05-07: recurrence, vanishing gradients and gates, GANs, losses,
optimizers, overfitting and its remedies, early stopping."""

from __future__ import annotations

from cnnkit.review import sections as s
from cnnkit.review.topics.concepts import Choice, Idea, Ordering, ShortAnswer, TrueFalse

RNN = "rnn_recurrence"
VANISHING = "vanishing_gradients"
GAN = "gan"
LOSSES = "loss_choice"
OPTIMIZERS = "optimizers"
OVERFITTING = "overfitting"
EARLY_STOPPING = "early_stopping"

CHOICES = [
    Choice(
        RNN,
        s.RECURRENCE,
        "In s_t = f(U·x_t + W·s_(t-1)), o_t = g(V·s_t), which weights are used at time step t = 50?",
        "the same U, W and V as at every other step",
        (
            ("a fiftieth copy of U, W and V", "The weights are shared through time: one U, W, V."),
            ("only W; U is used at t = 1", "Every step reads its input x_t through U."),
            (
                "new weights initialised at each step",
                "Nothing is re-initialised during a sequence.",
            ),
        ),
        "Weight sharing through time: the parameter count does not depend on the sequence length.",
    ),
    Choice(
        VANISHING,
        s.LONG_MEMORY,
        "What lets an LSTM keep information over long sequences?",
        "An additive cell state controlled by gates (forget, input, output).",
        (
            ("More units than a SimpleRNN.", "Width does not fix the vanishing gradient."),
            (
                "The sigmoid activation of its state.",
                "Sigmoids saturate; they are the gates, not the memory.",
            ),
            ("A larger learning rate.", "A larger step does not carry gradients through time."),
        ),
        "The forget gate lets the cell state pass almost unchanged, so gradients do not shrink step after step.",
    ),
    Choice(
        VANISHING,
        s.VANISHING,
        "Which remedy targets EXPLODING gradients most directly?",
        "gradient clipping",
        (
            ("dropout", "Dropout fights overfitting, not gradient size."),
            ("a sigmoid output layer", "Sigmoids cause vanishing, not exploding, gradients."),
            ("more training data", "Data does not bound the gradient's norm."),
        ),
        "Clipping rescales a gradient whose norm exceeds a threshold (Keras: clipnorm=...).",
    ),
    Choice(
        GAN,
        s.MODE_COLLAPSE,
        "A GAN's generator produces nearly the same image for every noise vector z. What is this?",
        "mode collapse (模式崩溃)",
        (
            (
                "overfitting of the discriminator (判别器过拟合)",
                "That is a different failure; here the generator's output lacks variety.",
            ),
            (
                "vanishing gradients in the discriminator (判别器梯度消失)",
                "The symptom here is the lack of diversity of G(z).",
            ),
            (
                "convergence to the Nash equilibrium (纳什均衡)",
                "At equilibrium G reproduces the data's variety.",
            ),
        ),
        "G found a few outputs that fool D and ignores the rest of the data distribution.",
    ),
    Choice(
        GAN,
        s.GAN_GAME,
        "What does the discriminator D(x) output?",
        "the probability that x is real (1 = surely real, 0 = surely fake)",
        (
            ("a generated image", "That is the generator's output G(z)."),
            ("the noise vector z", "z is the generator's input."),
            ("the class of x among 10 classes", "A plain GAN's D answers real or fake only."),
        ),
        "D is a binary classifier trained with binary cross-entropy.",
    ),
    Choice(
        LOSSES,
        s.LOSSES_BEYOND,
        "An object detector must learn from 1 object box per 1,000 background boxes. Which classification loss addresses the imbalance?",
        "focal loss",
        (
            ("mean squared error", "MSE is for regression and does not down-weight easy examples."),
            ("triplet loss", "Triplet loss learns embeddings for recognition."),
            ("plain categorical cross-entropy", "Plain CE lets the many easy negatives dominate."),
        ),
        "Focal loss multiplies CE by (1 - p_t)^γ, so easy, well-classified boxes count little.",
    ),
    Choice(
        LOSSES,
        s.LOSSES_BEYOND,
        "Which loss is suited to learning face embeddings (recognition)?",
        "triplet loss (or ArcFace)",
        (
            (
                "mean squared error on the labels",
                "MSE on labels does not shape an embedding space.",
            ),
            ("IoU loss", "IoU losses compare boxes."),
            ("binary cross-entropy on the pixels", "That is a reconstruction loss."),
        ),
        "Triplet loss max(d(a, p) - d(a, n) + margin, 0) pulls same-identity embeddings together and pushes others apart.",
    ),
    Choice(
        LOSSES,
        s.LOSSES,
        "Which loss for a regression target (predicting a price)?",
        "mean squared error (均方误差)",
        (
            (
                "categorical cross-entropy (分类交叉熵)",
                "Cross-entropy compares probability distributions over classes.",
            ),
            ("focal loss (焦点损失)", "Focal loss is for imbalanced classification."),
            ("triplet loss (三元组损失)", "Triplet loss is for embeddings."),
        ),
        "MSE = (1/n) Σ (y - ŷ)² measures numeric distance; cross-entropy measures a distribution's mismatch.",
    ),
    Choice(
        OPTIMIZERS,
        s.OPTIMIZERS,
        "Which optimizer adapts the learning rate per weight by dividing by the root of an exponential average of squared gradients, WITHOUT momentum on the direction?",
        "RMSProp",
        (
            ("Adam", "Adam also keeps a momentum (first-moment) average of the gradients."),
            ("SGD with momentum", "Momentum adapts the direction, not a per-weight learning rate."),
            (
                "AdaGrad",
                "AdaGrad sums all squared gradients (no exponential decay), so its steps keep shrinking.",
            ),
        ),
        "RMSProp: v ← ρv + (1 - ρ)g²; w ← w - αg/(√v + ε).",
    ),
    Choice(
        OPTIMIZERS,
        s.OPTIMIZERS,
        "Why do AdaGrad's steps keep shrinking during training?",
        "It divides by the root of the SUM of all past squared gradients, which only grows.",
        (
            (
                "Its learning rate is decayed by a schedule.",
                "No schedule: the accumulator does it.",
            ),
            ("Its momentum term cancels the gradient.", "AdaGrad has no momentum."),
            ("It clips every gradient.", "AdaGrad does not clip."),
        ),
        "RMSProp replaces the sum by an exponential average, so the step size does not vanish.",
    ),
    Choice(
        OVERFITTING,
        s.REMEDIES,
        "Training loss 0.05 and falling; validation loss 0.9 and rising since epoch 8. Diagnosis?",
        "overfitting (过拟合)",
        (
            ("underfitting (欠拟合)", "An underfit model has a high training loss too."),
            (
                "a too-small learning rate (学习率过小)",
                "Training loss is falling fine; the gap is the problem.",
            ),
            (
                "a data-loading bug (数据加载错误)",
                "A bug would rarely produce a clean, widening gap.",
            ),
        ),
        "Low training loss with high and rising validation loss: the model fits noise of the training set.",
    ),
    Choice(
        OVERFITTING,
        s.REMEDIES,
        "Which is NOT a remedy for overfitting?",
        "adding more parameters to the model",
        (
            ("L2 weight decay", "Weight decay shrinks the effective size per parameter."),
            ("dropout", "Dropout is an implicit ensemble that reduces overfitting."),
            ("data augmentation", "More (varied) data is the most direct remedy."),
        ),
        "More parameters for the same data makes overfitting worse.",
    ),
]

TRUE_FALSE = [
    TrueFalse(
        RNN,
        s.RNN_PARAMS,
        "A SimpleRNN reading sequences of 100 steps has 10 times the parameters of one reading 10 steps.",
        False,
        "The same weights are used at every step: the sequence length does not matter.",
    ),
    TrueFalse(
        RNN,
        s.RECURRENCE,
        "The hidden state is reset between independent sequences.",
        True,
        "Each sequence starts from s_0 = 0 (Keras resets it per batch unless stateful=True).",
    ),
    TrueFalse(
        RNN,
        s.UNROLLED,
        "Unrolled in time, an RNN is a deep feed-forward network whose layers share one set of weights.",
        True,
        "Backpropagation through time runs backprop on that unrolled graph.",
    ),
    TrueFalse(
        VANISHING,
        s.VANISHING,
        "Through 10 sigmoid layers, the activations alone multiply the gradient by at most 0.25^10 ≈ 10^-6.",
        True,
        "Each sigmoid contributes a factor σ' ≤ 0.25.",
    ),
    TrueFalse(
        VANISHING,
        s.VANISHING,
        "Exploding gradients are fixed by using sigmoid activations.",
        False,
        "Clipping, careful initialisation and normalisation are the fixes; sigmoids make gradients vanish.",
    ),
    TrueFalse(
        GAN,
        s.GAN_ALTERNATE,
        "In GAN training, the generator and the discriminator are updated alternately.",
        True,
        "D is trained with G fixed, then G with D fixed.",
    ),
    TrueFalse(
        GAN,
        s.GAN_GAME,
        "In theory, G and D of a GAN need not be neural networks.",
        True,
        "Any differentiable functions play the game; in practice they are networks.",
    ),
    TrueFalse(
        GAN,
        s.GAN_GAME,
        "The generator is trained to make D(G(z)) close to 0.",
        False,
        "G wants D to call its samples real: D(G(z)) close to 1.",
    ),
    TrueFalse(
        LOSSES, s.FOCAL, "With γ = 0, focal loss is plain cross-entropy.", True, "(1 - p_t)^0 = 1."
    ),
    TrueFalse(
        LOSSES,
        s.LOSSES_BEYOND,
        "IoU = area of intersection / area of union of two boxes, so it lies in [0, 1].",
        True,
        "1 for identical boxes, 0 for disjoint ones; the IoU loss is 1 - IoU.",
    ),
    TrueFalse(
        LOSSES,
        s.LOSSES,
        "Keras computes cross-entropy with log base 10.",
        False,
        "Keras uses the natural log: -ln 0.9 ≈ 0.105 (log10 would give 0.046).",
    ),
    TrueFalse(
        OPTIMIZERS,
        s.OPTIMIZERS,
        "Adam's first step has size about α whatever the size of the gradient.",
        True,
        "After bias correction m̂/√v̂ = g/|g| = ±1 on step 1.",
    ),
    TrueFalse(
        OPTIMIZERS,
        s.OPTIMIZERS,
        "Momentum accumulates a velocity v ← m·v - α·g, so steps grow along directions where the gradient keeps its sign.",
        True,
        "Consistent gradients add up; oscillating ones cancel.",
    ),
    TrueFalse(
        OPTIMIZERS,
        s.OPTIMIZERS,
        "Nesterov momentum evaluates the gradient at the look-ahead point w + m·v.",
        True,
        "It corrects the step before overshooting.",
    ),
    TrueFalse(
        OVERFITTING,
        s.DROPOUT,
        "Keras scales the kept units by 1/(1 - p) during training, so nothing changes at test time.",
        True,
        "Inverted dropout keeps the expected activation.",
    ),
    TrueFalse(
        OVERFITTING,
        s.REMEDIES,
        "A training loss far below the validation loss is a sign of overfitting.",
        True,
        "The gap between the two curves is the diagnosis.",
    ),
    TrueFalse(
        EARLY_STOPPING,
        s.REMEDIES,
        "Early stopping (早停法) watches the training loss and stops when it stops falling.",
        False,
        "It watches a held-out validation metric, e.g. val_loss.",
    ),
    TrueFalse(
        EARLY_STOPPING,
        s.REMEDIES,
        "With restore_best_weights=True, EarlyStopping returns the weights of the best validation epoch, not the last.",
        True,
        "Otherwise the model keeps the last, already worse, weights.",
    ),
]

ORDERINGS = [
    Ordering(
        GAN,
        s.GAN_ALTERNATE,
        "One training iteration of a GAN.",
        (
            "sample a batch of real images and a batch of noise z",
            "generate fake images G(z)",
            "update D on real (label 1) and fake (label 0) images",
            "sample new noise z",
            "update G so that D labels G(z) as real (1), with D frozen",
        ),
        "D learns first with G fixed, then G learns against the updated D, with D's weights frozen.",
    ),
    Ordering(
        EARLY_STOPPING,
        s.REMEDIES,
        "The early-stopping procedure.",
        (
            "hold out a validation set",
            "train one epoch and evaluate the validation loss",
            "if it improved, remember these weights and reset the patience counter",
            "if it did not improve for `patience` epochs, stop",
            "restore the best weights",
        ),
        "Keras: EarlyStopping(monitor='val_loss', patience=..., restore_best_weights=True).",
    ),
]

SHORT_ANSWERS = [
    ShortAnswer(
        VANISHING,
        s.VANISHING,
        "Why do gradients vanish in a deep network of sigmoid layers (or a long SimpleRNN)?",
        (
            Idea(
                "backpropagation multiplies one factor per layer / time step (chain rule)",
                (("multipl",), ("product",), ("chain",), ("连乘",), ("相乘",), ("乘积",)),
            ),
            Idea(
                "each sigmoid factor is small: σ' ≤ 0.25 (or |W| < 1)",
                (
                    ("0.25",),
                    ("1/4",),
                    ("less than 1",),
                    ("< 1",),
                    ("<1",),
                    ("小于1",),
                    ("小于 1",),
                    ("saturat",),
                    ("饱和",),
                ),
            ),
        ),
        "Backpropagation multiplies one derivative per layer (the chain rule), and each sigmoid factor "
        "is at most 0.25, so the product shrinks exponentially with depth.",
        wrong=(
            (
                "Backpropagation adds one term per layer, so the gradient grows with depth.",
                "The chain rule multiplies one factor per layer; it does not add them.",
            ),
            (
                "The sigmoid's derivative can reach 1, so each factor keeps the gradient whole.",
                "σ'(z) = σ(1 - σ) is at most 0.25.",
            ),
            (
                "Gradients vanish because the learning rate is too large.",
                "The learning rate scales the update, not the backpropagated product of factors.",
            ),
        ),
    ),
    ShortAnswer(
        OPTIMIZERS,
        s.OPTIMIZERS,
        "What two ideas does Adam combine?",
        (
            Idea(
                "momentum: an exponential average of the gradients (first moment)",
                (("momentum",), ("动量",), ("first moment",), ("一阶",)),
            ),
            Idea(
                "RMSProp-style per-weight step: divide by the root of the average of squared gradients (second moment)",
                (
                    ("rmsprop",),
                    ("squared",),
                    ("second moment",),
                    ("二阶",),
                    ("平方",),
                    ("adaptive",),
                    ("自适应",),
                ),
            ),
        ),
        "Adam combines momentum (an exponential average of the gradients) with RMSProp's adaptive "
        "per-weight step (dividing by the root of an average of squared gradients), plus bias correction.",
        wrong=(
            (
                "Dropout and batch normalisation.",
                "Those are layers, not parts of the optimizer's update.",
            ),
            (
                "One fixed step size for every weight, with no average of past gradients.",
                "That is plain SGD; Adam averages gradients and adapts each weight's step.",
            ),
            (
                "Newton's method with the exact second derivative (the Hessian).",
                "Adam uses running averages of g and g², never the Hessian.",
            ),
        ),
    ),
    ShortAnswer(
        OVERFITTING,
        s.REMEDIES,
        "How do you recognise overfitting, and name two remedies.",
        (
            Idea(
                "training loss low while validation/test loss is high (a gap)",
                (("validation",), ("test",), ("验证",), ("测试",)),
            ),
            Idea(
                "a remedy: regularisation / weight decay / dropout / augmentation / early stopping / more data / fewer parameters",
                (
                    ("regulari",),
                    ("weight decay",),
                    ("dropout",),
                    ("augment",),
                    ("early stop",),
                    ("more data",),
                    ("fewer param",),
                    ("正则",),
                    ("随机失活",),
                    ("数据增强",),
                    ("早停",),
                    ("权重衰减",),
                ),
            ),
        ),
        "The training loss is low while the validation loss is high and rising. Remedies: dropout, "
        "L2 weight decay, data augmentation, early stopping, more data or fewer parameters.",
        wrong=(
            (
                "Training and validation loss are both high and close together.",
                "That is underfitting; overfitting shows a gap: low training loss, high validation loss.",
            ),
            (
                "A remedy: keep training for many epochs after the validation loss starts rising.",
                "That deepens the overfitting; early stopping stops there.",
            ),
            (
                "A remedy: add many more parameters to the model.",
                "More capacity makes overfitting worse; fewer parameters is a remedy.",
            ),
        ),
    ),
]
