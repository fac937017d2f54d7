package dev.sketchreal.model.unet;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.nn.Attention;
import dev.sketchreal.nn.InPlace;
import dev.sketchreal.nn.LayerNorm;
import dev.sketchreal.nn.Module;

/**
 * x = attn1(norm1(x)) + x; x = attn2(norm2(x), context) + x; x = ff(norm3(x)) + x. to_q/k/v without
 * bias. LayerNorm eps 1e-5.
 */
final class BasicTransformerBlock extends Module {
  private final LayerNorm norm1;
  private final Attention attn1;
  private final LayerNorm norm2;
  private final Attention attn2;
  private final LayerNorm norm3;
  private final FeedForward ff;

  BasicTransformerBlock(long dim, int heads, long contextDim) {
    this.norm1 = child("norm1", new LayerNorm(dim, 1e-5));
    this.attn1 = child("attn1", new Attention(dim, dim, heads, false));
    this.norm2 = child("norm2", new LayerNorm(dim, 1e-5));
    this.attn2 = child("attn2", new Attention(dim, contextDim, heads, false));
    this.norm3 = child("norm3", new LayerNorm(dim, 1e-5));
    this.ff = child("ff", new FeedForward(dim));
  }

  /**
   * @param x (B, HW, C)
   * @param context (B, tokens, contextDim)
   * @param crossSink receives attn2's probabilities, or null
   */
  NDArray forward(NDArray x, NDArray context, Attention.ProbabilitySink crossSink) {
    x = InPlace.add(attn1.forward(norm1.forward(x), null, null), x);
    x = InPlace.add(attn2.forward(norm2.forward(x), context, crossSink), x);
    return InPlace.add(ff.forward(norm3.forward(x)), x);
  }

  int heads() {
    return attn2.heads();
  }
}
