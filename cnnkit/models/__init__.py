"""Every model builder of the kit, one module per family; the classic networks re-exported flat::

    ck.models.lenet5()                  # 61,706 parameters (the usual Keras LeNet-5, 28x28x1)
    ck.models.lenet5_1998()             # LeCun et al. 1998: 60,850 parameters, C3 = 1,516
    ck.models.alexnet()                 # 62,378,344 (groups=2: 60,965,224)
    ck.models.zfnet()                   # 107,627,624
    ck.models.vgg(config=16)            # 138,357,544 = keras.applications.VGG16(weights=None)
    ck.models.googlenet()               # 6,998,552
    ck.models.resnet(depth=18)          # 11,689,512 trainable (torchvision)
    ck.models.mobilenet()               # 4,253,864 = keras.applications.MobileNet(weights=None)
    ck.models.vgg_small(), ck.models.resnet_small()   # CPU-sized, for Fashion-MNIST
    ck.models.survey.profile(model)     # MACs, depth in weight layers, per-block summary

The other families are modules: ``basic_cnns`` (chapters 02, 03, 07 and the recipes),
``ablations`` (chapter 04's one-choice experiments), ``rnn`` (chapter 05), ``gan`` (chapter 06),
``regularized_mlps``, ``deep_mlps`` and ``mlp_growth`` (chapter 07), ``transfer``, ``modern``.
Training, compiling and measuring live in :mod:`cnnkit.training`, never here.

The builders' one signature rule: ``input_shape`` comes first and ``classes`` second, both with
defaults (a model whose output is not a choice among classes, such as a regressor, a GAN's
generator or discriminator, or a feature backbone, has no ``classes``); every other option,
including the variant (``vgg(config=16)``, ``resnet(depth=18)``, ``padding_net(padding="valid")``),
is keyword-only; building prints nothing. ``tests/test_models.py`` checks this for every public
builder of this package. Each returns a ``keras.Model`` with readable layer names and raises
``ValueError`` ("... at least NxN pixels ...") for an input too small for its architecture.
Custom layers live in :mod:`cnnkit.models.layers`; functions that take a tensor (blocks such as
``residual_block``) or a model (``transfer.transfer_classifier``) are not builders.
"""

from cnnkit.models import (
    ablations,
    basic_cnns,
    deep_mlps,
    mlp_growth,
    modern,
    regularized_mlps,
    survey,
    transfer,
)
from cnnkit.models.alexnet import alexnet, pca_colour_augmentation, rgb_principal_components, zfnet
from cnnkit.models.gan import (
    GAN,
    dcgan_discriminator,
    dcgan_generator,
    discriminator_loss,
    generator_loss,
)
from cnnkit.models.inception import GOOGLENET_TABLE1, googlenet, inception_module
from cnnkit.models.layers import (
    LENET_C3_TABLE,
    EuclideanRBF,
    LocalResponseNormalization,
    PartialConv2D,
    Subsampling,
)
from cnnkit.models.lenet import lenet5, lenet5_1998, lenet5_rbf, rbf_loss, rbf_prototypes
from cnnkit.models.mobilenet import MOBILENET_BLOCKS, mobilenet, mobilenet_block, separable_saving
from cnnkit.models.resnet import (
    RESNET_STAGES,
    residual_block,
    resnet,
    resnet_small,
    stage_shapes,
)
from cnnkit.models.rnn import (
    dense_sequence_regressor,
    recurrent_layer,
    row_classifier,
    sequence_regressor,
)
from cnnkit.models.vgg import VGG_CONFIGS, VGG_PAPER_MILLIONS, vgg, vgg_block, vgg_small

__all__ = [
    "EuclideanRBF",
    "GAN",
    "ablations",
    "basic_cnns",
    "deep_mlps",
    "mlp_growth",
    "regularized_mlps",
    "lenet5_1998",
    "lenet5_rbf",
    "modern",
    "pca_colour_augmentation",
    "rbf_loss",
    "rbf_prototypes",
    "rgb_principal_components",
    "transfer",
    "dcgan_discriminator",
    "dcgan_generator",
    "discriminator_loss",
    "generator_loss",
    "dense_sequence_regressor",
    "recurrent_layer",
    "row_classifier",
    "sequence_regressor",
    "GOOGLENET_TABLE1",
    "LENET_C3_TABLE",
    "MOBILENET_BLOCKS",
    "RESNET_STAGES",
    "VGG_CONFIGS",
    "VGG_PAPER_MILLIONS",
    "LocalResponseNormalization",
    "PartialConv2D",
    "Subsampling",
    "alexnet",
    "googlenet",
    "inception_module",
    "lenet5",
    "mobilenet",
    "mobilenet_block",
    "residual_block",
    "resnet",
    "resnet_small",
    "separable_saving",
    "stage_shapes",
    "survey",
    "vgg",
    "vgg_block",
    "vgg_small",
    "zfnet",
]
