"""Concept items of chapters 02-04: local connectivity, pooling, classic networks, batch
normalisation, residual learning, transfer learning."""

from __future__ import annotations

from cnnkit.review import sections as s
from cnnkit.review.topics.concepts import Choice, Idea, Ordering, ShortAnswer, TrueFalse

LOCAL = "local_connectivity"
FC_AS_CONV = "fc_as_conv"
POOLING = "pooling"
CLASSIC = "classic_networks"
BATCH_NORM = "batch_norm"
RESIDUAL = "residual"
TRANSFER = "transfer_learning"
AUGMENTATION = "data_augmentation"

CHOICES = [
    Choice(
        LOCAL,
        s.WHY_NOT_FC,
        "Why is a fully connected layer a poor first layer for a 1000×1000 image?",
        "Flattening loses the spatial structure and the weight count explodes (10^12 for 10^6 units), inviting overfitting.",
        (
            (
                "Dense layers cannot take images as input at all.",
                "They can, after Flatten; the problem is the cost and the lost structure.",
            ),
            ("Dense layers have no biases.", "They have one bias per unit."),
            (
                "Dense layers are translation equivariant, which is harmful.",
                "Convolutions are equivariant; dense layers are not.",
            ),
        ),
        "Local connections cut 10^12 weights to 10^8 and weight sharing to 100 per filter.",
    ),
    Choice(
        POOLING,
        s.WHY_POOL,
        "Which is NOT a purpose of pooling (池化)?",
        "Adding learnable parameters to the network.",
        (
            (
                "Reducing computation in later layers.",
                "Pooling does shrink the maps, so later layers cost less.",
            ),
            (
                "Reducing sensitivity to small shifts of position.",
                "That is one of pooling's purposes.",
            ),
            (
                "Keeping the strongest responses while shrinking the map.",
                "Max pooling does exactly that.",
            ),
        ),
        "Max and average pooling have no parameters at all (LeNet's trainable subsampling is the exception).",
    ),
    Choice(
        POOLING,
        s.GAP,
        "What replaces the big fully connected head in GoogLeNet?",
        "Global average pooling: one average per feature map, then one small dense layer.",
        (
            ("A second inception module.", "Inception modules are the body, not the head."),
            (
                "Max pooling with a 2×2 window.",
                "A 2×2 pooling only halves the map; it does not reduce each map to one number.",
            ),
            ("Flatten followed by Dense(4096).", "That is the VGG/AlexNet head GoogLeNet removed."),
        ),
        "Global average pooling has no parameters and accepts any input size.",
    ),
    Choice(
        CLASSIC,
        s.VGG,
        "Why does VGG stack two 3×3 convolutions instead of one 5×5?",
        "Same 5×5 receptive field with fewer parameters (2·9C² vs 25C²) and one more non-linearity.",
        (
            (
                "3×3 convolutions have no bias.",
                "Every Keras Conv2D has a bias unless use_bias=False.",
            ),
            ("5×5 convolutions cannot use padding.", "Any kernel can use padding."),
            ("Two 3×3 see a larger field (9×9) than one 5×5.", "Two stacked 3×3 see 5×5, not 9×9."),
        ),
        "Three 3×3 see 7×7 with 27C² weights instead of 49C².",
    ),
    Choice(
        CLASSIC,
        s.INCEPTION,
        "What does the 1×1 convolution before the 3×3 and 5×5 branches of an inception module do?",
        "It reduces the number of channels, cutting the cost of the larger convolutions.",
        (
            (
                "It enlarges the receptive field.",
                "A 1×1 kernel sees one position: it does not enlarge the field.",
            ),
            ("It halves the height and width.", "With stride 1 it keeps height and width."),
            ("It normalises each channel.", "That is batch normalisation."),
        ),
        "1×1 convolutions mix channels at each position: cheap channel reduction before expensive kernels.",
    ),
    Choice(
        CLASSIC,
        s.ZFNET,
        "What did ZFNet change in AlexNet's first layer?",
        "11×11 stride 4 became 7×7 stride 2.",
        (
            ("11×11 stride 4 became 3×3 stride 1.", "That is VGG's choice, not ZFNet's."),
            ("It removed the first convolution.", "ZFNet keeps all five convolutions."),
            ("It added batch normalisation.", "Batch normalisation came in 2015, after ZFNet."),
        ),
        "Visualising conv1's filters showed the large stride-4 filters were too coarse; ZFNet also widened conv3-5 to 512, 1024, 512.",
    ),
    Choice(
        CLASSIC,
        s.ALEXNET,
        "Which of these is NOT one of AlexNet's (2012) ideas?",
        "residual shortcuts y = F(x) + x",
        (
            ("ReLU activations", "AlexNet popularised ReLU."),
            ("dropout in the fully connected layers", "AlexNet used dropout 0.5 in FC6 and FC7."),
            (
                "overlapping pooling (3×3 window, stride 2)",
                "AlexNet introduced overlapping pooling.",
            ),
        ),
        "Residual shortcuts are ResNet's (2015).",
    ),
    Choice(
        BATCH_NORM,
        s.BATCH_NORM,
        "Where does batch normalisation usually go?",
        "After the convolution, before the activation: Conv → BN → ReLU (the conv's bias dropped).",
        (
            ("Only after the last dense layer.", "BN follows every convolution in ResNet."),
            (
                "Before the input layer, instead of scaling the data.",
                "BN normalises hidden activations per batch.",
            ),
            ("After the softmax.", "Normalising probabilities would break them."),
        ),
        "BN subtracts the batch mean (so a bias before it is useless) and adds its own β.",
    ),
    Choice(
        TRANSFER,
        s.TRANSFER,
        "You have 2,000 labelled images and an ImageNet-pretrained ResNet. What is the usual first step?",
        "Freeze the backbone, replace the classifier head, and train only the head.",
        (
            (
                "Train the whole network from random weights.",
                "2,000 images are far too few to train a ResNet from scratch.",
            ),
            (
                "Fine-tune everything with a large learning rate.",
                "A large learning rate destroys the pretrained features.",
            ),
            (
                "Keep ImageNet's 1000-class head.",
                "Your task has its own classes: replace the head.",
            ),
        ),
        "Then optionally unfreeze the top blocks and fine-tune with a small learning rate.",
    ),
    Choice(
        AUGMENTATION,
        s.REMEDIES,
        "Which augmentation is WRONG for handwritten digits?",
        "vertical flips",
        (
            ("small translations", "A shifted digit is still the same digit."),
            ("small rotations", "A slightly rotated digit keeps its label."),
            ("small zoom", "A slightly larger digit keeps its label."),
        ),
        "A flipped 6 looks like a 9 (or nothing): an augmentation must keep the label true.",
    ),
]

