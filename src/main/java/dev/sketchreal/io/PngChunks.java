package dev.sketchreal.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The PNG chunk layer: splitting a file into chunks (CRC-checked), building chunks, and the three
 * text chunk types. PNG is big-endian; a chunk is length, type, data, CRC32(type + data).
 */
final class PngChunks {
  static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  /** A decompressed text longer than this is refused (a zip bomb in a zTXt chunk). */
  static final int MAX_TEXT_BYTES = 16 * 1024 * 1024;

  private PngChunks() {}

  record Chunk(String type, byte[] data, int start, int end) {}

  /** Splits a PNG into its chunks, up to and including IEND. */
  static java.util.List<Chunk> split(Path file, byte[] png) throws FormatException {
    if (png.length < 8 || !Arrays.equals(Arrays.copyOf(png, 8), SIGNATURE)) {
      throw new FormatException(file + ": not a PNG file (bad signature)");
    }
    java.util.List<Chunk> chunks = new java.util.ArrayList<>();
    ByteBuffer buf = ByteBuffer.wrap(png); // big-endian by default, as PNG
    buf.position(8);
    while (true) {
      int start = buf.position();
      if (buf.remaining() < 12) {
        throw new FormatException(file + ": truncated PNG (no IEND chunk)");
      }
      long length = buf.getInt() & 0xffffffffL;
      String type = new String(png, buf.position(), 4, StandardCharsets.ISO_8859_1);
      if (length > buf.remaining() - 8) {
        throw new FormatException(
            file + ": chunk " + type + " of " + length + " bytes runs past the end");
      }
      byte[] data = Arrays.copyOfRange(png, buf.position() + 4, buf.position() + 4 + (int) length);
      CRC32 crc = new CRC32();
      crc.update(png, buf.position(), 4 + (int) length);
      buf.position(buf.position() + 4 + (int) length);
      if ((int) crc.getValue() != buf.getInt()) {
        throw new FormatException(file + ": chunk " + type + " has a bad CRC");
      }
      chunks.add(new Chunk(type, data, start, buf.position()));
      if (type.equals("IEND")) {
        return chunks;
      }
    }
  }

  /** One encoded chunk: length, type, data, CRC. */
  static byte[] chunk(String type, byte[] data) {
    byte[] typeBytes = type.getBytes(StandardCharsets.ISO_8859_1);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    return ByteBuffer.allocate(12 + data.length)
        .putInt(data.length)
        .put(typeBytes)
        .put(data)
        .putInt((int) crc.getValue())
        .array();
  }

  /** tEXt: Latin-1 keyword, NUL, Latin-1 text. Used for plain ASCII values. */
  static byte[] text(String keyword, String value) {
    return chunk("tEXt", concat(latin1(keyword), new byte[] {0}, latin1(value)));
  }

  /** iTXt, uncompressed, no language tag: keyword, NUL, 0, 0, NUL, NUL, UTF-8 text. */
  static byte[] internationalText(String keyword, String value) {
    byte[] header = {0, 0, 0, 0, 0}; // NUL, compression flag, method, empty lang NUL, empty key NUL
    return chunk("iTXt", concat(latin1(keyword), header, value.getBytes(StandardCharsets.UTF_8)));
  }

  /** zTXt (for tests and completeness): keyword, NUL, method 0, zlib data. */
  static byte[] compressedText(String keyword, String value) {
    java.util.zip.Deflater deflater = new java.util.zip.Deflater();
    deflater.setInput(latin1(value));
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    while (!deflater.finished()) {
      out.write(buf, 0, deflater.deflate(buf));
    }
    deflater.end();
    return chunk("zTXt", concat(latin1(keyword), new byte[] {0, 0}, out.toByteArray()));
  }

  /** Decodes the tEXt, zTXt and iTXt chunks; the first value of a repeated keyword wins. */
  static Map<String, String> readText(Path file, java.util.List<Chunk> chunks)
      throws FormatException {
    Map<String, String> out = new LinkedHashMap<>();
    for (Chunk c : chunks) {
      switch (c.type()) {
        case "tEXt", "zTXt", "iTXt" -> {
          int nul = indexOf(c.data(), 0, 0);
          if (nul < 1 || nul > 79) {
            throw new FormatException(file + ": " + c.type() + " chunk without a valid keyword");
          }
          String key = new String(c.data(), 0, nul, StandardCharsets.ISO_8859_1);
          out.putIfAbsent(key, decodeValue(file, c, key, nul + 1));
        }
        default -> {}
      }
    }
    return out;
  }

  private static String decodeValue(Path file, Chunk c, String key, int at) throws FormatException {
    byte[] d = c.data();
    switch (c.type()) {
      case "tEXt":
        return new String(d, at, d.length - at, StandardCharsets.ISO_8859_1);
      case "zTXt":
        if (at >= d.length || d[at] != 0) {
          throw new FormatException(
              file + ": zTXt '" + key + "' has an unknown compression method");
        }
        return new String(inflate(file, key, d, at + 1), StandardCharsets.ISO_8859_1);
      default: // iTXt
        if (at + 2 > d.length) {
          throw new FormatException(file + ": iTXt '" + key + "' is truncated");
        }
        boolean compressed = d[at] != 0;
        int lang = indexOf(d, at + 2, 0);
        int translated = lang < 0 ? -1 : indexOf(d, lang + 1, 0);
        if (translated < 0) {
          throw new FormatException(file + ": iTXt '" + key + "' is truncated");
        }
        byte[] text =
            compressed
                ? inflate(file, key, d, translated + 1)
                : Arrays.copyOfRange(d, translated + 1, d.length);
        return new String(text, StandardCharsets.UTF_8);
    }
  }

  private static byte[] inflate(Path file, String key, byte[] data, int from)
      throws FormatException {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(data, from, data.length - from);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      while (!inflater.finished()) {
        int n = inflater.inflate(buf);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new FormatException(file + ": compressed text '" + key + "' is truncated");
        }
        out.write(buf, 0, n);
        if (out.size() > MAX_TEXT_BYTES) {
          throw new FormatException(file + ": compressed text '" + key + "' is too large");
        }
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw new FormatException(file + ": compressed text '" + key + "' is corrupt", e);
    } finally {
      inflater.end();
    }
  }

  /** PNG keywords: 1-79 printable Latin-1 characters. */
  static void checkKeyword(String keyword) {
    if (keyword.isEmpty() || keyword.length() > 79) {
      throw new IllegalArgumentException(
          "PNG text keyword must have 1-79 characters: '" + keyword + "'");
    }
    for (char ch : keyword.toCharArray()) {
      if (ch < 32 || (ch > 126 && ch < 161) || ch > 255) {
        throw new IllegalArgumentException(
            "PNG text keyword has an invalid character: '" + keyword + "'");
      }
    }
  }

  private static byte[] latin1(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static int indexOf(byte[] data, int from, int value) {
    for (int i = from; i < data.length; i++) {
      if (data[i] == value) {
        return i;
      }
    }
    return -1;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
