package dev.sketchreal.nn;

import ai.djl.ndarray.NDArray;

/**
 * Cross-attention probabilities of one layer for one forward call.
 *
 * @param modulePath state-dict path of the attention module, e.g. {@code
 *     down_blocks.0.attentions.0.transformer_blocks.0.attn2}
 * @param height feature-map height of the layer (queries run row-major over height × width)
 * @param width feature-map width
 * @param heads number of heads of the layer
 * @param probs softmax over tokens: (B, H·W, tokens) averaged over heads, or (B, heads, H·W,
 *     tokens) when recorded per head. Still attached to the autograd graph.
 */
public record AttentionMap(String modulePath, int height, int width, int heads, NDArray probs) {
  public boolean perHead() {
    return probs.getShape().dimension() == 4;
  }
}
