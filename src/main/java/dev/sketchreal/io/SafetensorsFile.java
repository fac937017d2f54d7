package dev.sketchreal.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.SortedMap;

/**
 * A safetensors file opened for reading: the header is read and validated eagerly by {@link #open},
 * tensors are read on demand, each one through its own memory map of exactly its byte range. Files
 * over 2 GiB therefore work (nothing indexes the whole file with an int) and opening a 3.5 GB UNet
 * costs only its header.
 *
 * <p>Arrays returned by {@link #load} and {@link #loadFloat32} own their memory: DJL's PyTorch
 * engine wraps a direct buffer without copying it ({@code torch::from_blob}), so a mapped tensor is
 * copied into libtorch memory before it is handed out. Closing the file, or the file changing on
 * disk later, does not affect arrays already loaded. Reads are thread-safe. Truncating the file on
 * disk while a tensor is being copied makes the JVM fail with SIGBUS, as with any memory map.
 */
public final class SafetensorsFile implements AutoCloseable {
  private final Path path;
  private final FileChannel channel;
  private final SafetensorsHeader header;

  private SafetensorsFile(Path path, FileChannel channel, SafetensorsHeader header) {
    this.path = path;
    this.channel = channel;
    this.header = header;
  }

  /**
   * Opens {@code path} and validates its header.
   *
   * @throws NoSuchFileException if the file does not exist
   * @throws FormatException if the header is malformed (the message names the file and the key)
   */
  public static SafetensorsFile open(Path path) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new NoSuchFileException(path.toString(), null, "no such safetensors file");
    }
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      return new SafetensorsFile(path, channel, SafetensorsHeader.read(path, channel));
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  public Path path() {
    return path;
  }

  /** Every tensor of the file, sorted by name (the {@code __metadata__} entry excluded). */
  public SortedMap<String, TensorInfo> tensors() {
    return header.tensors();
  }

  /** The {@code __metadata__} entry of the header; empty if absent. */
  public Map<String, String> metadata() {
    return header.metadata();
  }

  public boolean contains(String name) {
    return header.tensors().containsKey(name);
  }

  /**
   * @throws IllegalArgumentException naming the file and the key if there is no such tensor
   */
  public TensorInfo info(String name) {
    TensorInfo info = header.tensors().get(name);
    if (info == null) {
      throw new IllegalArgumentException(path + ": no tensor '" + name + "'");
    }
    return info;
  }

  /**
   * Loads a tensor in its stored dtype into {@code manager}. BF16 and I16 are refused because the
   * PyTorch engine of DJL 0.36 cannot hold them (it aborts the JVM); use {@link #loadFloat32} for
   * BF16 weights.
   */
  public NDArray load(String name, NDManager manager) {
    TensorInfo info = info(name);
    if (!info.dtype().engineSupported()) {
      throw new IllegalArgumentException(
          path
              + ": tensor '"
              + name
              + "' is "
              + info.dtype()
              + ", which DJL's PyTorch engine cannot hold"
              + (info.dtype() == SafetensorsDType.BF16 ? "; load it with loadFloat32" : ""));
    }
    NDArray view = wrap(info, manager);
    try {
      return named(view.duplicate(), name); // copy out of the memory map
    } finally {
      view.close();
    }
  }

  /**
   * Loads a floating-point tensor (F32, F16 or BF16) converted to float32.
   *
   * @throws IllegalArgumentException for other dtypes
   */
  public NDArray loadFloat32(String name, NDManager manager) {
    TensorInfo info = info(name);
    switch (info.dtype()) {
      case F32:
        return load(name, manager);
      case BF16:
        return named(bf16ToFloat32(info, manager), name);
      case F16:
        NDArray view = wrap(info, manager);
        try {
          return named(view.toType(DataType.FLOAT32, false), name); // a new array: a copy
        } finally {
          view.close();
        }
      default:
        throw new IllegalArgumentException(
            path
                + ": tensor '"
                + name
                + "' is "
                + info.dtype()
                + ", not a floating-point weight (F32, F16 or BF16)");
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": cannot close", e);
    }
  }

  @Override
  public String toString() {
    return "SafetensorsFile[" + path + ", " + header.tensors().size() + " tensors]";
  }

  /**
   * An array that aliases the mapped bytes of {@code info}. Must be copied and closed right away:
   * it points into a read-only map, so writing to it would crash the JVM.
   */
  private NDArray wrap(TensorInfo info, NDManager manager) {
    return manager.create(map(info), new Shape(info.shape()), info.dtype().djlType());
  }

  /**
   * Maps the byte range of one tensor: a fresh buffer at position 0 (DJL ignores the position),
   * little-endian as the format requires.
   */
  private ByteBuffer map(TensorInfo info) {
    long size = info.byteSize();
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          path
              + ": tensor '"
              + info.name()
              + "' has "
              + size
              + " bytes, more than one array holds");
    }
    if (size == 0) {
      return ByteBuffer.allocateDirect(0).order(ByteOrder.LITTLE_ENDIAN);
    }
    if (!channel.isOpen()) {
      throw new IllegalStateException(path + ": file is closed");
    }
    try {
      long position = header.dataStart() + info.begin();
      return channel
          .map(FileChannel.MapMode.READ_ONLY, position, size)
          .order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": cannot read tensor '" + info.name() + "'", e);
    }
  }

  /**
   * BF16 is the upper half of a float32, so widening is a 16-bit shift. Done here because the
   * engine cannot create BF16 arrays at all.
   */
  private NDArray bf16ToFloat32(TensorInfo info, NDManager manager) {
    ShortBuffer in = map(info).asShortBuffer();
    int n = in.remaining();
    if (n > Integer.MAX_VALUE / 4) {
      throw new IllegalArgumentException(
          path + ": tensor '" + info.name() + "' is too large to widen to float32 in one array");
    }
    ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      out.putInt(i * 4, (in.get(i) & 0xffff) << 16);
    }
    // The engine keeps a reference to `out` and uses it as the array's storage; nothing else
    // holds it, so no copy is needed.
    return manager.create(out, new Shape(info.shape()), DataType.FLOAT32);
  }

  private static NDArray named(NDArray array, String name) {
    array.setName(name);
    return array;
  }
}
