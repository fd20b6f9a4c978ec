# %% [markdown]
# # 08 Exam review (考试复习)
#
# The final exam is open-book and mixes six kinds of questions: choice (选择题), true/false
# (判断题), ordering (排序题), calculation (计算题), short answer (简答题) and analysis and design
# (分析设计题). This notebook is the book to bring and the place to drill: your course progress
# (学习进度), the formula sheet (公式表) with every worked example computed by the code, the
# English-Chinese glossary (术语表), practice problems (练习题) of six kinds covering every
# topic of the course (each topic in the kinds that suit it), with checked answers, a mock exam
# (模拟考试) with points and a score report, answers to the nine questions students asked, and
# the classic networks' key numbers.
#
# Problems and mock-exam papers are per student: your student id (the exercises' seed,
# `ck.exercises.seed("your student number")`) picks them, so you get your own and the same ones
# again. Everything below is drawn for one demonstration student (`STUDENT`) and one `SEED`, so
# this page shows the same problems on every machine; leave out `student=` for your own, and
# change `SEED` (or pass `seed=None`) for fresh ones: calculations and designs get new numbers
# every time, while the concept items (choice, true/false, ordering, short answer) come from a
# fixed bank of hand-written questions, drawn and shuffled (repeats come soon: the bank is for
# learning the ideas, not for endless drill). The demonstrations below pass `record=False`, so
# they do not enter your own progress.

# %%
import math

import keras
import pandas as pd
from IPython.display import display

import cnnkit as ck
from cnnkit import review
from cnnkit.plots import review as review_plots
from cnnkit.review.classic import CLASSIC_NETWORKS
from cnnkit.review.practice import REJECTED
from cnnkit.review.sheet import SheetToolMissing, format_value
from cnnkit.review.topics import TOPIC_INFO, kinds_of

SEED = 8
STUDENT = "2023011234"  # a demonstration student id; leave out student= to use your own

# %% [markdown]
# ## 0. Where you stand: your course progress (学习进度)
#
# Every check, hint and solution you ask for in the exercise notebooks, and every practice or
# mock-exam answer, is kept in a small file on your computer (under `$CNNKIT_HOME`, default
# `~/.cnnkit`; nothing is sent anywhere). `ck.progress()` shows it: one row per chapter, then your
# practice history by topic, weakest first. Start your review with the chapters and topics at the
# top.

# %%
if hasattr(ck, "progress"):
    course = ck.progress()
else:  # a kit without the progress store: the review below works all the same
    course = "ck.progress() is not available in this version of cnnkit."
course

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
# CJK font so the Chinese prints). It is committed, ready to print, as
# [review/formula_sheet.pdf](../review/formula_sheet.pdf) and
# [review/formula_sheet.html](../review/formula_sheet.html); `make sheet` rebuilds it, and a test
# fails when the committed one is out of date. From Python: `review.build_sheet(folder)`.
# Quick mode builds the HTML only (the PDF takes a few seconds more).

# %%
formats = ("html",) if ck.QUICK else ("html", "pdf")
try:
    written = review.build_sheet("review_build", formats=formats)
except SheetToolMissing as error:  # WeasyPrint or Pango missing: the HTML still prints
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
# `review.practice(topic, n, seed, kind=None)` draws exam-style problems. Each has `.kind`,
# `.topic`, `.statement`, `.answer`, `.source` (the chapter section that teaches it), a worked
# `.solution` and `.check(answer)`, which answers like the exercises do: correct, incorrect with a
# message that names the mistake and the section to read, or not attempted. An answer the kit
# cannot read is "not understood" (not attempted), never counted wrong. Numbers may be typed as
# text (`'3904'`, `'3,904'`), shapes as `(28, 28, 6)`, `'28x28x6'` or `'28*28*6'`. A real number
# is judged at the precision the question states: decimals, or 3 significant figures for a
# value under 0.1, so that 0, the other sign or a wrong power of ten is never right. Every
# calculation answer was **verified against Keras when the problem was generated** (building the
# layer and reading its shape or parameter count, or running softmax, the loss, the optimizer
# step; NumPy for the few without a Keras op); a problem Keras disagrees with is never shown.
# Concept items (choice, true/false, ordering, short answer) are written by hand with their key:
# there is nothing for Keras to compute, so for them "verified" only means "drawn". The topics,
# in course order, with their kinds:

# %%
# NBVAL_CHECK_OUTPUT
topics = pd.DataFrame(
    [
        {"topic": t, "chapter": c, "what": title, "中文": zh, "kinds": ", ".join(kinds_of(t))}
        for t, (c, title, zh) in TOPIC_INFO.items()
    ]
).set_index("topic")
print(len(topics), "topics;", sorted(review.KINDS))
topics

