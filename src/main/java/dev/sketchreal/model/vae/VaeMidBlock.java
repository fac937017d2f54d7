package dev.sketchreal.model.vae;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.model.blocks.ResnetBlock2D;
import dev.sketchreal.nn.Activation;
import dev.sketchreal.nn.Attention;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.ModuleList;

/** UNetMidBlock2D without time embedding: resnet → (single-head attention → resnet). */
final class VaeMidBlock extends Module {
  static final double EPS = 1e-6;
  private final ModuleList<ResnetBlock2D> resnets;
  private final ModuleList<Attention> attentions;

  VaeMidBlock(long channels, int groups, Activation act, boolean attention) {
    this.resnets = child("resnets", new ModuleList<>());
    resnets.add(new ResnetBlock2D(channels, channels, 0, groups, EPS, act));
    this.attentions = attention ? child("attentions", new ModuleList<>()) : null;
    if (attention) {
      attentions.add(Attention.spatial(channels, groups, EPS));
    }
    resnets.add(new ResnetBlock2D(channels, channels, 0, groups, EPS, act));
  }

  NDArray forward(NDArray x) {
    x = resnets.get(0).forward(x, null);
    if (attentions != null) {
      x = attentions.get(0).forwardSpatial(x);
    }
    return resnets.get(1).forward(x, null);
  }
}
