package dev.sketchreal.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sketchreal.nn.TensorSource;
import java.util.Set;

/** Adapters from safetensors files to {@link TensorSource} (what {@code StateDict} loads from). */
public final class TensorSources {
  private TensorSources() {}

  /**
   * The tensors of a component folder's weights (one file or shards); the source must stay open
   * while loading.
   */
  public static TensorSource of(WeightSource weights) {
    return new TensorSource() {
      @Override
      public Set<String> keys() {
        return weights.keys();
      }

      @Override
      public long[] shape(String key) {
        return weights.info(key).shape();
      }

      @Override
      public NDArray loadFloat32(String key, NDManager manager) {
        return weights.loadFloat32(key, manager);
      }

      @Override
      public String describe() {
        return weights.describe();
      }
    };
  }

  /** The tensors of one open file; the file must stay open while loading. */
  public static TensorSource of(SafetensorsFile file) {
    return new TensorSource() {
      @Override
      public Set<String> keys() {
        return file.tensors().keySet();
      }

      @Override
      public long[] shape(String key) {
        return file.info(key).shape();
      }

      @Override
      public NDArray loadFloat32(String key, NDManager manager) {
        return file.loadFloat32(key, manager);
      }

      @Override
      public String describe() {
        return file.path().toString();
      }
    };
  }
}
