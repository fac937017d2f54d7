package dev.sketchreal.model.clip;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * Outputs of {@link ClipVisionModel#forward}; all arrays belong to the manager of the pixels.
 *
 * @param embeddings class + patch + position embeddings, before pre_layrnorm, (B, 1+N, hidden)
 * @param hiddenStates index 0: pre_layrnorm(embeddings), the input of layer 0; i ≥ 1: output of
 *     layer i−1; numLayers + 1 entries
 * @param lastHiddenState output of the last layer, no final norm; token 0 = CLS, token 1+p = patch
 *     p = y·g + x, (B, 1+N, hidden)
 * @param pooledOutput post_layernorm(CLS token of lastHiddenState), (B, hidden)
 * @param imageEmbeds visual_projection(pooledOutput), not normalised, (B, projection_dim); null
 *     when the model has no projection
 */
public record ClipVisionOutput(
    NDArray embeddings,
    List<NDArray> hiddenStates,
    NDArray lastHiddenState,
    NDArray pooledOutput,
    NDArray imageEmbeds) {

  public ClipVisionOutput {
    hiddenStates = List.copyOf(hiddenStates);
  }
}
