package dev.sketchreal.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Strict loading of a module's parameters from checkpoint tensors: every parameter must be found,
 * every checkpoint key must be used (unless explicitly ignored), shapes must match. Failures name
 * the key and the source.
 */
public final class StateDict {
  private StateDict() {}

  /**
   * @param module the parameter tree
   * @param source checkpoint tensors
   * @param manager owner of the loaded arrays (the model's manager)
   * @param rename maps a checkpoint key to the module's key (e.g. old VAE attention names)
   * @param ignore checkpoint keys that are not parameters (e.g. {@code position_ids} buffers)
   */
  public static void load(
      Module module,
      TensorSource source,
      NDManager manager,
      UnaryOperator<String> rename,
      Predicate<String> ignore) {
    Map<String, Parameter> params = module.namedParameters();
    Map<String, String> byModuleKey = new LinkedHashMap<>();
    List<String> unexpected = new ArrayList<>();
    for (String key : new TreeSet<>(source.keys())) {
      if (ignore.test(key)) {
        continue;
      }
      String mapped = rename.apply(key);
      if (!params.containsKey(mapped)) {
        unexpected.add(key);
      } else if (byModuleKey.putIfAbsent(mapped, key) != null) {
        throw new IllegalArgumentException(
            source.describe()
                + ": keys '"
                + byModuleKey.get(mapped)
                + "' and '"
                + key
                + "' both map to parameter '"
                + mapped
                + "'");
      }
    }
    if (!unexpected.isEmpty()) {
      throw new IllegalArgumentException(
          source.describe() + ": unexpected key" + plural(unexpected) + " " + preview(unexpected));
    }
    List<String> missing =
        params.keySet().stream().filter(k -> !byModuleKey.containsKey(k)).toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          source.describe() + ": missing key" + plural(missing) + " " + preview(missing));
    }
    for (var entry : byModuleKey.entrySet()) {
      Parameter p = params.get(entry.getKey());
      String key = entry.getValue();
      Shape stored = new Shape(source.shape(key));
      if (!stored.equals(p.shape())) {
        throw new IllegalArgumentException(
            source.describe()
                + ": key '"
                + key
                + "' has shape "
                + stored
                + ", the model expects "
                + p.shape()
                + " (is the config right for these weights?)");
      }
      NDArray value = source.loadFloat32(key, manager);
      p.set(value);
    }
  }

  public static void load(Module module, TensorSource source, NDManager manager) {
    load(module, source, manager, UnaryOperator.identity(), k -> false);
  }

  /** A source over arrays in memory (tests, conversions). */
  public static TensorSource of(Map<String, NDArray> tensors, String description) {
    return new TensorSource() {
      @Override
      public java.util.Set<String> keys() {
        return tensors.keySet();
      }

      @Override
      public long[] shape(String key) {
        return tensors.get(key).getShape().getShape();
      }

      @Override
      public NDArray loadFloat32(String key, NDManager manager) {
        NDArray a = tensors.get(key).toType(ai.djl.ndarray.types.DataType.FLOAT32, true);
        NDArray copy = manager.create(a.toFloatArray(), a.getShape());
        a.close();
        return copy;
      }

      @Override
      public String describe() {
        return description;
      }
    };
  }

  private static String plural(List<String> keys) {
    return keys.size() == 1 ? "" : "s (" + keys.size() + ")";
  }

  private static String preview(List<String> keys) {
    List<String> head = keys.subList(0, Math.min(8, keys.size()));
    return Arrays.toString(head.toArray()) + (keys.size() > 8 ? " ..." : "");
  }
}
