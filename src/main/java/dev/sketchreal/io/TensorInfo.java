package dev.sketchreal.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a safetensors header: the tensor's dtype, shape and byte range [begin, end) counted
 * from the first byte after the header. Validated by {@link SafetensorsFile}; the shape array is
 * copied in and out, so a TensorInfo is immutable.
 */
public record TensorInfo(String name, SafetensorsDType dtype, long[] shape, long begin, long end) {

  public TensorInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Number of bytes in the file: {@code end - begin}. */
  public long byteSize() {
    return end - begin;
  }

  /** Product of the shape (1 for a rank-0 tensor). */
  public long elementCount() {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  public int rank() {
    return shape.length;
  }

  // Records compare arrays by reference; a header entry is a value, so compare the contents.
  @Override
  public boolean equals(Object o) {
    return o instanceof TensorInfo t
        && name.equals(t.name)
        && dtype == t.dtype
        && Arrays.equals(shape, t.shape)
        && begin == t.begin
        && end == t.end;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
  }

  @Override
  public String toString() {
    return name + " " + dtype + " " + Arrays.toString(shape) + " @[" + begin + ", " + end + ")";
  }
}