# %% [markdown]
# ### Calculation (计算题)
#
# For each calculation topic below: one problem, the check of the correct answer, the check of
# the mistake students make most often on it (`problem.typical_mistake()`), and the worked
# solution.


# %%
def walk_through(topic, kind="calculation"):
    problem = review.practice(topic, n=1, seed=SEED, kind=kind, record=False, student=STUDENT)[0]
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
# ### The newer calculations: losses for boxes and embeddings, early stopping, GANs
#
# IoU, smooth L1, focal and triplet losses (chapter 07, checked against Keras's `Huber` and
# `BinaryFocalCrossentropy` or NumPy), the epoch at which `EarlyStopping` stops (checked by driving
# Keras's own callback), and the GAN losses (checked with `BinaryCrossentropy`).

# %%
# NBVAL_CHECK_OUTPUT
walk_through("loss_choice")

# %%
# NBVAL_CHECK_OUTPUT
walk_through("early_stopping")

# %%
# NBVAL_CHECK_OUTPUT
walk_through("gan")

# %% [markdown]
# ### Concept questions: choice, true/false, ordering, short answer
#
# A choice question (选择题) is answered with a letter (or the option's index, 0 for A, or its
# text); a wrong letter says why that option is wrong and which section to read, a right one
# gives the justification. True/false (判断题) takes `True`/`False`; `1`/`0`, `"T"`/`"F"` and
# `"对"`/`"错"` work too. Ordering (排序题) takes the letters in order and names the first
# position that is wrong. A short answer (简答题) is asked so that it can be graded: tick every
# true statement among the key ideas and plausible wrong ones (negations among them); a wrong
# tick is named with why it is false, a missing one is counted. Free text is not graded (it is
# "not understood"): compare your own words with the model answer in the solution.

# %%
# NBVAL_CHECK_OUTPUT
choice = review.practice(
    "classic_networks", n=1, seed=SEED, kind="choice", record=False, student=STUDENT
)[0]
display(choice)
wrong = next(letter for letter in "ABCD" if letter != choice.answer)
display(choice.check(wrong), choice.check(choice.answer))

# %%
# NBVAL_CHECK_OUTPUT
judge = review.practice("gan", n=1, seed=SEED, kind="true_false", record=False, student=STUDENT)[0]
in_chinese = "对" if judge.answer else "错"  # true / false
display(judge, judge.check(in_chinese))

# %%
# NBVAL_CHECK_OUTPUT
steps = review.practice("workflow", n=1, seed=1, kind="ordering", record=False, student=STUDENT)[0]
display(steps, steps.check(steps.typical_mistake()), steps.check(steps.answer))

# %%
# NBVAL_CHECK_OUTPUT
why = review.practice(
    "activations", n=1, seed=SEED, kind="short_answer", record=False, student=STUDENT
)[0]
display(why)
display(why.check("For x > 0 the derivative of ReLU is 1; the sigmoid saturates (σ' ≤ 0.25)."))
display(why.check(why.typical_mistake()), why.check(why.answer))

# %% [markdown]
# ### A design question (分析设计题)
#
# A goal and constraints; the answer is a Keras model or a list of layers. The checker builds
# it, measures it with `ck.explain` and says which constraint fails. A first try with the classic
# Flatten + Dense head, then the fix.

# %%
# NBVAL_CHECK_OUTPUT
design = review.practice("cnn_design", n=1, seed=72, record=False, student=STUDENT)[0]
design

# %%
# NBVAL_CHECK_OUTPUT
classes = design.data["classes"]
first_try = [
    keras.layers.Conv2D(32, 3, activation="relu"),
    keras.layers.MaxPooling2D(2),
    keras.layers.Conv2D(64, 3, activation="relu"),
    keras.layers.Flatten(),
    keras.layers.Dense(classes, activation="softmax"),
]
display(design.check(first_try))
fixed = [
    keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
    keras.layers.MaxPooling2D(2),
    keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
    keras.layers.MaxPooling2D(2),
    keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
    keras.layers.MaxPooling2D(2),
    keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
    keras.layers.GlobalAveragePooling2D(),
    keras.layers.Dense(classes, activation="softmax"),
]
design.check(fixed)

# %% [markdown]
# The supply of calculations is endless: every seed gives new numbers, each verified by Keras as
# it is drawn. Here is a batch of fresh problems (more in full mode), and how many Keras rejected.

# %%
count = 24 if ck.QUICK else 120
batch = review.practice(n=count, seed=2024, record=False, student=STUDENT)
assert all(problem.verified for problem in batch)
print(
    f"{count} problems over {len({p.topic for p in batch})} topics and "
    f"{len({p.kind for p in batch})} kinds generated and verified; {len(REJECTED)} rejected so far"
)

