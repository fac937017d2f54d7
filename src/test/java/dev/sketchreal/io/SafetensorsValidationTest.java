package dev.sketchreal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every header rule, each broken by one hand-crafted file. */
class SafetensorsValidationTest {
  @TempDir Path dir;

  private Path file;

  private void assertRejected(String headerJson, int dataBytes, String... messageParts)
      throws Exception {
    file = RawSafetensors.write(dir.resolve("bad.safetensors"), headerJson, new byte[dataBytes]);
    assertRejectedFile(messageParts);
  }

  private void assertRejectedFile(String... messageParts) {
    var thrown =
        assertThatThrownBy(() -> SafetensorsFile.open(file).close())
            .isInstanceOf(FormatException.class)
            .hasMessageStartingWith(file.toString() + ": ");
    for (String part : messageParts) {
      thrown.hasMessageContaining(part);
    }
  }

  private static String entry(String name, String dtype, String shape, String offsets) {
    return "\""
        + name
        + "\":{\"dtype\":\""
        + dtype
        + "\",\"shape\":"
        + shape
        + ",\"data_offsets\":"
        + offsets
        + "}";
  }

  @Test
  void acceptsAValidFile() throws Exception {
    String header =
        "{" + entry("a", "F32", "[2]", "[0,8]") + "," + entry("b", "U8", "[]", "[8,9]") + "}";
    file = RawSafetensors.write(dir.resolve("ok.safetensors"), header + "    ", new byte[9]);
    try (SafetensorsFile st = SafetensorsFile.open(file)) {
      assertThat(st.tensors()).containsOnlyKeys("a", "b");
    }
  }

  @Test
  void tooShortFile() throws Exception {
    file = dir.resolve("bad.safetensors");
    Files.write(file, new byte[] {1, 2, 3});
    assertRejectedFile("too short");
  }

  @Test
  void headerLengthOverLimit() throws Exception {
    file =
        RawSafetensors.write(dir.resolve("bad.safetensors"), 200L << 20, new byte[16], new byte[0]);
    assertRejectedFile("header length 209715200 exceeds the limit");
  }

  @Test
  void headerLengthWithTopBitSet() throws Exception {
    file = RawSafetensors.write(dir.resolve("bad.safetensors"), -8L, new byte[16], new byte[0]);
    assertRejectedFile("header length 18446744073709551608");
  }

  @Test
  void headerLengthBeyondFileSize() throws Exception {
    file =
        RawSafetensors.write(
            dir.resolve("bad.safetensors"),
            100,
            "{}".getBytes(StandardCharsets.UTF_8),
            new byte[0]);
    assertRejectedFile("exceeds the file size");
  }

  @Test
  void headerNotJson() throws Exception {
    assertRejected("{\"a\": ", 0, "not valid JSON");
  }

  @Test
  void headerInvalidUtf8() throws Exception {
    file =
        RawSafetensors.write(
            dir.resolve("bad.safetensors"),
            4,
            new byte[] {'"', (byte) 0xC3, (byte) 0x28, '"'},
            new byte[0]);
    assertRejectedFile("not valid JSON");
  }

  @Test
  void headerNotAnObject() throws Exception {
    assertRejected("[1, 2]", 0, "not a JSON object");
  }

  @Test
  void trailingGarbageAfterHeader() throws Exception {
    assertRejected("{} {}", 0, "not valid JSON");
  }

  @Test
  void unknownDtype() throws Exception {
    assertRejected(
        "{" + entry("w", "F8_E4M3", "[1]", "[0,1]") + "}",
        1,
        "tensor 'w'",
        "unknown dtype 'F8_E4M3'");
  }

  @Test
  void missingDtype() throws Exception {
    assertRejected("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "tensor 'w'", "'dtype'");
  }

  @Test
  void entryNotAnObject() throws Exception {
    assertRejected("{\"w\": 3}", 0, "tensor 'w'", "not a JSON object");
  }

  @Test
  void negativeShapeDim() throws Exception {
    assertRejected(
        "{" + entry("w", "F32", "[-1, 2]", "[0,8]") + "}",
        8,
        "tensor 'w'",
        "'shape' must hold non-negative integers");
  }

  @Test
  void fractionalShapeDim() throws Exception {
    assertRejected("{" + entry("w", "F32", "[2.5]", "[0,8]") + "}", 8, "tensor 'w'", "'shape'");
  }

  @Test
  void missingOffsets() throws Exception {
    assertRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "tensor 'w'", "'data_offsets'");
  }

  @Test
  void offsetsWithWrongArity() throws Exception {
    assertRejected(
        "{" + entry("w", "F32", "[1]", "[0,4,8]") + "}", 8, "tensor 'w'", "[begin, end]");
  }

  @Test
  void negativeOffset() throws Exception {
    assertRejected("{" + entry("w", "F32", "[1]", "[-4,0]") + "}", 8, "tensor 'w'", "non-negative");
  }

  @Test
  void beginAfterEnd() throws Exception {
    assertRejected(
        "{" + entry("w", "F32", "[1]", "[8,4]") + "}", 8, "tensor 'w'", "outside the data section");
  }

  @Test
  void endBeyondData() throws Exception {
    assertRejected(
        "{" + entry("w", "F32", "[4]", "[0,16]") + "}",
        12,
        "tensor 'w'",
        "data_offsets [0, 16] are outside the data section of 12 bytes");
  }

  @Test
  void sizeMismatch() throws Exception {
    assertRejected(
        "{" + entry("conv_in.weight", "F32", "[32,4,3,3]", "[0,100]") + "}",
        100,
        "tensor 'conv_in.weight': data_offsets [0, 100] do not match shape [32, 4, 3, 3] x F32 = 4608 bytes");
  }

  @Test
  void shapeProductOverflows() throws Exception {
    assertRejected(
        "{" + entry("w", "F64", "[4294967296, 4294967296]", "[0,8]") + "}",
        8,
        "tensor 'w'",
        "too large");
  }

  @Test
  void overlappingRanges() throws Exception {
    assertRejected(
        "{" + entry("a", "F32", "[2]", "[0,8]") + "," + entry("b", "F32", "[2]", "[4,12]") + "}",
        12,
        "'a' [0, 8) and 'b' [4, 12) overlap");
  }

  @Test
  void identicalRanges() throws Exception {
    assertRejected(
        "{" + entry("a", "F32", "[1]", "[0,4]") + "," + entry("b", "F32", "[1]", "[0,4]") + "}",
        4,
        "overlap");
  }

  @Test
  void duplicateKeys() throws Exception {
    assertRejected(
        "{" + entry("a", "F32", "[1]", "[0,4]") + "," + entry("a", "F32", "[1]", "[4,8]") + "}",
        8,
        "Duplicate field 'a'");
  }

  @Test
  void metadataNotAnObject() throws Exception {
    assertRejected("{\"__metadata__\": [\"pt\"]}", 0, "__metadata__ is not a JSON object");
  }

  @Test
  void metadataValueNotAString() throws Exception {
    assertRejected(
        "{\"__metadata__\": {\"format\": \"pt\", \"epoch\": 3}}", 0, "'epoch'", "not a string");
  }
}
