"""Builders for every network chapter 04 names, one module per family, re-exported flat::

    ck.models.lenet5()                  # 61,706 parameters (the usual Keras LeNet-5, 28x28x1)
    ck.models.lenet5(faithful=True)     # LeCun et al. 1998: 60,850 parameters, C3 = 1,516
    ck.models.alexnet()                 # 62,378,344 (groups=2: 60,965,224)
    ck.models.zfnet()                   # 107,627,624
    ck.models.vgg(16)                   # 138,357,544 = keras.applications.VGG16(weights=None)
    ck.models.googlenet()               # 6,998,552
    ck.models.resnet(18)                # 11,689,512 trainable (torchvision)
    ck.models.mobilenet()               # 4,253,864 = keras.applications.MobileNet(weights=None)
    ck.models.vgg_small(), ck.models.resnet_small()   # CPU-sized, for Fashion-MNIST
    ck.models.survey.profile(model)     # MACs, depth in weight layers, per-block summary

The builders' one signature rule: ``input_shape`` and ``classes`` come first, after at most one
leading argument that names the variant (``vgg(16)``, ``resnet(18)``, an ablation's choice, the
same order as keras.applications' VGG16/ResNet50 names), every other option is keyword-only, and
building prints nothing. Each returns a functional ``keras.Model`` with readable layer names and
raises ``ValueError`` ("... at least NxN pixels ...") for an input too small for its
architecture. Custom layers live in :mod:`cnnkit.models.layers`.
"""

from cnnkit.models import ablations, modern, survey, transfer
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
from cnnkit.models.lenet import lenet5, lenet5_rbf, rbf_loss, rbf_prototypes
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
