"""The chapter sections practice problems cite (``problem.source``), by their headings in
``notebooks/src``. One place: a test checks that every heading here exists in its chapter."""

from __future__ import annotations

from cnnkit.review.problem import Source

BASICS = "01_nn_basics"
CONV = "02_convolution"
POOL = "03_pooling"
CLASSIC = "04_classic_cnns"
RNN = "05_rnn"
GAN = "06_gan"
OVERFIT = "07_overfitting_optimizers"

PARADIGMS = Source(BASICS, "1. Learning paradigms")
ACTIVATIONS = Source(BASICS, "4. Activation functions (激活函数)")
NONLINEARITY = Source(BASICS, "5. Why non-linearity")
SATURATION = Source(BASICS, "6. Saturation and vanishing gradients")
SOFTMAX = Source(BASICS, "7. Softmax (归一化指数函数)")
LOSSES = Source(BASICS, "8. Loss functions (损失函数)")
GRADIENT_DESCENT = Source(BASICS, "9. Gradient descent (梯度下降)")
BATCH_EPOCH = Source(BASICS, "10. Batch, iteration, epoch (批大小, 迭代, 轮)")
DENSE = Source(BASICS, "11. Parameters of a dense layer (全连接层)")
WORKFLOW = Source(BASICS, "13. Deep learning in three steps, and the nine-step workflow")

WHY_NOT_FC = Source(CONV, "1. Why not fully connected?")
CHANNELS = Source(CONV, "4. Many channels: one filter spans them all")
OUTPUT_SIZE = Source(CONV, "5. The output size")
FC_AS_CONV = Source(CONV, "7. A fully connected layer is a convolution")
EQUIVARIANCE = Source(CONV, "8. Translation equivariance")
KERNEL_CHOICE = Source(CONV, "10. Questions 6 and 8: choosing kernel sizes and depth")
TYPICAL_STACK = Source(CONV, "12. The typical stack and where it is going")

POOL_GRID = Source(POOL, "1. Max, average and min pooling on a small grid")
POOL_SIZE = Source(POOL, "2. Window, stride and the size formula")
WHY_POOL = Source(POOL, "3. Why pool?")
GAP = Source(POOL, "6. Global average pooling vs Flatten + Dense")
STRIDED = Source(POOL, "7. Pooling vs strided convolution")

TABLE = Source(CLASSIC, "1. Seven networks, one table")
LENET = Source(CLASSIC, "2. LeNet-5 (1998): the paper's network beside the Keras version")
ALEXNET = Source(CLASSIC, "3. AlexNet (2012): the ideas that started deep learning's run")
ZFNET = Source(CLASSIC, "4. ZFNet (2013): AlexNet retuned by looking at its features")
VGG = Source(CLASSIC, "5. VGG (2014): only 3×3 convolutions")
INCEPTION = Source(CLASSIC, "6. GoogLeNet (2014): the inception module")
RESNET = Source(CLASSIC, "7. ResNet (2015): learn the residual")
BATCH_NORM = Source(
    CLASSIC, "Question 3: where does batch normalisation go, and how does it relate to ResNet?"
)
MOBILENET = Source(CLASSIC, "8. MobileNet (2017): depthwise-separable convolutions")
TRANSFER = Source(CLASSIC, "11. Transfer learning: a backbone pretrained by the course")

RECURRENCE = Source(RNN, "1. The recurrence")
UNROLLED = Source(RNN, "2. Unrolled in time, and backpropagation through time")
RNN_PARAMS = Source(RNN, "4. Parameter counts: SimpleRNN, LSTM, GRU")
LONG_MEMORY = Source(RNN, "7. Long memory: the adding problem")

GAN_GAME = Source(GAN, "1. The two-player game (博弈)")
GAN_ALTERNATE = Source(GAN, "3. The two networks and the alternating training step")
MODE_COLLAPSE = Source(GAN, "6. An unbalanced game: mode collapse (模式崩溃)")

REMEDIES = Source(OVERFIT, "1. Overfitting on purpose, and every remedy measured against it")
DROPOUT = Source(OVERFIT, "Dropout by hand, checked against `keras.layers.Dropout`")
VANISHING = Source(OVERFIT, "2. Vanishing and exploding gradients (梯度消失, 梯度爆炸)")
OPTIMIZERS = Source(
    OVERFIT, "3. Optimizers (优化算法): the update rules in NumPy, checked against Keras"
)
LEARNING_RATE = Source(OVERFIT, "4. The learning rate (学习率)")
LOSSES_BEYOND = Source(OVERFIT, "6. Losses beyond cross-entropy")
RECOGNITION = Source(OVERFIT, "8. Losses for recognition: triplet loss and ArcFace")
FOCAL = Source(OVERFIT, "Focal loss (焦点损失)")
