package dev.sketchreal.data.fscoco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sketchreal.data.DataException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NpyTest {
  private static final Path NAME = Path.of("strokes/12.npy");

  /** Builds a .npy file the way numpy does: magic, version, padded header dict, data. */
  static byte[] npy(String descr, boolean fortran, int[] shape, byte[] data, int version) {
    String shapeText =
        shape.length == 1
            ? shape[0] + ","
            : String.join(
                ", ", Arrays.stream(shape).mapToObj(String::valueOf).toArray(String[]::new));
    String dict =
        "{'descr': '"
            + descr
            + "', 'fortran_order': "
            + (fortran ? "True" : "False")
            + ", 'shape': ("
            + shapeText
            + "), }";
    int pre = version == 1 ? 10 : 12;
    int total = ((pre + dict.length() + 1 + 63) / 64) * 64;
    String header = dict + " ".repeat(total - pre - dict.length() - 1) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
    ByteBuffer len = ByteBuffer.allocate(version == 1 ? 2 : 4).order(ByteOrder.LITTLE_ENDIAN);
    if (version == 1) {
      len.putShort((short) header.length());
    } else {
      len.putInt(header.length());
    }
    out.writeBytes(len.array());
    out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(data);
    return out.toByteArray();
  }

  // rows (x, y, pen): (10, 20, 0), (11.5, 21, 1)
  private static final double[] VALUES = {10, 20, 0, 11.5, 21, 1};

  private static byte[] data(String kind, ByteOrder order, double[] values) {
    int size = Integer.parseInt(kind.substring(1));
    ByteBuffer b = ByteBuffer.allocate(values.length * size).order(order);
    for (double v : values) {
      switch (kind) {
        case "f8" -> b.putDouble(v);
        case "f4" -> b.putFloat((float) v);
        case "i8" -> b.putLong((long) v);
        case "i4" -> b.putInt((int) v);
        case "i2" -> b.putShort((short) v);
        case "u1" -> b.put((byte) v);
        default -> throw new IllegalArgumentException(kind);
      }
    }
    return b.array();
  }

  @Test
  void readsTheDtypesFsCocoUses() {
    for (String kind : new String[] {"f8", "f4"}) {
      Npy.Array a =
          Npy.parse(
              npy(
                  "<" + kind,
                  false,
                  new int[] {2, 3},
                  data(kind, ByteOrder.LITTLE_ENDIAN, VALUES),
                  1),
              NAME);
      assertThat(a.shape()).containsExactly(2, 3);
      assertThat(a.data()).containsExactly(VALUES);
    }
    double[] ints = {10, 20, 0, 11, 21, 1};
    for (String kind : new String[] {"i8", "i4", "i2"}) {
      Npy.Array a =
          Npy.parse(
              npy(
                  "<" + kind,
                  false,
                  new int[] {2, 3},
                  data(kind, ByteOrder.LITTLE_ENDIAN, ints),
                  1),
              NAME);
      assertThat(a.data()).containsExactly(ints);
    }
    Npy.Array u =
        Npy.parse(
            npy("|u1", false, new int[] {2, 3}, data("u1", ByteOrder.LITTLE_ENDIAN, ints), 1),
            NAME);
    assertThat(u.data()).containsExactly(ints);
  }

  @Test
  void readsBigEndianVersion2AndFortranOrder() {
    Npy.Array big =
        Npy.parse(
            npy(">f8", false, new int[] {2, 3}, data("f8", ByteOrder.BIG_ENDIAN, VALUES), 2), NAME);
    assertThat(big.data()).containsExactly(VALUES);
    // Fortran order stores columns first: x0 x1 y0 y1 p0 p1.
    double[] columns = {10, 11.5, 20, 21, 0, 1};
    Npy.Array f =
        Npy.parse(
            npy("<f8", true, new int[] {2, 3}, data("f8", ByteOrder.LITTLE_ENDIAN, columns), 1),
            NAME);
    assertThat(f.data()).containsExactly(VALUES);
    assertThat(f.get(1, 0)).isEqualTo(11.5);
  }

  @Test
  void truncatedDataNamesTheFile() {
    byte[] full =
        npy("<f8", false, new int[] {2, 3}, data("f8", ByteOrder.LITTLE_ENDIAN, VALUES), 1);
    byte[] cut = Arrays.copyOf(full, full.length - 5);
    assertThatThrownBy(() -> Npy.parse(cut, NAME))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("truncated")
        .hasMessageContaining("12.npy");
  }

  @Test
  void refusesPicklesAndGarbage() {
    assertThatThrownBy(() -> Npy.parse(npy("|O", false, new int[] {2}, new byte[16], 1), NAME))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("unsupported .npy dtype");
    assertThatThrownBy(
            () -> Npy.parse("hello world, not numpy".getBytes(StandardCharsets.US_ASCII), NAME))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("bad magic");
  }
}
