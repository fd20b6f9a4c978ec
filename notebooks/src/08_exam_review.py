# %% [markdown]
# # 08 Exam review (考试复习)
#
# The final exam is open-book and full of arithmetic about networks. This notebook is the book to
# bring: the formula sheet (公式表) with every worked example computed by the code, the
# English-Chinese glossary (术语表) as a searchable table, practice problems (练习题) for every
# topic with checked answers, a mock exam (模拟考试) of 20 problems with a score, answers to the
# nine questions students asked, and the classic networks' key numbers.
#
# Everything below is drawn with one seed, so you see the same problems as your classmates.
# Change `SEED` (or pass `seed=None`) for fresh ones: the supply of problems is endless.

# %%
import math

import keras
from IPython.display import display

import cnnkit as ck
from cnnkit import review
from cnnkit.plots import review as review_plots
from cnnkit.review.classic import CLASSIC_NETWORKS
from cnnkit.review.practice import REJECTED
from cnnkit.review.sheet import SheetToolMissing, format_value

SEED = 8

# %% [markdown]
# ## 1. The formula sheet in notebook form
#
# One source of truth: the layer arithmetic is read from the registry `ck.formulas.FORMULAS`
# (the functions chapters 01-05 use), the activations, losses and optimizers from
# `cnnkit/review/reference.py`. The *result* column is computed now, by calling each formula on
# its worked example; nothing here is typed twice.
#
# ### Layer arithmetic: output sizes, parameter counts, receptive fields (输出尺寸, 参数量, 感受野)

# %%
# NBVAL_CHECK_OUTPUT
review.formula_sheet_markdown("layers")

# %% [markdown]
# ### Activations, losses and training (激活函数、损失函数、优化算法)

# %%
# NBVAL_CHECK_OUTPUT
review.formula_sheet_markdown("training")

# %% [markdown]
# The same rows as a DataFrame (`review.formula_sheet_frame()`), for filtering. A few worked
# examples, checked against Keras itself: the output size of the syllabus's 32×32×3 input under
# six 5×5 filters, the parameters of that layer, softmax and cross-entropy (Keras uses ln).

# %%
# NBVAL_CHECK_OUTPUT
sheet = review.formula_sheet_frame()
print(len(sheet), "formulas;", sheet["section"].value_counts().to_dict())

conv = keras.layers.Conv2D(6, 5)
conv.build((None, 32, 32, 3))
assert conv.compute_output_shape((None, 32, 32, 3))[1] == int(
    sheet.loc["conv_output_size", "result"]
)
assert conv.count_params() == int(sheet.loc["conv_params", "result"])
softmax = keras.ops.convert_to_numpy(keras.ops.softmax(keras.ops.convert_to_tensor([[1.0, 2, 3]])))
assert format_value(tuple(float(p) for p in softmax[0])) == sheet.loc["softmax", "result"]
ce = float(keras.losses.CategoricalCrossentropy()([[0.0, 1, 0]], [[0.05, 0.9, 0.05]]))
assert format_value(ce) == sheet.loc["cross_entropy", "result"]
print(
    "Keras agrees: 32×32×3 -> 28×28×6 with",
    conv.count_params(),
    "parameters; softmax(1, 2, 3) =",
    sheet.loc["softmax", "result"],
    "; -ln 0.9 =",
    sheet.loc["cross_entropy", "result"],
)

# %% [markdown]
# ### The printable sheet
#
# The same registries render a two-page A4 sheet (HTML with a print stylesheet, and PDF with a
# CJK font so the Chinese prints). From a terminal in the repository: `make sheet` (writes
# `review_build/formula_sheet.html` and `.pdf`). From Python: `ck.review.build_sheet(folder)`.
# Quick mode builds the HTML only (the PDF takes a few seconds more).

# %%
formats = ("html",) if ck.QUICK else ("html", "pdf")
try:
    written = review.build_sheet("review_build", formats=formats)
except (
    SheetToolMissing
) as error:  # WeasyPrint or Pango missing: the HTML still prints from a browser
    print(error)
    written = review.build_sheet("review_build", formats=("html",))
for kind, path in written.items():
    print(f"{kind}: {path} ({path.stat().st_size // 1024} KiB)")

# %% [markdown]
# ## 2. The glossary (术语表)
#
# Every key term of the course in English and Chinese, with a one-line definition and the chapter
# that teaches it. `review.glossary()` is the whole table:

# %%
table = review.glossary()
assert len(table) >= 150, "the glossary covers the whole syllabus"
print(len(table), "terms; per chapter:", table["chapter"].value_counts().sort_index().to_dict())
table.head(8)

