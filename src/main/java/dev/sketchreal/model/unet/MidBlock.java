package dev.sketchreal.model.unet;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.model.blocks.ResnetBlock2D;
import dev.sketchreal.nn.Activation;
import dev.sketchreal.nn.AttentionRecorder;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.ModuleList;

/** UNetMidBlock2DCrossAttn: resnet, then (transformer, resnet) per layer; uses the last level. */
final class MidBlock extends Module {
  private final ModuleList<ResnetBlock2D> resnets;
  private final ModuleList<Transformer2DModel> attentions;

  MidBlock(UNetConfig config) {
    int last = config.levels() - 1;
    long channels = config.blockOutChannels().get(last);
    if (config.midBlockScaleFactor() != 1.0) {
      throw new IllegalArgumentException(
          "unsupported mid_block_scale_factor = " + config.midBlockScaleFactor());
    }
    Activation act = Activation.byName(config.actFn());
    int groups = config.normNumGroups();
    long temb = config.timeEmbeddingDim();
    this.resnets = child("resnets", new ModuleList<>());
    this.attentions = child("attentions", new ModuleList<>());
    resnets.add(new ResnetBlock2D(channels, channels, temb, groups, config.normEps(), act));
    // diffusers' mid block has one attention layer (num_layers = 1) of transformer depth [-1].
    attentions.add(
        new Transformer2DModel(
            channels,
            config.numAttentionHeads().get(last),
            config.transformerLayersPerBlock().get(last),
            config.crossAttentionDim().get(last),
            groups,
            config.useLinearProjection()));
    resnets.add(new ResnetBlock2D(channels, channels, temb, groups, config.normEps(), act));
  }

  NDArray forward(
      NDArray x, NDArray temb, NDArray context, AttentionRecorder recorder, String path) {
    x = resnets.get(0).forward(x, temb);
    for (int i = 0; i < attentions.size(); i++) {
      x = attentions.get(i).forward(x, context, recorder, path + ".attentions." + i);
      x = resnets.get(i + 1).forward(x, temb);
    }
    return x;
  }
}
