package dev.sketchreal.model.clip;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.nn.Activation;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.ModuleList;
import java.util.ArrayList;
import java.util.List;

/** The {@code encoder} of a CLIP tower: {@code layers.0 ... layers.(n-1)}. */
public final class ClipEncoder extends Module {
  private final ModuleList<ClipEncoderLayer> layers;

  public ClipEncoder(
      int numLayers, int hidden, int intermediate, int heads, Activation act, double layerNormEps) {
    this.layers = child("layers", new ModuleList<>());
    for (int i = 0; i < numLayers; i++) {
      layers.add(new ClipEncoderLayer(hidden, intermediate, heads, act, layerNormEps));
    }
  }

  /** The layers in order (for freezing all but the last few). */
  public List<ClipEncoderLayer> layers() {
    List<ClipEncoderLayer> out = new ArrayList<>(layers.size());
    layers.forEach(out::add);
    return List.copyOf(out);
  }

  public int size() {
    return layers.size();
  }

  /**
   * Runs layers [from, to) on {@code x}.
   *
   * @param states if non-null, receives the output of every layer that runs
   * @return the output of layer to−1 ({@code x} itself if from == to)
   */
  public NDArray forward(NDArray x, NDArray mask, int from, int to, List<NDArray> states) {
    if (from < 0 || to > layers.size() || from > to) {
      throw new IllegalArgumentException(
          "layer range [" + from + ", " + to + ") outside [0, " + layers.size() + ")");
    }
    NDArray h = x;
    for (int i = from; i < to; i++) {
      h = layers.get(i).forward(h, mask);
      if (states != null) {
        states.add(h);
      }
    }
    return h;
  }
}
