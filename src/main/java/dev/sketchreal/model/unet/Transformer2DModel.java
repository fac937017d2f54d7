package dev.sketchreal.model.unet;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.nn.Attention;
import dev.sketchreal.nn.AttentionRecorder;
import dev.sketchreal.nn.Conv2d;
import dev.sketchreal.nn.GroupNorm;
import dev.sketchreal.nn.InPlace;
import dev.sketchreal.nn.Linear;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.ModuleList;

/**
 * Spatial transformer: GroupNorm (eps 1e-6) → proj_in → transformer blocks over the H·W tokens →
 * proj_out → + input. With a linear projection, proj_in/out are Linear layers applied after
 * flattening (B, C, H, W) → (B, HW, C); otherwise 1×1 convolutions applied before flattening.
 */
final class Transformer2DModel extends Module {
  private final GroupNorm norm;
  private final Module projIn;
  private final ModuleList<BasicTransformerBlock> blocks;
  private final Module projOut;
  private final boolean linearProjection;

  Transformer2DModel(
      long channels, int heads, int layers, long contextDim, int groups, boolean linearProjection) {
    this.linearProjection = linearProjection;
    this.norm = child("norm", new GroupNorm(groups, channels, 1e-6));
    this.projIn =
        child(
            "proj_in",
            linearProjection
                ? new Linear(channels, channels)
                : new Conv2d(channels, channels, 1, 1, 0));
    this.blocks = child("transformer_blocks", new ModuleList<>());
    for (int i = 0; i < layers; i++) {
      blocks.add(new BasicTransformerBlock(channels, heads, contextDim));
    }
    this.projOut =
        child(
            "proj_out",
            linearProjection
                ? new Linear(channels, channels)
                : new Conv2d(channels, channels, 1, 1, 0));
  }

  /**
   * @param x (B, C, H, W)
   * @param context (B, tokens, contextDim)
   * @param recorder cross-attention recorder or null
   * @param path this module's state-dict path (for naming recorded maps)
   */
  NDArray forward(NDArray x, NDArray context, AttentionRecorder recorder, String path) {
    long b = x.getShape().get(0);
    long c = x.getShape().get(1);
    int h = (int) x.getShape().get(2);
    int w = (int) x.getShape().get(3);
    NDArray hidden = norm.forward(x);
    if (!linearProjection) {
      hidden = ((Conv2d) projIn).forward(hidden);
    }
    hidden = hidden.transpose(0, 2, 3, 1).reshape(b, (long) h * w, c); // (B, HW, C), row-major
    if (linearProjection) {
      hidden = ((Linear) projIn).forward(hidden);
    }
    for (int i = 0; i < blocks.size(); i++) {
      BasicTransformerBlock block = blocks.get(i);
      String attnPath = path + ".transformer_blocks." + i + ".attn2";
      var sink = Attention.ProbabilitySink.into(recorder, attnPath, h, w, block.heads());
      hidden = block.forward(hidden, context, sink);
    }
    if (linearProjection) {
      hidden = ((Linear) projOut).forward(hidden);
    }
    hidden = hidden.reshape(b, h, w, c).transpose(0, 3, 1, 2);
    if (!linearProjection) {
      hidden = ((Conv2d) projOut).forward(hidden);
    }
    return InPlace.add(hidden, x);
  }
}
