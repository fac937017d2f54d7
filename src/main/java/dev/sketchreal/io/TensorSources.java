package dev.sketchreal.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sketchreal.nn.TensorSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Adapters from safetensors files to {@link TensorSource} (what {@code StateDict} loads from). */
public final class TensorSources {
  private TensorSources() {}

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

  /**
   * Several sources seen as one (the shards of a sharded checkpoint).
   *
   * @throws IllegalArgumentException if a key occurs in two sources
   */
  public static TensorSource union(String description, List<TensorSource> sources) {
    Map<String, TensorSource> owner = new LinkedHashMap<>();
    for (TensorSource source : sources) {
      for (String key : source.keys()) {
        TensorSource previous = owner.putIfAbsent(key, source);
        if (previous != null) {
          throw new IllegalArgumentException(
              description
                  + ": key '"
                  + key
                  + "' is in both "
                  + previous.describe()
                  + " and "
                  + source.describe());
        }
      }
    }
    Set<String> keys = Collections.unmodifiableSet(owner.keySet());
    return new TensorSource() {
      @Override
      public Set<String> keys() {
        return keys;
      }

      @Override
      public long[] shape(String key) {
        return sourceOf(key).shape(key);
      }

      @Override
      public NDArray loadFloat32(String key, NDManager manager) {
        return sourceOf(key).loadFloat32(key, manager);
      }

      @Override
      public String describe() {
        return description;
      }

      private TensorSource sourceOf(String key) {
        TensorSource s = owner.get(key);
        if (s == null) {
          throw new IllegalArgumentException(description + ": no tensor '" + key + "'");
        }
        return s;
      }
    };
  }
}
