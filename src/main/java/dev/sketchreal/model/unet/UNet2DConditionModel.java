package dev.sketchreal.model.unet;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.nn.Activation;
import dev.sketchreal.nn.AttentionRecorder;
import dev.sketchreal.nn.Conv2d;
import dev.sketchreal.nn.GroupNorm;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.ModuleList;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The diffusers UNet2DConditionModel, built entirely from its {@link UNetConfig}: conv_in, down
 * blocks (pushing skips), mid block, up blocks (popping skips), GroupNorm + act + conv_out. The
 * noise predictor of Stable Diffusion.
 */
public final class UNet2DConditionModel extends Module {
  private final UNetConfig config;
  private final TimestepEmbedding timeEmbedding;
  private final Conv2d convIn;
  private final ModuleList<DownBlock> downBlocks;
  private final MidBlock midBlock;
  private final ModuleList<UpBlock> upBlocks;
  private final GroupNorm convNormOut;
  private final Conv2d convOut;
  private final Activation act;

  public UNet2DConditionModel(UNetConfig config) {
    this.config = config;
    this.act = Activation.byName(config.actFn());
    List<Integer> channels = config.blockOutChannels();
    int levels = config.levels();
    this.convIn = child("conv_in", new Conv2d(config.inChannels(), channels.get(0), 3, 1, 1));
    this.timeEmbedding =
        child(
            "time_embedding",
            new TimestepEmbedding(channels.get(0), config.timeEmbeddingDim(), act));
    this.downBlocks = child("down_blocks", new ModuleList<>());
    long in = channels.get(0);
    for (int level = 0; level < levels; level++) {
      boolean cross = config.downBlockTypes().get(level).equals("CrossAttnDownBlock2D");
      downBlocks.add(new DownBlock(config, level, in, cross, level < levels - 1));
      in = channels.get(level);
    }
    this.midBlock = child("mid_block", new MidBlock(config));
    this.upBlocks = child("up_blocks", new ModuleList<>());
    long prevOut = channels.get(levels - 1);
    for (int i = 0; i < levels; i++) {
      boolean cross = config.upBlockTypes().get(i).equals("CrossAttnUpBlock2D");
      upBlocks.add(new UpBlock(config, i, prevOut, cross, i < levels - 1));
      prevOut = channels.get(levels - 1 - i);
    }
    this.convNormOut =
        child(
            "conv_norm_out",
            new GroupNorm(config.normNumGroups(), channels.get(0), config.normEps()));
    this.convOut = child("conv_out", new Conv2d(channels.get(0), config.outChannels(), 3, 1, 1));
  }

  /** Loads {@code config.json} + weights of a diffusers {@code unet/} folder. */
  public static UNet2DConditionModel load(java.nio.file.Path dir, ai.djl.ndarray.NDManager manager)
      throws java.io.IOException {
    UNetConfig config =
        dev.sketchreal.io.Json.readConfig(
            dev.sketchreal.model.Components.requireFile(dir, "config.json"), UNetConfig.class);
    return dev.sketchreal.model.Components.loadWeights(
        new UNet2DConditionModel(config), dir, manager);
  }

  public UNetConfig config() {
    return config;
  }

  /**
   * @param sample noisy latents (B, in_channels, H, W)
   * @param timesteps (B) (any numeric type; a scalar-like (1) is broadcast to the batch)
   * @param context text hidden states (B, tokens, cross_attention_dim)
   * @param recorder receives cross-attention maps when non-null
   * @return the prediction (B, out_channels, H, W)
   */
  public NDArray forward(
      NDArray sample, NDArray timesteps, NDArray context, AttentionRecorder recorder) {
    long batch = sample.getShape().get(0);
    if (timesteps.getShape().size() == 1 && batch > 1) {
      timesteps = timesteps.reshape(1).repeat(0, batch);
    }
    NDArray features =
        TimestepEmbedding.sinusoidal(
            timesteps, config.blockOutChannels().get(0), config.flipSinToCos(), config.freqShift());
    NDArray temb = timeEmbedding.forward(features); // (B, 4·C0)
    if (config.centerInputSample()) {
      sample = dev.sketchreal.nn.Scalars.mul(sample, 2f).sub(1);
    }
    NDArray x = convIn.forward(sample);
    List<NDArray> skips = new ArrayList<>();
    skips.add(x);
    for (int i = 0; i < downBlocks.size(); i++) {
      x = downBlocks.get(i).forward(x, temb, context, recorder, "down_blocks." + i, skips);
    }
    x = midBlock.forward(x, temb, context, recorder, "mid_block");
    Deque<NDArray> stack = new ArrayDeque<>();
    skips.forEach(stack::push);
    for (int i = 0; i < upBlocks.size(); i++) {
      x = upBlocks.get(i).forward(x, temb, context, recorder, "up_blocks." + i, stack);
    }
    return convOut.forward(act.apply(convNormOut.forward(x)));
  }

  public NDArray forward(NDArray sample, NDArray timesteps, NDArray context) {
    return forward(sample, timesteps, context, null);
  }
}
