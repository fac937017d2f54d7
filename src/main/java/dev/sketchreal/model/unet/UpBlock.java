package dev.sketchreal.model.unet;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.model.blocks.ResnetBlock2D;
import dev.sketchreal.model.blocks.Upsample2D;
import dev.sketchreal.nn.Activation;
import dev.sketchreal.nn.AttentionRecorder;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.ModuleList;
import java.util.Deque;

/**
 * CrossAttnUpBlock2D or UpBlock2D: layers_per_block + 1 resnets, each taking [hidden, skip]
 * concatenated on channels (hidden first), optional transformer after each, then an optional
 * nearest ×2 upsampler sized to the next skip.
 */
final class UpBlock extends Module {
  private final ModuleList<ResnetBlock2D> resnets;
  private final ModuleList<Transformer2DModel> attentions;
  private final Upsample2D upsampler;

  /**
   * @param index position among the up blocks (0 = deepest)
   * @param prevOut channels coming from the block below
   */
  UpBlock(UNetConfig config, int index, long prevOut, boolean crossAttention, boolean upsample) {
    int levels = config.levels();
    int level = levels - 1 - index; // the level this block mirrors
    long out = config.blockOutChannels().get(level);
    long skipIn = config.blockOutChannels().get(Math.max(level - 1, 0));
    int layers = config.layersPerBlock().get(level) + 1;
    Activation act = Activation.byName(config.actFn());
    int groups = config.normNumGroups();
    this.resnets = child("resnets", new ModuleList<>());
    this.attentions = crossAttention ? child("attentions", new ModuleList<>()) : null;
    for (int i = 0; i < layers; i++) {
      long skip = i == layers - 1 ? skipIn : out;
      long resIn = i == 0 ? prevOut : out;
      resnets.add(
          new ResnetBlock2D(
              resIn + skip, out, config.timeEmbeddingDim(), groups, config.normEps(), act));
      if (crossAttention) {
        attentions.add(
            new Transformer2DModel(
                out,
                config.numAttentionHeads().get(level),
                config.transformerLayersPerBlock().get(level),
                config.crossAttentionDim().get(level),
                groups,
                config.useLinearProjection()));
      }
    }
    if (upsample) {
      ModuleList<Upsample2D> list = child("upsamplers", new ModuleList<>());
      this.upsampler = list.add(new Upsample2D(out));
    } else {
      this.upsampler = null;
    }
  }

  int resnetCount() {
    return resnets.size();
  }

  /**
   * @param skips stack of skip connections; pops one per resnet (most recent first)
   */
  NDArray forward(
      NDArray x,
      NDArray temb,
      NDArray context,
      AttentionRecorder recorder,
      String path,
      Deque<NDArray> skips) {
    for (int i = 0; i < resnets.size(); i++) {
      x = resnets.get(i).forward(x.concat(skips.pop(), 1), temb);
      if (attentions != null) {
        x = attentions.get(i).forward(x, context, recorder, path + ".attentions." + i);
      }
    }
    if (upsampler != null) {
      // Upsample to the next skip's size so odd latent sizes round-trip exactly.
      NDArray next = skips.peek();
      x = upsampler.forward(x, next.getShape().get(2), next.getShape().get(3));
    }
    return x;
  }
}