# %% [markdown]
# Look a term up in either direction. Case, hyphens and small typos are forgiven, and a term that
# is not there gets suggestions instead of an error:

# %%
# NBVAL_CHECK_OUTPUT
for query in ["卷积核", "kernel", "Max-Pooling", "kernal", "批量归一化", "logits"]:
    hit = review.glossary(query)
    print(f"{query!r:14} -> {hit.english} | {hit.chinese}   {hit.message}")
print(review.glossary("convolutoinal netwrk layerz").message)

# %% [markdown]
# A search box without widgets: `review.glossary_search(text, chapter=None)` keeps the rows that
# contain the text anywhere (English, Chinese or definition).

# %%
# NBVAL_CHECK_OUTPUT
review.glossary_search("stride")

# %%
# NBVAL_CHECK_OUTPUT
review.glossary_search("池化", chapter=3)

# %% [markdown]
# ## 3. Practice, topic by topic
#
# `review.practice(topic, n, seed)` draws exam-style problems. Each has `.statement`, `.answer`,
# a worked `.solution` and `.check(answer)`, which answers like the exercises do: correct,
# incorrect with a message that names the mistake, or not attempted. Every answer was **verified
# against Keras when the problem was generated** (building the layer and reading its shape or
# parameter count, or running softmax, the loss, the optimizer step); a problem Keras disagrees
# with is never shown. The twelve topics:

# %%
# NBVAL_CHECK_OUTPUT
print(review.TOPICS)


# %% [markdown]
# For each topic below: one problem, the check of the correct answer, the check of the mistake
# students make most often on it (`problem.typical_mistake()`), and the worked solution.


# %%
def walk_through(topic):
    problem = review.practice(topic, n=1, seed=SEED)[0]
    assert problem.verified
    wrong = problem.typical_mistake()
    display(problem, problem.check(problem.answer))
    print("typical mistake:", wrong)
    display(problem.check(wrong), problem.show_solution())


# %% [markdown]
# ### Sizes: convolution, pooling, receptive field (输出尺寸, 感受野)

# %%
# NBVAL_CHECK_OUTPUT
walk_through("conv_output_size")

# %%
# NBVAL_CHECK_OUTPUT
walk_through("pool_output_size")

# %%
# NBVAL_CHECK_OUTPUT
walk_through("receptive_field")

# %% [markdown]
# ### Parameter counts (参数量): convolution, dense, a whole stack, recurrent layers

# %%
# NBVAL_CHECK_OUTPUT
walk_through("conv_params")

# %%
# NBVAL_CHECK_OUTPUT
walk_through("dense_params")

# %%
# NBVAL_CHECK_OUTPUT
walk_through("stack_table")

# %%
# NBVAL_CHECK_OUTPUT
walk_through("rnn_params")

# %% [markdown]
# ### Softmax and cross-entropy (归一化指数函数, 交叉熵)

# %%
# NBVAL_CHECK_OUTPUT
walk_through("softmax")

# %%
# NBVAL_CHECK_OUTPUT
walk_through("cross_entropy")

# %% [markdown]
# ### Training arithmetic: batches and epochs, dropout, one optimizer step (批大小, 随机失活, 优化算法)

# %%
# NBVAL_CHECK_OUTPUT
walk_through("batch_epoch")

# %%
# NBVAL_CHECK_OUTPUT
walk_through("dropout_expectation")

# %%
# NBVAL_CHECK_OUTPUT
walk_through("optimizer_step")

# %% [markdown]
# The supply is endless: every seed gives new numbers, each verified by Keras as it is drawn.
# Here is a batch of fresh problems (more in full mode), and how many Keras rejected.

# %%
count = 24 if ck.QUICK else 120
batch = review.practice(n=count, seed=2024)
assert all(problem.verified for problem in batch)
print(
    f"{count} problems over {len({p.topic for p in batch})} topics generated and verified by "
    f"Keras; {len(REJECTED)} rejected so far"
)

# %% [markdown]
# ## 4. The mock exam (模拟考试)
#
# Twenty mixed problems, every topic at least once. Answer with `exam.answer(i, value)` (problems
# are numbered as shown), then `exam.score()` counts the correct ones and lists the topics to
# revisit.

# %%
# NBVAL_CHECK_OUTPUT
exam = review.mock_exam(n=20, seed=SEED)
assert len(exam) == 20 and {p.topic for p in exam} == set(review.TOPICS)
exam

# %% [markdown]
# For this demonstration a "student" fills in the answers programmatically: the correct answer
# for most problems, a typical mistake for every fourth one, and nothing for the last two.

