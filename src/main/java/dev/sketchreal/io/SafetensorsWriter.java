package dev.sketchreal.io;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Writes safetensors files: tensors sorted by name and stored back to back, the JSON header padded
 * with spaces to a multiple of 8 bytes (so the data starts 8-byte aligned), little-endian data. The
 * file is replaced atomically (see {@link AtomicFiles}).
 */
public final class SafetensorsWriter {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private SafetensorsWriter() {}

  /**
   * Writes {@code tensors} (in their own dtypes) and {@code metadata} to {@code path}. An empty
   * metadata map writes no {@code __metadata__} entry.
   *
   * @throws IllegalArgumentException for a tensor name {@code __metadata__} or an array type that
   *     safetensors cannot hold
   */
  public static void write(Path path, Map<String, NDArray> tensors, Map<String, String> metadata)
      throws IOException {
    requireLittleEndianPlatform();
    Map<String, NDArray> sorted = new TreeMap<>(tensors);
    byte[] header = header(sorted, metadata == null ? Map.of() : metadata);
    AtomicFiles.write(
        path,
        channel -> {
          ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
          prefix.putLong(header.length).flip();
          AtomicFiles.writeFully(channel, prefix);
          AtomicFiles.writeFully(channel, ByteBuffer.wrap(header));
          for (Map.Entry<String, NDArray> e : sorted.entrySet()) {
            writeData(channel, e.getKey(), e.getValue());
          }
        });
  }

  /** The JSON header, padded with spaces to a multiple of 8 bytes. */
  static byte[] header(Map<String, NDArray> sorted, Map<String, String> metadata) {
    ObjectNode root = MAPPER.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
      new TreeMap<>(metadata).forEach((k, v) -> meta.put(k, Objects.requireNonNull(v, k)));
    }
    long offset = 0;
    for (Map.Entry<String, NDArray> e : sorted.entrySet()) {
      String name = e.getKey();
      if (name.equals(SafetensorsHeader.METADATA_KEY)) {
        throw new IllegalArgumentException("'__metadata__' cannot be a tensor name");
      }
      NDArray array = Objects.requireNonNull(e.getValue(), name);
      SafetensorsDType dtype = dtypeOf(name, array);
      long size = array.size() * dtype.bytes();
      ObjectNode entry = root.putObject(name);
      entry.put("dtype", dtype.name());
      var shape = entry.putArray("shape");
      Arrays.stream(array.getShape().getShape()).forEach(shape::add);
      entry.putArray("data_offsets").add(offset).add(offset + size);
      offset += size;
    }
    byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    byte[] out = Arrays.copyOf(json, padded);
    Arrays.fill(out, json.length, padded, (byte) ' ');
    return out;
  }

  private static SafetensorsDType dtypeOf(String name, NDArray array) {
    try {
      return SafetensorsDType.of(array.getDataType());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("tensor '" + name + "': " + e.getMessage(), e);
    }
  }

  /** Streams one array's bytes (made contiguous by the engine) straight to the file. */
  private static void writeData(FileChannel channel, String name, NDArray array)
      throws IOException {
    ByteBuffer data = array.toByteBuffer();
    long expected = array.size() * array.getDataType().getNumOfBytes();
    if (data.remaining() != expected) {
      throw new IOException(
          "tensor '" + name + "': engine returned " + data.remaining() + " bytes, not " + expected);
    }
    AtomicFiles.writeFully(channel, data);
  }

  // DJL hands out data in the platform's byte order; safetensors is little-endian. Every
  // platform libtorch ships for (x86-64, aarch64) is little-endian, so refuse rather than swap.
  private static void requireLittleEndianPlatform() {
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw new UnsupportedOperationException("safetensors writing needs a little-endian platform");
    }
  }
}
