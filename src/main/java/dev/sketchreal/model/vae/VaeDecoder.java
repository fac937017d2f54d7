package dev.sketchreal.model.vae;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.model.blocks.ResnetBlock2D;
import dev.sketchreal.model.blocks.Upsample2D;
import dev.sketchreal.nn.Activation;
import dev.sketchreal.nn.Conv2d;
import dev.sketchreal.nn.GroupNorm;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.ModuleList;
import java.util.List;

/** Latent (B, latent, h, w) → image (B, 3, h·f, w·f). */
final class VaeDecoder extends Module {
  private final Conv2d convIn;
  private final VaeMidBlock midBlock;
  private final ModuleList<Level> upBlocks;
  private final GroupNorm convNormOut;
  private final Conv2d convOut;
  private final Activation act;

  VaeDecoder(VaeConfig config) {
    List<Integer> ch = config.blockOutChannels();
    int groups = config.normNumGroups();
    int levels = ch.size();
    this.act = Activation.byName(config.actFn());
    long top = ch.get(levels - 1);
    this.convIn = child("conv_in", new Conv2d(config.latentChannels(), top, 3, 1, 1));
    this.midBlock =
        child("mid_block", new VaeMidBlock(top, groups, act, config.midBlockAddAttention()));
    this.upBlocks = child("up_blocks", new ModuleList<>());
    long prev = top;
    for (int i = 0; i < levels; i++) {
      long out = ch.get(levels - 1 - i);
      upBlocks.add(new Level(prev, out, config.layersPerBlock() + 1, groups, act, i < levels - 1));
      prev = out;
    }
    this.convNormOut = child("conv_norm_out", new GroupNorm(groups, ch.get(0), VaeMidBlock.EPS));
    this.convOut = child("conv_out", new Conv2d(ch.get(0), config.outChannels(), 3, 1, 1));
  }

  NDArray forward(NDArray latent) {
    NDArray x = midBlock.forward(convIn.forward(latent));
    for (Level level : upBlocks) {
      x = level.forward(x);
    }
    return convOut.forward(act.apply(convNormOut.forward(x)));
  }

  /** UpDecoderBlock2D: resnets, then nearest ×2 + conv. */
  private static final class Level extends Module {
    private final ModuleList<ResnetBlock2D> resnets;
    private final Upsample2D upsampler;

    Level(long in, long out, int layers, int groups, Activation act, boolean upsample) {
      this.resnets = child("resnets", new ModuleList<>());
      for (int j = 0; j < layers; j++) {
        resnets.add(new ResnetBlock2D(j == 0 ? in : out, out, 0, groups, VaeMidBlock.EPS, act));
      }
      this.upsampler =
          upsample ? child("upsamplers", new ModuleList<>()).add(new Upsample2D(out)) : null;
    }

    NDArray forward(NDArray x) {
      for (ResnetBlock2D r : resnets) {
        x = r.forward(x, null);
      }
      return upsampler == null ? x : upsampler.forward(x);
    }
  }
}