TRUE_FALSE = [
    TrueFalse(
        LOCAL,
        s.WHY_NOT_FC,
        "With weight sharing (权值共享), a 10×10 filter slid over a 1000×1000 image has 100 weights, whatever the number of positions.",
        True,
        "The same 100 weights are used at every position.",
    ),
    TrueFalse(
        LOCAL,
        s.CHANNELS,
        "A 3×3 filter applied to a 64-channel input has 9 weights.",
        False,
        "A filter spans all input channels: 3×3×64 = 576 weights (plus one bias).",
    ),
    TrueFalse(
        LOCAL,
        s.EQUIVARIANCE,
        "Convolution is translation equivariant: shifting the input shifts the feature map.",
        True,
        "The same kernel at every position gives the same response, moved.",
    ),
    TrueFalse(
        FC_AS_CONV,
        s.FC_AS_CONV,
        "A Dense layer from a flattened 7×7×512 map to 4,096 units is the same as 4,096 convolution kernels of size 7×7×512.",
        True,
        "Each unit is one kernel covering the whole map: same weights, same count.",
    ),
    TrueFalse(
        FC_AS_CONV,
        s.FC_AS_CONV,
        "Written as a convolution, a fully connected layer has fewer parameters than as a Dense layer.",
        False,
        "Same weights, rearranged: the count is identical.",
    ),
    TrueFalse(
        POOLING,
        s.POOL_GRID,
        "For the same 2×2 window, average pooling can give 2 where max pooling gives 3.",
        True,
        "Window (3, 1, 2, 2): max 3, average 2.",
    ),
    TrueFalse(
        POOLING,
        s.POOL_SIZE,
        "A MaxPooling2D layer with a 2×2 window has 4 parameters per channel.",
        False,
        "Max pooling has no parameters.",
    ),
    TrueFalse(
        POOLING,
        s.STRIDED,
        "A stride-2 convolution can replace a pooling layer to downsample.",
        True,
        "It downsamples with learned weights (at the price of parameters).",
    ),
    TrueFalse(
        CLASSIC,
        s.LENET,
        "In the 1998 LeNet-5, C3 connects every S2 map to every C3 map.",
        False,
        "C3 uses a partial connection table: fewer connections and broken symmetry (1,516 parameters instead of 2,416).",
    ),
    TrueFalse(
        CLASSIC,
        s.INCEPTION,
        "An inception module adds its branches element by element.",
        False,
        "It concatenates them along the channel axis: the output depth is the sum of the branch depths.",
    ),
    TrueFalse(
        CLASSIC,
        s.VGG,
        "Most of VGG16's 138 million parameters sit in its three fully connected layers.",
        True,
        "FC6 alone has 7×7×512×4096 + 4096 ≈ 103 million.",
    ),
    TrueFalse(
        CLASSIC,
        s.MOBILENET,
        "A depthwise-separable convolution needs about 1/K + 1/F² of a standard convolution's weights.",
        True,
        "Depthwise F·F·D1 plus pointwise D1·K, against F·F·D1·K.",
    ),
    TrueFalse(
        BATCH_NORM,
        s.BATCH_NORM,
        "At test time, batch normalisation uses the moving mean and variance collected in training.",
        True,
        "The test batch's own statistics are not used (training=False).",
    ),
    TrueFalse(
        BATCH_NORM,
        s.BATCH_NORM,
        "A convolution followed by batch normalisation needs its own bias.",
        False,
        "BN subtracts the mean (bias included) and adds its own β: use_bias=False.",
    ),
    TrueFalse(
        RESIDUAL,
        s.RESNET,
        "A residual block computes y = F(x) + x, so its output has the shape of its input (or a 1×1 projection makes the shapes match).",
        True,
        "The addition needs equal shapes; a projection shortcut W_s·x fixes a change of depth or size.",
    ),
    TrueFalse(
        RESIDUAL,
        s.RESNET,
        "Plain networks get worse on the training set when made much deeper; this degradation is what residual learning addresses.",
        True,
        "It is an optimisation problem, not overfitting: the training error rises too.",
    ),
    TrueFalse(
        TRANSFER,
        s.TRANSFER,
        "When fine-tuning a pretrained backbone, a learning rate much smaller than for training from scratch is used.",
        True,
        "Large steps would destroy the pretrained features.",
    ),
    TrueFalse(
        AUGMENTATION,
        s.REMEDIES,
        "Data augmentation (数据增强) layers in Keras are active at inference too.",
        False,
        "RandomFlip, RandomTranslation etc. act only in training.",
    ),
    TrueFalse(
        AUGMENTATION,
        s.ALEXNET,
        "AlexNet used random crops, horizontal flips and PCA colour jitter.",
        True,
        "Its augmentation multiplied the effective training set.",
    ),
]

