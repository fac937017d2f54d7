package dev.sketchreal.model.vae;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.model.blocks.Downsample2D;
import dev.sketchreal.model.blocks.ResnetBlock2D;
import dev.sketchreal.nn.Activation;
import dev.sketchreal.nn.Conv2d;
import dev.sketchreal.nn.GroupNorm;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.ModuleList;
import java.util.List;

/** Image (B, 3, H, W) → moments (B, 2·latent, H/f, W/f). */
final class VaeEncoder extends Module {
  private final Conv2d convIn;
  private final ModuleList<Level> downBlocks;
  private final VaeMidBlock midBlock;
  private final GroupNorm convNormOut;
  private final Conv2d convOut;
  private final Activation act;

  VaeEncoder(VaeConfig config) {
    List<Integer> ch = config.blockOutChannels();
    int groups = config.normNumGroups();
    this.act = Activation.byName(config.actFn());
    this.convIn = child("conv_in", new Conv2d(config.inChannels(), ch.get(0), 3, 1, 1));
    this.downBlocks = child("down_blocks", new ModuleList<>());
    long in = ch.get(0);
    for (int i = 0; i < ch.size(); i++) {
      boolean last = i == ch.size() - 1;
      downBlocks.add(new Level(in, ch.get(i), config.layersPerBlock(), groups, act, !last));
      in = ch.get(i);
    }
    long top = ch.get(ch.size() - 1);
    this.midBlock =
        child("mid_block", new VaeMidBlock(top, groups, act, config.midBlockAddAttention()));
    this.convNormOut = child("conv_norm_out", new GroupNorm(groups, top, VaeMidBlock.EPS));
    this.convOut = child("conv_out", new Conv2d(top, 2L * config.latentChannels(), 3, 1, 1));
  }

  NDArray forward(NDArray image) {
    NDArray x = convIn.forward(image);
    for (Level level : downBlocks) {
      x = level.forward(x);
    }
    x = midBlock.forward(x);
    return convOut.forward(act.apply(convNormOut.forward(x)));
  }

  /** DownEncoderBlock2D: resnets, then an asymmetric-padding stride-2 downsampler. */
  private static final class Level extends Module {
    private final ModuleList<ResnetBlock2D> resnets;
    private final Downsample2D downsampler;

    Level(long in, long out, int layers, int groups, Activation act, boolean downsample) {
      this.resnets = child("resnets", new ModuleList<>());
      for (int j = 0; j < layers; j++) {
        resnets.add(new ResnetBlock2D(j == 0 ? in : out, out, 0, groups, VaeMidBlock.EPS, act));
      }
      this.downsampler =
          downsample
              ? child("downsamplers", new ModuleList<>()).add(new Downsample2D(out, 0))
              : null;
    }

    NDArray forward(NDArray x) {
      for (ResnetBlock2D r : resnets) {
        x = r.forward(x, null);
      }
      return downsampler == null ? x : downsampler.forward(x);
    }
  }
}
