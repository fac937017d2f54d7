package dev.sketchreal.model.clip;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * Outputs of {@link ClipTextModel#forward}; all arrays belong to the manager of the input ids.
 *
 * @param lastHiddenState final_layer_norm(output of the last layer), (B, L, hidden)
 * @param pooledOutput lastHiddenState at the first EOS of each row, (B, hidden)
 * @param hiddenStates index 0: embeddings (token + position); i ≥ 1: output of layer i−1 without
 *     the final norm; numLayers + 1 entries
 * @param penultimateNormed final_layer_norm(hiddenStates[numLayers − 1]): the "penultimate layer"
 *     conditioning ({@code clip_skip = 1} in diffusers), (B, L, hidden)
 */
public record ClipTextOutput(
    NDArray lastHiddenState,
    NDArray pooledOutput,
    List<NDArray> hiddenStates,
    NDArray penultimateNormed) {

  public ClipTextOutput {
    hiddenStates = List.copyOf(hiddenStates);
  }
}