# %%
# NBVAL_CHECK_OUTPUT
for problem in exam:
    if problem.number > 18:
        continue  # left blank
    if problem.number % 4 == 0:
        result = exam.answer(problem.number, problem.typical_mistake())
        print(f"{problem.label}: {result.message}")
    else:
        exam.answer(problem.number, problem.answer)
score = exam.score()
assert (score.correct, score.attempted, score.total) == (14, 18, 20)

# %%
review_plots.exam_results(exam)

# %% [markdown]
# Read the worked solution of a problem you missed, e.g. problem 4:

# %%
# NBVAL_CHECK_OUTPUT
exam[4].show_solution()

# %% [markdown]
# ## 5. The students' questions, answered
#
# Each answer is short; the linked chapter section settles it by experiment.
#
# **Q1. Must data be mapped into (0, 1) before cross-entropy is used?**
# The *inputs* need not be: scaling pixels to [0, 1] only helps training. What must be in (0, 1)
# are the *predictions* the loss takes the log of: probabilities from a sigmoid or softmax, with
# one-hot or integer labels. A network that outputs raw scores (logits, 逻辑值) uses
# `from_logits=True`, and Keras applies the softmax inside the loss, more stably.
# See [01_nn_basics.ipynb](01_nn_basics.ipynb), section 14 "Students' question 1: must data be
# mapped into (0, 1) before cross-entropy?" (raw vs scaled pixels, probabilities vs logits).
#
# **Q2. Does a convolution kernel need a bias (偏置)?**
# One bias per filter (K per layer) shifts the filter's response before the activation; removing
# it saves K parameters and usually costs little. Drop it when batch normalisation (批量归一化)
# follows: BN subtracts the batch mean, bias included, and adds its own β.
# See [02_convolution.ipynb](02_convolution.ipynb), section 9 "Question 2: does a kernel need a
# bias?".
#
# **Q3. Where does batch normalisation go, and how does it relate to residual networks?**
# After a convolution (or dense layer) and before its activation: Conv -> BN -> ReLU, with the
# convolution's bias dropped. In a ResNet basic block it follows every convolution, and the
# second BN comes before the addition y = F(x) + x, with the ReLU after it. BN keeps deep stacks
# trainable; the shortcut solves the degradation problem. They are complementary, not the same.
# See [04_classic_cnns.ipynb](04_classic_cnns.ipynb), the ResNet and batch-normalisation sections.
#
# **Q4. How does PyTorch's `F.nll_loss` differ from ordinary cross-entropy?**
# `nll_loss` expects *log*-probabilities and only picks -log p of the true class;
# `F.cross_entropy` = `log_softmax` + `nll_loss` on raw logits. In Keras terms:
# `SparseCategoricalCrossentropy(from_logits=True)` for integer labels and logits,
# `CategoricalCrossentropy` for one-hot labels, `from_logits=False` when the model already ends
# in a softmax. Applying `nll_loss` to raw logits is the classic bug: it is not a loss at all.
# See [01_nn_basics.ipynb](01_nn_basics.ipynb), section 15 "Students' question 4: PyTorch's
# `F.nll_loss` in Keras terms".
#
# **Q5. How does convolution work over many channels and in more dimensions?**
# A filter spans all input channels: the per-channel weighted sums are added, plus one bias, into
# one number, so each filter gives one feature map and the output depth is the number of filters.
# In 1-D (`Conv1D`) the kernel slides along time, in 3-D (`Conv3D`) along three axes; it always
# covers all channels. See [02_convolution.ipynb](02_convolution.ipynb), section 4 "Many
# channels: one filter spans them all" and section 11 "Question 5: convolution in 1-D and 3-D".
#
# **Q6. How are kernel sizes and the number of conv layers chosen?**
# 3×3 by default: two stacked 3×3 see 5×5 and three see 7×7 with fewer parameters and more
# non-linearity (VGG); 1×1 to change depth; a large first kernel only to shrink a large input
# fast. Add layers until the receptive field (感受野) covers the objects, then let the validation
# set decide. See [02_convolution.ipynb](02_convolution.ipynb), section 10 "Questions 6 and 8:
# choosing kernel sizes and depth".
#
# **Q7. Why is there a fully connected layer at the end of a CNN, and when is it needed?**
# The convolutions say *what* is *where*; the final dense layer maps all features to one score per
# class, so one is always needed. A big hidden FC stack is needed only when position matters or
# more capacity is wanted; global average pooling (全局平均池化) usually replaces it with far
# fewer parameters and any input size. See [03_pooling.ipynb](03_pooling.ipynb), section 8
# "Question 7: why a fully connected head, and when is it needed?" (and section 6).
#
# **Q8. How is a convolution kernel chosen, and how do its parameters affect results?**
# The kernel's *weights* are learned, not chosen; you choose its size F, stride S, padding P and
# the number of filters K. F sets what one layer sees and the cost (F×F×D1×K + K parameters),
# S and P set the output size W2 = (W1 - F + 2P)/S + 1, K sets the depth. Hand-made filters
# (edge, blur) show what learned ones look like. See [02_convolution.ipynb](02_convolution.ipynb),
# section 3 "Hand-made filters on a photograph" and section 10.
#
# **Q9. What exactly do inception's depth-wise concatenation and ResNet's residual block compute?**
# An inception module runs four branches (1×1; 1×1->3×3; 1×1->5×5; 3×3 pool->1×1) on the same
# input with "same" padding, so their maps have equal height and width, and stacks them along the
# channel axis: the output depth is the *sum* of the branch depths. A residual block adds its
# input to its output, y = F(x) + x, element by element: the shapes must match (or a 1×1
# projection makes them match), and the depth stays. See
# [04_classic_cnns.ipynb](04_classic_cnns.ipynb), the GoogLeNet and ResNet sections.
#
# The numbers those answers quote, computed with `ck.formulas` and Keras:

