package dev.sketchreal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {
  @TempDir Path dir;

  private static final List<Shape> SHAPES =
      List.of(
          new Shape(), new Shape(3), new Shape(2, 3), new Shape(2, 1, 3), new Shape(1, 2, 2, 2));

  private static final List<DataType> TYPES =
      List.of(
          DataType.FLOAT32,
          DataType.FLOAT64,
          DataType.FLOAT16,
          DataType.INT64,
          DataType.INT32,
          DataType.INT8,
          DataType.UINT8,
          DataType.BOOLEAN);

  private static NDArray sample(NDManager m, DataType type, Shape shape) {
    NDArray values = m.arange((float) shape.size()).sub(2).mul(1.5f).reshape(shape);
    if (type == DataType.BOOLEAN) {
      return values.gt(0);
    }
    if (type == DataType.UINT8) {
      return values.abs().toType(type, false);
    }
    return values.toType(type, false);
  }

  @Test
  void roundTripsEveryDtypeAndRankWithMetadata() throws Exception {
    Path file = dir.resolve("all.safetensors");
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      for (DataType type : TYPES) {
        for (Shape shape : SHAPES) {
          tensors.put(type + "/rank" + shape.dimension(), sample(m, type, shape));
        }
      }
      SafetensorsWriter.write(file, tensors, Map.of("format", "pt", "note", "ünïcode ✓"));
      try (SafetensorsFile st = SafetensorsFile.open(file)) {
        assertThat(st.metadata())
            .containsOnly(Map.entry("format", "pt"), Map.entry("note", "ünïcode ✓"));
        assertThat(st.tensors()).containsOnlyKeys(tensors.keySet());
        for (var e : tensors.entrySet()) {
          NDArray back = st.load(e.getKey(), m);
          assertThat(back.getDataType()).as(e.getKey()).isEqualTo(e.getValue().getDataType());
          assertThat(back.getShape()).as(e.getKey()).isEqualTo(e.getValue().getShape());
          assertThat(back.toByteArray()).as(e.getKey()).isEqualTo(e.getValue().toByteArray());
        }
      }
    }
  }

  @Test
  void layoutIsSortedContiguousAndAligned() throws Exception {
    Path file = dir.resolve("layout.safetensors");
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      tensors.put("z", m.ones(new Shape(3), DataType.FLOAT16));
      tensors.put("a", m.ones(new Shape(5), DataType.UINT8));
      tensors.put("m", m.ones(new Shape(2), DataType.FLOAT32));
      SafetensorsWriter.write(file, tensors, Map.of());
    }
    byte[] bytes = Files.readAllBytes(file);
    long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(n % 8).isZero();
    String header = new String(bytes, 8, (int) n, java.nio.charset.StandardCharsets.UTF_8);
    assertThat(header).doesNotContain("__metadata__").startsWith("{\"a\":");
    assertThat(bytes.length).isEqualTo(8 + n + 5 + 8 + 6);
    try (SafetensorsFile st = SafetensorsFile.open(file)) {
      assertThat(Stream.of("a", "m", "z").map(k -> st.info(k).begin()))
          .containsExactly(0L, 5L, 13L);
      assertThat(st.metadata()).isEmpty();
    }
  }

  @Test
  void writesNonContiguousArraysInLogicalOrder() throws Exception {
    Path file = dir.resolve("t.safetensors");
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray transposed = m.arange(6f).reshape(2, 3).transpose(); // (3, 2), a strided view
      SafetensorsWriter.write(file, Map.of("t", transposed), Map.of());
      try (SafetensorsFile st = SafetensorsFile.open(file)) {
        NDArray back = st.load("t", m);
        assertThat(back.getShape()).isEqualTo(new Shape(3, 2));
        assertThat(back.toFloatArray()).containsExactly(0, 3, 1, 4, 2, 5);
      }
    }
  }

  @Test
  void rewritesFixtureIdentically() throws Exception {
    Path source = Fixtures.sd2Tiny().resolve("unet/diffusion_pytorch_model.safetensors");
    Path copy = dir.resolve("unet.safetensors");
    try (NDManager m = NDManager.newBaseManager();
        SafetensorsFile st = SafetensorsFile.open(source)) {
      Map<String, NDArray> all = new LinkedHashMap<>();
      st.tensors().keySet().forEach(k -> all.put(k, st.load(k, m)));
      SafetensorsWriter.write(copy, all, st.metadata());
      try (SafetensorsFile back = SafetensorsFile.open(copy)) {
        assertThat(back.tensors()).isEqualTo(st.tensors());
        assertThat(back.metadata()).isEqualTo(st.metadata());
      }
    }
  }

  @Test
  void failedWriteLeavesExistingFileAndNoTemporary() throws Exception {
    Path file = dir.resolve("keep.safetensors");
    Files.writeString(file, "previous content");
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray good = m.ones(new Shape(4));
      NDArray closed = m.ones(new Shape(4));
      closed.close(); // fails only when its data is written, after the header
      Map<String, NDArray> tensors = Map.of("a", good, "b", closed);
      assertThatThrownBy(() -> SafetensorsWriter.write(file, tensors, Map.of()))
          .isInstanceOf(RuntimeException.class);
    }
    assertThat(Files.readString(file)).isEqualTo("previous content");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void rejectsReservedName() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      assertThatThrownBy(
              () ->
                  SafetensorsWriter.write(
                      dir.resolve("x.safetensors"),
                      Map.of("__metadata__", m.ones(new Shape(1))),
                      Map.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("__metadata__");
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }
}