# %% [markdown]
# ## 4. The mock exam (模拟考试)
#
# Twenty problems shaped like the real exam: sections by kind, points per question, a suggested
# time, topics spread over the whole course. The paper is yours: your student id picks it, the
# same paper comes back when you open it again, and `exam.retake()` draws a new one. It is an
# exam: `exam.answer(i, value)` only records an answer (no verdict, no hint; answering again
# replaces it), and `exam.submit()` judges all answers at once and gives the points by section
# and topic and the chapter sections to read again. Only the first submission scores; the
# solutions and the per-problem feedback open after it (before it, `exam[i].answer` is `None`
# and `exam[i].show_solution()` says so). A problem earns its points only when it is entirely
# right: choice 2, true/false 1, ordering 3, calculation 5, short answer 5, analysis and design
# 10. The partial credit a design or layer-table answer is told ("4 of 6 constraints hold",
# blanks marked one by one) is feedback, not points. `exam.key()` and the printed answer key
# are for a teacher: the paper is judged at submission, but reading the key first is up to you.

# %%
# NBVAL_CHECK_OUTPUT
exam = review.mock_exam(n=20, seed=SEED, record=False, student=STUDENT)
assert len(exam) == 20 and len({p.kind for p in exam}) == 6
exam

# %% [markdown]
# For this demonstration a "student" fills in the answers programmatically from the answer key
# (`exam.key()`, which a real student would not look at): the correct answer for most problems,
# a typical mistake for every fourth one and for problem 19 (a design), and nothing for problem
# 20. Each answer is only recorded. A problem number that does not exist gets a message, not an
# error. Then the paper is submitted and scored.

# %%
# NBVAL_CHECK_OUTPUT
key = exam.key()
for problem in exam:
    if problem.number == 20:
        continue  # left blank
    if problem.number % 4 == 0 or problem.number == 19:
        exam.answer(problem.number, problem.typical_mistake())
    else:
        exam.answer(problem.number, key[problem.number])
print(exam.answer(1, key[1]).message)  # recorded, not judged: nothing to learn before submission
print(exam.answer(21, "B").message)
score = exam.submit()
assert (score.correct, score.attempted, score.count) == (14, 19, 20)
score

# %%
review_plots.exam_results(exam)

# %% [markdown]
# The figure lists the paper's topics in course order, each bar coloured by the verdict at
# submission; on this paper every topic has one problem, so every bar has length 1 and only the
# colour carries information (green 14, red 5, grey 1: problem 20, left blank).
#
# The score is final: answering again or submitting again changes nothing. The verdict and the
# message of each problem are open now; `exam.retake()` is a new paper for the next try.

# %%
# NBVAL_CHECK_OUTPUT
print(exam.answer(4, key[4]).message)
assert exam.submit() is score and exam.submit().correct == 14
print(str(exam.feedback()).splitlines()[3])
retake = exam.retake()
print(
    f"retake: attempt {retake.attempt}, {len(retake)} new problems, submitted: {retake.submitted}"
)
assert [q.statement for q in retake] != [q.statement for q in exam]

# %% [markdown]
# Read the worked solution of a problem you missed, e.g. problem 4:

# %%
# NBVAL_CHECK_OUTPUT
exam[4].show_solution()

# %% [markdown]
# Print it: `exam.save(folder)` writes `mock_exam.html` and `mock_exam.pdf`, the answer key on
# separate pages at the end (quick mode writes the HTML only).

# %%
try:
    saved = exam.save("review_build", formats=("html",) if ck.QUICK else ("html", "pdf"))
except SheetToolMissing as error:  # no WeasyPrint: the HTML prints from a browser
    print(error)
    saved = exam.save("review_build", formats=("html",))
for kind, path in saved.items():
    print(f"{kind}: {path} ({path.stat().st_size // 1024} KiB)")

