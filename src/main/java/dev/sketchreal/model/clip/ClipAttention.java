package dev.sketchreal.model.clip;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.nn.Linear;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.Scalars;

/**
 * CLIP multi-head self-attention in the transformers layout ({@code q_proj, k_proj, v_proj,
 * out_proj}, all with bias): the query projection is multiplied by head_dim^-0.5 before Q·Kᵀ, an
 * optional additive mask is added to the scores, softmax over the keys, then P·V and out_proj.
 */
public final class ClipAttention extends Module {
  private final Linear qProj;
  private final Linear kProj;
  private final Linear vProj;
  private final Linear outProj;
  private final int hidden;
  private final int heads;
  private final int headDim;
  private final float scale;

  public ClipAttention(int hidden, int heads) {
    if (hidden % heads != 0) {
      throw new IllegalArgumentException(hidden + " channels not divisible by " + heads + " heads");
    }
    this.hidden = hidden;
    this.heads = heads;
    this.headDim = hidden / heads;
    this.scale = (float) Math.pow(headDim, -0.5);
    this.kProj = child("k_proj", new Linear(hidden, hidden, true));
    this.vProj = child("v_proj", new Linear(hidden, hidden, true));
    this.qProj = child("q_proj", new Linear(hidden, hidden, true));
    this.outProj = child("out_proj", new Linear(hidden, hidden, true));
  }

  public int heads() {
    return heads;
  }

  /**
   * @param x (B, L, hidden)
   * @param mask additive mask broadcastable to (B, heads, L, L), or null for full attention
   * @return (B, L, hidden)
   */
  public NDArray forward(NDArray x, NDArray mask) {
    long b = x.getShape().get(0);
    long len = x.getShape().get(1);
    NDArray q = splitHeads(Scalars.mul(qProj.forward(x), scale), b, len); // GC-safe in autograd
    NDArray k = splitHeads(kProj.forward(x), b, len);
    NDArray v = splitHeads(vProj.forward(x), b, len);
    NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)); // (B, h, L, L)
    if (mask != null) {
      scores = scores.add(mask);
    }
    NDArray attended = scores.softmax(-1).matMul(v); // (B, h, L, d)
    return outProj.forward(attended.transpose(0, 2, 1, 3).reshape(b, len, hidden));
  }

  /** (B, L, h·d) -> (B, h, L, d). */
  private NDArray splitHeads(NDArray t, long b, long len) {
    return t.reshape(b, len, heads, headDim).transpose(0, 2, 1, 3);
  }
}