ORDERINGS = [
    Ordering(
        CLASSIC,
        s.INCEPTION,
        "An inception module's four branches, in the order of the original paper (and their concatenation).",
        (
            "1×1 convolution",
            "1×1 convolution → 3×3 convolution",
            "1×1 convolution → 5×5 convolution",
            "3×3 max pooling → 1×1 convolution",
            "concatenate along the channel axis",
        ),
        "Four branches on the same input with 'same' padding, then depth-wise concatenation.",
    ),
    Ordering(
        CLASSIC,
        s.LENET,
        "The layers of the 1998 LeNet-5, input first.",
        (
            "C1 convolution 6@28×28",
            "S2 subsampling 6@14×14",
            "C3 convolution 16@10×10",
            "S4 subsampling 16@5×5",
            "C5 convolution 120",
            "F6 fully connected 84",
            "output 10 (RBF units)",
        ),
        "Convolution and subsampling alternate twice, then C5, F6 and the output.",
    ),
    Ordering(
        RESIDUAL,
        s.RESNET,
        "A ResNet basic block, input x first.",
        (
            "conv1: 3×3 convolution",
            "BN1: batch normalisation of conv1",
            "ReLU of BN1",
            "conv2: 3×3 convolution",
            "BN2: batch normalisation of conv2",
            "add the shortcut x",
            "ReLU after the addition",
        ),
        "The second BN comes before the addition y = F(x) + x; the ReLU after it.",
    ),
    Ordering(
        TRANSFER,
        s.TRANSFER,
        "Transfer learning with a pretrained backbone.",
        (
            "load the backbone with pretrained weights, without its head",
            "freeze the backbone",
            "add a new head for your classes",
            "train the head",
            "unfreeze the top of the backbone and fine-tune with a small learning rate",
        ),
        "Train the new head first, so its random gradients do not wreck the pretrained features.",
    ),
]

