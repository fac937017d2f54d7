package dev.sketchreal.io;

import static dev.sketchreal.io.RawSafetensors.floats;
import static dev.sketchreal.io.RawSafetensors.shorts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
  @TempDir Path dir;

  @Test
  void readsFixtureCasesWithMetadataSortedNamesAndExactBytes() throws Exception {
    Path file = Fixtures.sd2Tiny().resolve("cases.safetensors");
    try (SafetensorsFile st = SafetensorsFile.open(file);
        NDManager manager = NDManager.newBaseManager()) {
      assertThat(st.metadata()).containsEntry("format", "pt").containsKey("set");
      assertThat(st.tensors()).doesNotContainKey("__metadata__");
      assertThat(new java.util.ArrayList<>(st.tensors().keySet())).isSorted();
      for (TensorInfo info : st.tensors().values()) {
        try (NDArray array = st.load(info.name(), manager)) {
          assertThat(array.getShape()).isEqualTo(new Shape(info.shape()));
          assertThat(array.getDataType()).isEqualTo(info.dtype().djlType());
          assertThat(array.toByteArray())
              .isEqualTo(RawSafetensors.dataBytes(file, info.begin(), info.end()));
        }
      }
      TensorInfo timestep = st.info("unet.in.timestep");
      assertThat(timestep.dtype()).isEqualTo(SafetensorsDType.I64);
    }
  }

  @Test
  void readsRankZeroTensor() throws Exception {
    Path file = Fixtures.sd2Tiny().resolve("clip/model.safetensors");
    try (SafetensorsFile st = SafetensorsFile.open(file);
        NDManager manager = NDManager.newBaseManager()) {
      TensorInfo info = st.info("logit_scale");
      assertThat(info.shape()).isEmpty();
      assertThat(info.elementCount()).isEqualTo(1);
      NDArray scale = st.loadFloat32("logit_scale", manager);
      assertThat(scale.getShape().dimension()).isZero();
      assertThat(scale.toByteArray()).isEqualTo(RawSafetensors.dataBytes(file, 0, 4));
    }
  }

  @Test
  void loadedArraysOwnTheirMemory() throws Exception {
    Path file =
        RawSafetensors.write(
            dir.resolve("a.safetensors"),
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}",
            floats(1, 2, 3, 4));
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x;
      try (SafetensorsFile st = SafetensorsFile.open(file)) {
        x = st.load("x", manager);
      }
      // Overwrite the file in place after closing: a map-backed array would change (or crash).
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
        raf.seek(raf.length() - 16);
        raf.write(floats(9, 9, 9, 9));
      }
      assertThat(x.toFloatArray()).containsExactly(1, 2, 3, 4);
      x.addi(1); // in place: would crash on a read-only map
      assertThat(x.toFloatArray()).containsExactly(2, 3, 4, 5);
      Files.delete(file);
      assertThat(x.sum().getFloat()).isEqualTo(14f);
    }
  }

  @Test
  void convertsHalfPrecisionToFloat32() throws Exception {
    // F16: 1.0 = 0x3C00, -2.0 = 0xC000, 0.5 = 0x3800; BF16: 1.0 = 0x3F80, -2 = 0xC000,
    // 3.140625 = 0x4049, -0.0 = 0x8000.
    String header =
        "{\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},"
            + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[6,14]},"
            + "\"__metadata__\":{\"format\":\"pt\"}}";
    byte[] data =
        RawSafetensors.concat(
            shorts(0x3C00, 0xC000, 0x3800), shorts(0x3F80, 0xC000, 0x4049, 0x8000));
    Path file = RawSafetensors.write(dir.resolve("half.safetensors"), header, data);
    try (SafetensorsFile st = SafetensorsFile.open(file);
        NDManager manager = NDManager.newBaseManager()) {
      NDArray h = st.loadFloat32("h", manager);
      assertThat(h.getDataType()).isEqualTo(DataType.FLOAT32);
      assertThat(h.toFloatArray()).containsExactly(1f, -2f, 0.5f);
      NDArray h16 = st.load("h", manager);
      assertThat(h16.getDataType()).isEqualTo(DataType.FLOAT16);
      NDArray b = st.loadFloat32("b", manager);
      assertThat(b.getShape()).isEqualTo(new Shape(2, 2));
      assertThat(b.toFloatArray()).containsExactly(1f, -2f, 3.140625f, -0.0f);
      assertThatThrownBy(() -> st.load("b", manager))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'b'")
          .hasMessageContaining("loadFloat32");
    }
  }

  @Test
  void loadsIntegerAndBooleanTypes() throws Exception {
    String header =
        "{\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"u\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[8,11]},"
            + "\"m\":{\"dtype\":\"BOOL\",\"shape\":[1,2],\"data_offsets\":[11,13]},"
            + "\"e\":{\"dtype\":\"F32\",\"shape\":[0,5],\"data_offsets\":[13,13]}}";
    byte[] data =
        RawSafetensors.concat(
            new byte[] {7, 0, 0, 0, -1, -1, -1, -1},
            new byte[] {0, (byte) 200, 255 - 256},
            new byte[] {1, 0});
    Path file = RawSafetensors.write(dir.resolve("ints.safetensors"), header, data);
    try (SafetensorsFile st = SafetensorsFile.open(file);
        NDManager manager = NDManager.newBaseManager()) {
      assertThat(st.load("i", manager).toIntArray()).containsExactly(7, -1);
      assertThat(st.load("u", manager).toUint8Array()).containsExactly(0, 200, 255);
      assertThat(st.load("m", manager).toBooleanArray()).containsExactly(true, false);
      assertThat(st.load("e", manager).getShape()).isEqualTo(new Shape(0, 5));
      assertThatThrownBy(() -> st.loadFloat32("i", manager))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'i' is I32");
      assertThatThrownBy(() -> st.info("nope"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("'nope'");
      assertThat(st.contains("i")).isTrue();
      assertThat(st.contains("nope")).isFalse();
      assertThat(st.metadata()).isEmpty();
    }
  }

  @Test
  void readsTensorsBeyondTwoGibibytes() throws Exception {
    long offset = (1L << 31) + 40; // past Integer.MAX_VALUE
    String header =
        "{\"far\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":["
            + offset
            + ","
            + (offset + 8)
            + "]}}";
    Path file = RawSafetensors.write(dir.resolve("big.safetensors"), header, new byte[0]);
    long headerEnd = Files.size(file);
    // A sparse file: only the last 8 bytes are written.
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(headerEnd + offset);
      raf.write(floats(3.5f, -1.25f));
    }
    try (SafetensorsFile st = SafetensorsFile.open(file);
        NDManager manager = NDManager.newBaseManager()) {
      assertThat(st.loadFloat32("far", manager).toFloatArray()).containsExactly(3.5f, -1.25f);
    }
  }

  @Test
  void missingFileIsReportedWithItsPath() {
    Path file = dir.resolve("absent.safetensors");
    assertThatThrownBy(() -> SafetensorsFile.open(file))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void infoRecordComparesByValue() {
    TensorInfo a = new TensorInfo("w", SafetensorsDType.F32, new long[] {2, 3}, 0, 24);
    TensorInfo b = new TensorInfo("w", SafetensorsDType.F32, new long[] {2, 3}, 0, 24);
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.byteSize()).isEqualTo(24);
    assertThat(a.elementCount()).isEqualTo(6);
    a.shape()[0] = 99; // defensive copy
    assertThat(a.shape()).containsExactly(2, 3);
  }

  @Test
  void closedFileRefusesLoads() throws Exception {
    Path file =
        RawSafetensors.write(
            dir.resolve("c.safetensors"),
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
            floats(1));
    SafetensorsFile st = SafetensorsFile.open(file);
    st.close();
    try (NDManager manager = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> st.load("x", manager)).hasMessageContaining("closed");
    }
  }
}
