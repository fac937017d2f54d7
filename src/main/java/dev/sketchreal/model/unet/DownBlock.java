package dev.sketchreal.model.unet;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.model.blocks.Downsample2D;
import dev.sketchreal.model.blocks.ResnetBlock2D;
import dev.sketchreal.nn.Activation;
import dev.sketchreal.nn.AttentionRecorder;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.ModuleList;
import java.util.List;

/**
 * CrossAttnDownBlock2D (resnet + spatial transformer per layer) or DownBlock2D (resnets only), then
 * an optional stride-2 downsampler. Every layer's output and the downsampler's output are skip
 * connections for the up path.
 */
final class DownBlock extends Module {
  private final ModuleList<ResnetBlock2D> resnets;
  private final ModuleList<Transformer2DModel> attentions;
  private final Downsample2D downsampler;

  DownBlock(UNetConfig config, int level, long in, boolean crossAttention, boolean downsample) {
    long out = config.blockOutChannels().get(level);
    int groups = config.normNumGroups();
    Activation act = Activation.byName(config.actFn());
    this.resnets = child("resnets", new ModuleList<>());
    this.attentions = crossAttention ? child("attentions", new ModuleList<>()) : null;
    for (int i = 0; i < config.layersPerBlock().get(level); i++) {
      resnets.add(
          new ResnetBlock2D(
              i == 0 ? in : out, out, config.timeEmbeddingDim(), groups, config.normEps(), act));
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
    if (downsample) {
      ModuleList<Downsample2D> list = child("downsamplers", new ModuleList<>());
      this.downsampler = list.add(new Downsample2D(out, config.downsamplePadding()));
    } else {
      this.downsampler = null;
    }
  }

  /**
   * @param x (B, in, H, W)
   * @param skips receives every skip-connection output, in order
   * @return (B, out, H', W') (H' = H/2 with a downsampler)
   */
  NDArray forward(
      NDArray x,
      NDArray temb,
      NDArray context,
      AttentionRecorder recorder,
      String path,
      List<NDArray> skips) {
    for (int i = 0; i < resnets.size(); i++) {
      x = resnets.get(i).forward(x, temb);
      if (attentions != null) {
        x = attentions.get(i).forward(x, context, recorder, path + ".attentions." + i);
      }
      skips.add(x);
    }
    if (downsampler != null) {
      x = downsampler.forward(x);
      skips.add(x);
    }
    return x;
  }
}
