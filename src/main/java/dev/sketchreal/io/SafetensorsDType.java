package dev.sketchreal.io;

import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Element types of the safetensors format that this project reads and writes. */
public enum SafetensorsDType {
  F64(8, DataType.FLOAT64),
  F32(4, DataType.FLOAT32),
  F16(2, DataType.FLOAT16),
  BF16(2, DataType.BFLOAT16),
  I64(8, DataType.INT64),
  I32(4, DataType.INT32),
  I16(2, DataType.INT16),
  I8(1, DataType.INT8),
  U8(1, DataType.UINT8),
  BOOL(1, DataType.BOOLEAN);

  private final int bytes;
  private final DataType djlType;

  SafetensorsDType(int bytes, DataType djlType) {
    this.bytes = bytes;
    this.djlType = djlType;
  }

  /** Size of one element in bytes. */
  public int bytes() {
    return bytes;
  }

  /**
   * The matching DJL type. Note that DJL 0.36's PyTorch engine cannot create BFLOAT16 or INT16
   * arrays (the native library aborts the process), see {@link #engineSupported()}.
   */
  public DataType djlType() {
    return djlType;
  }

  /**
   * Whether arrays of this type can be created with DJL 0.36 on libtorch 2.7.1. BF16 and I16 crash
   * the JVM ("terminate called without an active exception") in both {@code create} and {@code
   * toType}, so they must never reach the engine.
   */
  public boolean engineSupported() {
    return this != BF16 && this != I16;
  }

  /** Whether values convert to float32 without surprises (the floating types read as weights). */
  public boolean isFloatingWeight() {
    return this == F32 || this == F16 || this == BF16;
  }

  /**
   * Parses the dtype string of a safetensors header ("F32", "BF16", ...).
   *
   * @throws IllegalArgumentException for an unknown or unsupported dtype
   */
  public static SafetensorsDType parse(String name) {
    for (SafetensorsDType t : values()) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown dtype '" + name + "' (supported: " + supportedList() + ")");
  }

  /** The safetensors dtype for a DJL array type. */
  public static SafetensorsDType of(DataType type) {
    for (SafetensorsDType t : values()) {
      if (t.djlType == type) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "data type " + type.toString().toLowerCase(Locale.ROOT) + " has no safetensors dtype");
  }

  private static String supportedList() {
    return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
  }
}
