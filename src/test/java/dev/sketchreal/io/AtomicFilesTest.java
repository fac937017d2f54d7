package dev.sketchreal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  @Test
  void replacesExistingFile() throws Exception {
    Path file = dir.resolve("f.txt");
    Files.writeString(file, "old");
    AtomicFiles.write(file, "new".getBytes());
    assertThat(Files.readString(file)).isEqualTo("new");
    assertOnly(file);
  }

  @Test
  void fullDiskMidWriteKeepsOldContentAndRemovesTemporary() throws Exception {
    Path file = dir.resolve("f.txt");
    Files.writeString(file, "old");
    assertThatThrownBy(
            () ->
                AtomicFiles.write(
                    file,
                    channel -> {
                      AtomicFiles.writeFully(
                          channel, ByteBuffer.wrap("half of the new".getBytes()));
                      throw new IOException("No space left on device");
                    }))
        .hasMessage("No space left on device");
    assertThat(Files.readString(file)).isEqualTo("old");
    assertOnly(file);
  }

  @Test
  void missingDirectoryIsNamed() {
    Path file = dir.resolve("nope/f.txt");
    assertThatThrownBy(() -> AtomicFiles.write(file, new byte[1]))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(dir.resolve("nope").toString());
  }

  private void assertOnly(Path file) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }
}
