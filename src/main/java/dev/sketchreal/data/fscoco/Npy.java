package dev.sketchreal.data.fscoco;

import dev.sketchreal.data.DataException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reader for NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0) holding numeric arrays:
 * little- or big-endian floats (f2, f4, f8), signed and unsigned integers (1–8 bytes) and booleans,
 * in C or Fortran order. Values are returned as doubles in C (row-major) order. Object arrays
 * (pickles) are refused: they can run code.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /** A decoded array: {@code data} in row-major order, length = product of {@code shape}. */
  public record Array(String dtype, int[] shape, double[] data) {
    /** Element at a 2-D index (row, column). */
    public double get(int row, int col) {
      return data[row * shape[1] + col];
    }

    @Override
    public String toString() {
      return "Npy.Array[" + dtype + ", shape=" + Arrays.toString(shape) + "]";
    }
  }

  public static Array read(Path file) {
    try {
      return parse(Files.readAllBytes(file), file);
    } catch (NoSuchFileException e) {
      throw new DataException(file, ".npy file missing");
    } catch (IOException e) {
      throw new DataException(file, "cannot read .npy file", e);
    }
  }

  /** Parses the bytes of a .npy file; {@code file} only names it in errors. */
  public static Array parse(byte[] bytes, Path file) {
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
      throw new DataException(file, "not a .npy file (bad magic)");
    }
    int major = bytes[6];
    int headerLen;
    int headerStart;
    if (major == 1) {
      headerLen = buf.getShort(8) & 0xffff;
      headerStart = 10;
    } else if (major == 2 || major == 3) {
      if (bytes.length < 12) {
        throw new DataException(file, "truncated .npy header");
      }
      headerLen = buf.getInt(8);
      headerStart = 12;
    } else {
      throw new DataException(file, "unsupported .npy version " + major);
    }
    if (headerLen < 0 || headerStart + headerLen > bytes.length) {
      throw new DataException(file, "truncated .npy header");
    }
    String header =
        new String(
            bytes,
            headerStart,
            headerLen,
            major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    String descr = group(DESCR, header, file, "descr");
    boolean fortran = group(FORTRAN, header, file, "fortran_order").equals("True");
    int[] shape = parseShape(group(SHAPE, header, file, "shape"), file);
    long count = 1;
    for (int d : shape) {
      count = Math.multiplyExact(count, d);
    }
    Dtype dtype = Dtype.parse(descr, file);
    int dataStart = headerStart + headerLen;
    long needed = count * dtype.size;
    if (bytes.length - dataStart < needed) {
      throw new DataException(
          file,
          "truncated .npy data: shape "
              + Arrays.toString(shape)
              + " of "
              + descr
              + " needs "
              + needed
              + " bytes, file has "
              + (bytes.length - dataStart));
    }
    buf.order(dtype.order);
    double[] data = new double[(int) count];
    for (int i = 0; i < data.length; i++) {
      data[i] = dtype.read(buf, dataStart + i * dtype.size);
    }
    if (fortran && shape.length > 1) {
      data = fortranToC(data, shape);
    }
    return new Array(descr, shape, data);
  }

  private static String group(Pattern p, String header, Path file, String key) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new DataException(file, ".npy header has no '" + key + "': " + header.trim());
    }
    return m.group(1);
  }

  private static int[] parseShape(String text, Path file) {
    String[] parts = text.split(",");
    return Arrays.stream(parts)
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .mapToInt(
            s -> {
              try {
                return Integer.parseInt(s.endsWith("L") ? s.substring(0, s.length() - 1) : s);
              } catch (NumberFormatException e) {
                throw new DataException(file, "bad .npy shape (" + text + ")");
              }
            })
        .toArray();
  }

  // Fortran order: the first index varies fastest. Re-order to row-major.
  private static double[] fortranToC(double[] f, int[] shape) {
    double[] c = new double[f.length];
    int[] idx = new int[shape.length];
    for (int fi = 0; fi < f.length; fi++) {
      int ci = 0;
      for (int d = 0; d < shape.length; d++) {
        ci = ci * shape[d] + idx[d];
      }
      c[ci] = f[fi];
      for (int d = 0; d < shape.length && ++idx[d] == shape[d]; d++) {
        idx[d] = 0;
      }
    }
    return c;
  }

  /** Element type from a descr such as {@code <f8}, {@code |u1}, {@code >i4}, {@code |b1}. */
  private record Dtype(char kind, int size, ByteOrder order) {
    static Dtype parse(String descr, Path file) {
      if (descr.length() < 3) {
        throw new DataException(file, "unsupported .npy dtype '" + descr + "'");
      }
      char endian = descr.charAt(0);
      char kind = descr.charAt(1);
      int size;
      try {
        size = Integer.parseInt(descr.substring(2));
      } catch (NumberFormatException e) {
        throw new DataException(file, "unsupported .npy dtype '" + descr + "'");
      }
      boolean ok =
          switch (kind) {
            case 'f' -> size == 2 || size == 4 || size == 8;
            case 'i', 'u' -> size == 1 || size == 2 || size == 4 || size == 8;
            case 'b' -> size == 1;
            default -> false;
          };
      if (!ok || "<>|=".indexOf(endian) < 0) {
        throw new DataException(
            file, "unsupported .npy dtype '" + descr + "' (numeric arrays only; no pickles)");
      }
      ByteOrder order = endian == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
      return new Dtype(kind, size, order);
    }

    double read(ByteBuffer b, int at) {
      return switch (kind) {
        case 'f' -> size == 8 ? b.getDouble(at) : size == 4 ? b.getFloat(at) : half(b.getShort(at));
        case 'b' -> b.get(at) != 0 ? 1 : 0;
        case 'i' ->
            switch (size) {
              case 1 -> b.get(at);
              case 2 -> b.getShort(at);
              case 4 -> b.getInt(at);
              default -> b.getLong(at);
            };
        default ->
            switch (size) {
              case 1 -> b.get(at) & 0xff;
              case 2 -> b.getShort(at) & 0xffff;
              case 4 -> b.getInt(at) & 0xffffffffL;
              default -> unsignedLong(b.getLong(at));
            };
      };
    }

    private static double unsignedLong(long v) {
      double d = (double) (v >>> 1) * 2.0;
      return d + (v & 1);
    }

    // IEEE 754 half precision → double.
    private static double half(short bits) {
      int s = (bits >> 15) & 1;
      int e = (bits >> 10) & 0x1f;
      int m = bits & 0x3ff;
      double v;
      if (e == 0) {
        v = m * Math.pow(2, -24);
      } else if (e == 31) {
        v = m == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
      } else {
        v = (1 + m / 1024.0) * Math.pow(2, e - 15);
      }
      return s == 1 ? -v : v;
    }
  }
}
