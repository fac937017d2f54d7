package dev.sketchreal.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reads and validates the header of a safetensors file. The header is untrusted input (a downloaded
 * checkpoint), so every value is checked before anything is mapped: lengths, dtypes, shapes,
 * offsets, sizes and overlaps. Every error names the file and, where there is one, the tensor.
 */
record SafetensorsHeader(
    SortedMap<String, TensorInfo> tensors, Map<String, String> metadata, long dataStart) {

  /** Larger headers are refused (the Rust reference implementation uses the same bound). */
  static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

  static final String METADATA_KEY = "__metadata__";

  // Duplicate keys are an error (a JSON object would silently keep the last one); trailing
  // garbage after the JSON object too. Only spaces may pad the header.
  private static final JsonMapper STRICT =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /** Reads the length prefix and the JSON header of {@code channel} and validates them. */
  static SafetensorsHeader read(Path path, FileChannel channel) throws IOException {
    long fileSize = channel.size();
    if (fileSize < 8) {
      throw error(path, "file is " + fileSize + " bytes long, too short for a safetensors header");
    }
    long headerLength = readFully(path, channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    // A length with the top bit set is > 2^63 unsigned: negative as a Java long.
    if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
      throw error(
          path,
          "header length "
              + Long.toUnsignedString(headerLength)
              + " exceeds the limit of "
              + MAX_HEADER_BYTES
              + " bytes");
    }
    if (headerLength > fileSize - 8) {
      throw error(
          path,
          "header length " + headerLength + " exceeds the file size " + fileSize + " - 8 bytes");
    }
    ByteBuffer json = readFully(path, channel, 8, (int) headerLength);
    long dataSize = fileSize - 8 - headerLength;
    return parse(path, json.array(), dataSize, 8 + headerLength);
  }

  /** Validates a JSON header; {@code dataSize} is the number of bytes after the header. */
  static SafetensorsHeader parse(Path path, byte[] json, long dataSize, long dataStart)
      throws FormatException {
    JsonNode root;
    try {
      root = STRICT.readTree(json);
    } catch (JacksonException e) {
      throw error(path, "header is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw error(path, "header is not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw error(path, "header is not a JSON object");
    }
    SortedMap<String, TensorInfo> tensors = new TreeMap<>();
    Map<String, String> metadata = Map.of();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      if (e.getKey().equals(METADATA_KEY)) {
        metadata = parseMetadata(path, e.getValue());
      } else {
        tensors.put(e.getKey(), parseTensor(path, e.getKey(), e.getValue(), dataSize));
      }
    }
    checkNoOverlap(path, tensors.values());
    return new SafetensorsHeader(Collections.unmodifiableSortedMap(tensors), metadata, dataStart);
  }

  private static Map<String, String> parseMetadata(Path path, JsonNode node)
      throws FormatException {
    if (!node.isObject()) {
      throw error(path, "__metadata__ is not a JSON object");
    }
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (!e.getValue().isTextual()) {
        throw error(
            path,
            "__metadata__ value of '"
                + e.getKey()
                + "' is "
                + e.getValue().getNodeType().toString().toLowerCase(java.util.Locale.ROOT)
                + ", not a string");
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(out));
  }

  private static TensorInfo parseTensor(Path path, String name, JsonNode node, long dataSize)
      throws FormatException {
    if (!node.isObject()) {
      throw tensorError(path, name, "entry is not a JSON object");
    }
    SafetensorsDType dtype = parseDtype(path, name, node.get("dtype"));
    long[] shape = parseLongs(path, name, "shape", node.get("shape"));
    long[] offsets = parseLongs(path, name, "data_offsets", node.get("data_offsets"));
    if (offsets.length != 2) {
      throw tensorError(
          path, name, "data_offsets must be [begin, end], got " + Arrays.toString(offsets));
    }
    long begin = offsets[0];
    long end = offsets[1];
    if (begin > end || end > dataSize) {
      throw tensorError(
          path,
          name,
          "data_offsets "
              + Arrays.toString(offsets)
              + " are outside the data section of "
              + dataSize
              + " bytes");
    }
    long expected = expectedBytes(path, name, dtype, shape);
    if (end - begin != expected) {
      throw tensorError(
          path,
          name,
          "data_offsets "
              + Arrays.toString(offsets)
              + " do not match shape "
              + Arrays.toString(shape)
              + " x "
              + dtype
              + " = "
              + expected
              + " bytes");
    }
    return new TensorInfo(name, dtype, shape, begin, end);
  }

  private static SafetensorsDType parseDtype(Path path, String name, JsonNode node)
      throws FormatException {
    if (node == null || !node.isTextual()) {
      throw tensorError(path, name, "missing or non-string 'dtype'");
    }
    try {
      return SafetensorsDType.parse(node.textValue());
    } catch (IllegalArgumentException e) {
      throw tensorError(path, name, e.getMessage());
    }
  }

  /** An array of non-negative integers (shape dims or offsets). */
  private static long[] parseLongs(Path path, String name, String field, JsonNode node)
      throws FormatException {
    if (node == null || !node.isArray()) {
      throw tensorError(path, name, "missing or non-array '" + field + "'");
    }
    long[] out = new long[node.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = node.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
        throw tensorError(
            path, name, "'" + field + "' must hold non-negative integers, got " + node);
      }
      out[i] = v.longValue();
    }
    return out;
  }

  /** product(shape) x dtype bytes, refusing sizes that overflow a long. */
  private static long expectedBytes(Path path, String name, SafetensorsDType dtype, long[] shape)
      throws FormatException {
    try {
      long n = dtype.bytes();
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
      return n;
    } catch (ArithmeticException e) {
      throw tensorError(path, name, "shape " + Arrays.toString(shape) + " is too large");
    }
  }

  private static void checkNoOverlap(Path path, Iterable<TensorInfo> tensors)
      throws FormatException {
    List<TensorInfo> byBegin = new ArrayList<>();
    tensors.forEach(byBegin::add);
    byBegin.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    TensorInfo previous = null;
    for (TensorInfo t : byBegin) {
      // Empty tensors occupy no bytes and can share an offset with anything.
      if (t.byteSize() == 0) {
        continue;
      }
      if (previous != null && t.begin() < previous.end()) {
        throw error(
            path,
            "tensors '"
                + previous.name()
                + "' ["
                + previous.begin()
                + ", "
                + previous.end()
                + ") and '"
                + t.name()
                + "' ["
                + t.begin()
                + ", "
                + t.end()
                + ") overlap");
      }
      previous = t;
    }
  }

  private static ByteBuffer readFully(Path path, FileChannel channel, long position, int length)
      throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    while (buf.hasRemaining()) {
      int n = channel.read(buf, position + buf.position());
      if (n < 0) {
        throw new EOFException(path + ": unexpected end of file while reading the header");
      }
    }
    return buf.flip();
  }

  static FormatException error(Path path, String message) {
    return new FormatException(path + ": " + message);
  }

  static FormatException error(Path path, String message, Throwable cause) {
    return new FormatException(path + ": " + message, cause);
  }

  static FormatException tensorError(Path path, String name, String message) {
    return new FormatException(path + ": tensor '" + name + "': " + message);
  }
}