# %%
# NBVAL_CHECK_OUTPUT
f = ck.formulas
print(
    "Q2: 3×3 conv, 64 -> 64:",
    f.conv_params(3, 64, 64),
    "with bias,",
    f.conv_params(3, 64, 64, use_bias=False),
    "without",
)
print(
    "Q6: two 3×3 (64 -> 64):",
    2 * f.conv_params(3, 64, 64, use_bias=False),
    "vs one 5×5:",
    f.conv_params(5, 64, 64, use_bias=False),
    "| receptive field",
    f.receptive_field([(3, 1), (3, 1)]),
)

x = keras.Input((28, 28, 192))
branches = [
    keras.layers.Conv2D(64, 1, padding="same")(x),
    keras.layers.Conv2D(128, 3, padding="same")(keras.layers.Conv2D(96, 1)(x)),
    keras.layers.Conv2D(32, 5, padding="same")(keras.layers.Conv2D(16, 1)(x)),
    keras.layers.Conv2D(32, 1)(keras.layers.MaxPooling2D(3, strides=1, padding="same")(x)),
]
inception = keras.layers.Concatenate()(branches)
print("Q9: inception 3a concatenates depths 64 + 128 + 32 + 32 ->", tuple(inception.shape[1:]))
residual = keras.layers.Add()([x, keras.layers.Conv2D(192, 3, padding="same")(x)])
print("Q9: residual y = F(x) + x keeps the shape ->", tuple(residual.shape[1:]))

# %% [markdown]
# ## 6. The classic networks' key numbers (经典卷积网络)
#
# From `cnnkit/review/classic.py`, the one place these numbers are written (the printable sheet
# shows the same table). "≈" marks the papers' round figures.

# %%
# NBVAL_CHECK_OUTPUT
review.classic_networks_frame()

# %% [markdown]
# Two of them rebuilt live from `ck.models`:

# %%
# NBVAL_CHECK_OUTPUT
lenet = ck.models.lenet5()
resnet18 = ck.models.resnet(18)
resnet18_trainable = sum(math.prod(w.shape) for w in resnet18.trainable_weights)
assert lenet.count_params() == CLASSIC_NETWORKS["LeNet-5"].params
assert resnet18_trainable == CLASSIC_NETWORKS["ResNet-18"].params
print(f"LeNet-5: {lenet.count_params():,} parameters; ResNet-18: {resnet18_trainable:,} trainable")

# %% [markdown]
# ## Recap
#
# - **Formula sheet**: `review.formula_sheet_markdown()` here, `make sheet` (or
#   `review.build_sheet(folder)`) for the printable two A4 pages; every worked example is computed
#   from `ck.formulas` and `cnnkit/review/reference.py`.
# - **Glossary**: `review.glossary("卷积核")` / `review.glossary("kernel")` in both directions,
#   typos forgiven; `review.glossary_search(text, chapter)` filters the whole table.
# - **Practice**: `review.practice(topic, n, seed)`, twelve topics, answers verified by Keras;
#   `.check(answer)` names the mistake, `.show_solution()` works it out.
# - **Mock exam**: `review.mock_exam(seed=...)`, `exam.answer(i, value)`, `exam.score()` with the
#   topics to revisit.
# - **Questions 1-9**: answered above, each settled by an experiment in chapters 01-04.
#
# Every chapter's exercises are in `exercises/` (e.g. `exercises/02_convolution.ipynb`); for more
# drill, call `review.practice(seed=None)` or a new `review.mock_exam()` until the score stops
# surprising you. Good luck in the exam.
