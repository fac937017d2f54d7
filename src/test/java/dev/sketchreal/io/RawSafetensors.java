package dev.sketchreal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-made safetensors files for tests, written byte by byte (independent of the writer). */
final class RawSafetensors {
  private RawSafetensors() {}

  /** Writes {@code headerJson} with a correct length prefix, then {@code data}. */
  static Path write(Path file, String headerJson, byte[] data) throws IOException {
    byte[] json = headerJson.getBytes(StandardCharsets.UTF_8);
    return write(file, json.length, json, data);
  }

  /** Writes any length prefix (possibly a lie), the header bytes and the data. */
  static Path write(Path file, long declaredLength, byte[] header, byte[] data) throws IOException {
    ByteBuffer buf =
        ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(declaredLength).put(header).put(data);
    Files.write(file, buf.array());
    return file;
  }

  /** Little-endian bytes of floats. */
  static byte[] floats(float... values) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      buf.putFloat(v);
    }
    return buf.array();
  }

  /** Little-endian bytes of 16-bit patterns (for F16 and BF16). */
  static byte[] shorts(int... values) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      buf.putShort((short) v);
    }
    return buf.array();
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer buf = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      buf.put(p);
    }
    return buf.array();
  }

  /** Reads a byte range of the data section with plain file I/O, to compare with the reader. */
  static byte[] dataBytes(Path file, long begin, long end) throws IOException {
    try (var raf = new java.io.RandomAccessFile(file.toFile(), "r")) {
      byte[] prefix = new byte[8];
      raf.readFully(prefix);
      long n = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getLong();
      byte[] out = new byte[(int) (end - begin)];
      raf.seek(8 + n + begin);
      raf.readFully(out);
      return out;
    }
  }
}
