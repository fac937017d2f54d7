package dev.sketchreal.model.clip;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.nn.Activation;
import dev.sketchreal.nn.LayerNorm;
import dev.sketchreal.nn.Linear;
import dev.sketchreal.nn.Module;

/**
 * One pre-LayerNorm CLIP transformer block (the same in both towers): x +
 * self_attn(layer_norm1(x)), then x + fc2(act(fc1(layer_norm2(x)))).
 */
public final class ClipEncoderLayer extends Module {
  private final ClipAttention selfAttn;
  private final LayerNorm layerNorm1;
  private final Linear fc1;
  private final Linear fc2;
  private final LayerNorm layerNorm2;
  private final Activation act;

  public ClipEncoderLayer(
      int hidden, int intermediate, int heads, Activation act, double layerNormEps) {
    this.act = act;
    this.selfAttn = child("self_attn", new ClipAttention(hidden, heads));
    this.layerNorm1 = child("layer_norm1", new LayerNorm(hidden, layerNormEps));
    Mlp mlp = child("mlp", new Mlp(hidden, intermediate));
    this.fc1 = mlp.fc1;
    this.fc2 = mlp.fc2;
    this.layerNorm2 = child("layer_norm2", new LayerNorm(hidden, layerNormEps));
  }

  public ClipAttention selfAttention() {
    return selfAttn;
  }

  /**
   * @param x (B, L, hidden)
   * @param mask additive attention mask or null (see {@link ClipAttention#forward})
   */
  public NDArray forward(NDArray x, NDArray mask) {
    NDArray h = x.add(selfAttn.forward(layerNorm1.forward(x), mask));
    return h.add(fc2.forward(act.apply(fc1.forward(layerNorm2.forward(h)))));
  }

  /** The {@code mlp} child: {@code fc1} and {@code fc2}. */
  private static final class Mlp extends Module {
    final Linear fc1;
    final Linear fc2;

    Mlp(int hidden, int intermediate) {
      this.fc1 = child("fc1", new Linear(hidden, intermediate, true));
      this.fc2 = child("fc2", new Linear(intermediate, hidden, true));
    }
  }
}
