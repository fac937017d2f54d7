package dev.sketchreal.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The weights of one model component (a diffusers {@code unet/}, {@code vae/}, a transformers
 * {@code text_encoder/} ...), whether stored in one safetensors file or sharded over several.
 * Loading code asks for tensors by their checkpoint key and does not care about the layout.
 */
public interface WeightSource extends AutoCloseable {

  /**
   * Finds the weights in a component folder. Accepted, in order of preference:
   *
   * <ol>
   *   <li>{@code diffusion_pytorch_model.safetensors} (diffusers) or {@code model.safetensors}
   *       (transformers);
   *   <li>a sharded checkpoint: {@code diffusion_pytorch_model.safetensors.index.json} or {@code
   *       model.safetensors.index.json} with its shards;
   *   <li>the same names with the {@code fp16} variant ({@code model.fp16.safetensors}, {@code
   *       model.safetensors.index.fp16.json}), used only when no full-precision file exists ({@link
   *       #loadFloat32} converts).
   * </ol>
   *
   * A folder with only pickle files ({@code .bin}, {@code .ckpt}, {@code .pt}) is refused: they are
   * never unpickled (arbitrary code execution).
   *
   * @throws java.nio.file.NoSuchFileException if the folder does not exist
   * @throws FormatException if no usable weights are found, or a file or shard index is malformed
   */
  static WeightSource open(Path componentDir) throws IOException {
    return SafetensorsWeights.open(componentDir);
  }

  /** Every tensor name, sorted. */
  Set<String> keys();

  /**
   * @throws IllegalArgumentException naming the source and the key if there is no such tensor
   */
  TensorInfo info(String key);

  default boolean contains(String key) {
    return keys().contains(key);
  }

  /** The tensor in its stored dtype (see {@link SafetensorsFile#load}). */
  NDArray load(String key, NDManager manager);

  /** The tensor converted to float32 (F32, F16 or BF16 only). */
  NDArray loadFloat32(String key, NDManager manager);

  /** The file or files read, for error messages and logs. */
  String describe();

  @Override
  void close();
}