# %% [markdown]
# ## 5. The students' questions, answered
#
# Each answer is short; the linked chapter section tests it: by an experiment for questions 1,
# 2, 3, 6, 7 and 8 (training runs that compare the choices; for question 3 read the caveat
# below), by a computation checked against Keras for questions 4, 5 and 9 (what a loss, a
# filter or a module computes is arithmetic).
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
# second BN comes before the addition y = F(x) + x, with the ReLU after it. That is where the
# ResNet papers put it. BN keeps each layer's signal well scaled; the shortcut gives gradients a
# direct path and solves the degradation problem. They are complementary, not the same.
# See [04_classic_cnns.ipynb](04_classic_cnns.ipynb), the ResNet section and "Question 3: where
# does batch normalisation go, and how does it relate to ResNet?", which measures both orders on
# small networks trained briefly: read its verdict there, and how far a run of that size can
# settle it.
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
# choosing kernel sizes and depth" (the arithmetic), and
# [04_classic_cnns.ipynb](04_classic_cnns.ipynb), "Experiment (questions 6 and 8): kernel size,
# depth, stride and padding" (six small networks trained on the same data).
#
# **Q7. Why is there a fully connected layer at the end of a CNN, and when is it needed?**
# The convolutions say *what* is *where*; a classifier needs one score per class, so a final
# *linear map* to the classes is always needed: a Dense layer, or a 1×1 convolution with one map
# per class followed by global average pooling (the same scores). A big hidden FC stack is
# needed only when position matters or more capacity is wanted; modern networks replace it with
# global average pooling (全局平均池化): far fewer parameters and any input size. That is not
# free in a short run: in chapter 03's section 6 the GAP head trails the Flatten head after
# 3 epochs on every seed. See [03_pooling.ipynb](03_pooling.ipynb), section 8 "Question 7: why
# a fully connected head, and when is it needed?" and section 6.
#
# **Q8. How is a convolution kernel chosen, and how do its parameters affect results?**
# The kernel's *weights* are learned, not chosen; you choose its size F, stride S, padding P and
# the number of filters K. F sets what one layer sees and the cost (F×F×D1×K + K parameters),
# S and P set the output size W2 = floor((W1 - F + 2P)/S) + 1, K sets the depth. Hand-made filters
# (edge, blur) show what learned ones look like. See [02_convolution.ipynb](02_convolution.ipynb),
# section 3 "Hand-made filters on a photograph" and section 10, and chapter 04's experiment on
# kernel size, stride and padding (see Q6).
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
# shows the same table). Its parameters column counts *trainable* parameters, as torchvision
# does: that is chapter 04's "trainable" column, which chapter 04 measures on every model it
# builds. For the networks with batch normalisation (the ResNets, MobileNet) chapter 04's
# "parameters" column is larger: it adds the BN moving means and variances (not trained, but
# stored in the model). The table gives the 1998 LeNet-5's own 60,850 parameters beside the
# 61,706 of the modern Keras version, AlexNet as one stream (62,378,344; chapter 04 gives the
# paper's two-GPU split, 60,965,224) and multiply-accumulates (乘加次数, MACs) per image at each
# model's own input size (32×32 for LeNet-5, 227×227 for AlexNet, 224×224 for the others).

# %%
# NBVAL_CHECK_OUTPUT
review.classic_networks_frame()

# %% [markdown]
# Three of them rebuilt live from `ck.models`, with chapter 04's measurement
# (`cnnkit.models.survey.profile`):

# %%
# NBVAL_CHECK_OUTPUT
from cnnkit.models import survey

lenet = CLASSIC_NETWORKS["LeNet-5"]
paper = survey.profile(ck.models.lenet5_1998())
assert (paper["parameters"], paper["macs"]) == (lenet.params, lenet.macs)
assert ck.models.lenet5().count_params() == lenet.modern_params
resnet18 = ck.models.resnet(depth=18)
resnet18_trainable = sum(math.prod(w.shape) for w in resnet18.trainable_weights)
assert resnet18_trainable == CLASSIC_NETWORKS["ResNet-18"].params
print(
    f"LeNet-5 (1998): {paper['parameters']:,} parameters, {paper['macs']:,} MACs at 32×32; "
    f"Keras LeNet-5: {lenet.modern_params:,}; ResNet-18: {resnet18_trainable:,} trainable"
)

# %% [markdown]
# ## Recap
#
# - **Progress**: `ck.progress()` shows what you have done, chapter by chapter, and your weakest
#   practice topics first.
# - **Formula sheet**: `review.formula_sheet_markdown()` here; the printable two A4 pages are
#   committed in `review/` (`make sheet` rebuilds them); every worked example is computed from
#   `ck.formulas` and `cnnkit/review/reference.py`.
# - **Glossary**: `review.glossary("卷积核")` / `review.glossary("kernel")` in both directions,
#   typos (and full-width letters) forgiven; `review.glossary_search(text, chapter)` filters it.
# - **Practice**: `review.practice(topic, n, seed, kind)`, every topic, six kinds; calculations
#   verified by Keras; `.check(answer)` names the mistake and the section to read,
#   `.show_solution()` works it out.
# - **Mock exam**: `review.mock_exam()`, your own paper in sections by kind with points and a
#   suggested time; `exam.answer(i, value)` records, `exam.submit()` judges once and scores by
#   section and topic with the chapters to revisit, `exam.retake()` draws a new paper,
#   `exam.save(folder)` prints it with its answer key.
# - **Questions 1-9**: answered above; chapters 01-04 settle 1, 2, 3, 6, 7 and 8 by experiment
#   and 4, 5 and 9 by computations checked against Keras.
#
# Every chapter's exercises are in `exercises/` (e.g. `exercises/02_convolution.ipynb`); for more
# drill, call `review.practice(seed=None)` or `exam.retake()` until the score stops
# surprising you. Good luck in the exam.
