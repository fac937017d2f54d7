package dev.sketchreal.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Set;

/** Named tensors a module's parameters can be loaded from (a checkpoint, a map in memory). */
public interface TensorSource {
  Set<String> keys();

  /** The stored shape of a key. */
  long[] shape(String key);

  /** The tensor as float32, owned by the given manager. */
  NDArray loadFloat32(String key, NDManager manager);

  /** Where the tensors come from, for error messages. */
  String describe();
}
