package dev.sketchreal.io;

import static dev.sketchreal.io.RawSafetensors.floats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.sketchreal.nn.TensorSource;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorSourcesTest {
  @TempDir Path dir;

  @Test
  void adaptsFilesAndUnitesShards() throws Exception {
    Path a =
        RawSafetensors.write(
            dir.resolve("a.safetensors"),
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
            floats(1f, 2f));
    Path b =
        RawSafetensors.write(
            dir.resolve("b.safetensors"),
            "{\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}",
            floats(3f));
    try (SafetensorsFile fa = SafetensorsFile.open(a);
        SafetensorsFile fb = SafetensorsFile.open(b);
        NDManager manager = NDManager.newBaseManager()) {
      TensorSource sa = TensorSources.of(fa);
      assertThat(sa.keys()).containsExactly("x");
      assertThat(sa.shape("x")).containsExactly(2);
      assertThat(sa.describe()).contains("a.safetensors");
      TensorSource both = TensorSources.union("shards", List.of(sa, TensorSources.of(fb)));
      assertThat(both.keys()).containsExactlyInAnyOrder("x", "s");
      assertThat(both.shape("s")).isEmpty();
      assertThat(both.loadFloat32("s", manager).getFloat()).isEqualTo(3f);
      assertThat(both.loadFloat32("x", manager).toFloatArray()).containsExactly(1f, 2f);
      assertThatThrownBy(() -> TensorSources.union("dup", List.of(sa, sa)))
          .hasMessageContaining("'x'");
    }
  }
}