SHORT_ANSWERS = [
    ShortAnswer(
        RESIDUAL,
        s.RESNET,
        "Why do residual connections let much deeper networks train?",
        (
            Idea(
                "the block only has to learn the residual F(x) = H(x) - x; identity is easy (F = 0)",
                (("identity",), ("恒等",), ("residual",), ("残差",), ("f(x) = 0",), ("f(x)=0",)),
            ),
            Idea(
                "gradients flow through the shortcut (the +x passes them unchanged)",
                (("gradient",), ("梯度",)),
            ),
        ),
        "A block learns only the residual F(x) = H(x) - x, so the identity is easy (F = 0) and extra "
        "layers cannot make things worse; the shortcut also passes the gradient straight back.",
        wrong=(
            (
                "The identity shortcut adds many parameters, and more parameters make deep networks train.",
                "An identity shortcut y = F(x) + x has no parameters at all.",
            ),
            (
                "The shortcut blocks the gradient, so the early layers stop changing.",
                "The +x passes the gradient unchanged: the shortcut carries it, it does not block it.",
            ),
            (
                "The block does not have to learn anything: the residual F(x) is never trained.",
                "F(x) is trained; it only has to learn the difference H(x) - x.",
            ),
        ),
    ),
    ShortAnswer(
        POOLING,
        s.WHY_POOL,
        "Give two purposes of pooling layers in a CNN.",
        (
            Idea(
                "reduce the size / computation / parameters of later layers",
                (
                    ("reduc",),
                    ("comput",),
                    ("smaller",),
                    ("shrink",),
                    ("减少",),
                    ("降低",),
                    ("计算",),
                    ("downsampl",),
                ),
            ),
            Idea(
                "less sensitivity to position (small shifts), or less overfitting",
                (
                    ("position",),
                    ("shift",),
                    ("translation",),
                    ("invarian",),
                    ("位置",),
                    ("平移",),
                    ("overfit",),
                    ("过拟合",),
                ),
            ),
        ),
        "Pooling reduces the map size, so later layers need less computation and fewer parameters, "
        "and it makes the features less sensitive to small shifts of position.",
        wrong=(
            (
                "Pooling adds learnable weights that detect new features.",
                "Max and average pooling have no parameters.",
            ),
            (
                "Pooling increases the height and width of the feature maps.",
                "Pooling shrinks the maps (a 2×2 window with stride 2 halves them).",
            ),
            (
                "Pooling makes the network more sensitive to small shifts of position.",
                "It makes the network less sensitive to small shifts.",
            ),
        ),
    ),
]
