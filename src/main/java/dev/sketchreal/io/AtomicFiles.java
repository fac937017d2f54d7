package dev.sketchreal.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes files atomically: the content goes to a temporary file in the target's directory, is
 * flushed to disk, then renamed over the target. A reader never sees a half-written file, and a
 * failure (a full disk, an exception in the writer) leaves an existing target untouched and no
 * temporary file behind.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes the content of one file into an open channel. */
  @FunctionalInterface
  public interface ChannelWriter {
    void write(FileChannel channel) throws IOException;
  }

  /** Writes {@code target} atomically with {@code writer}. */
  public static void write(Path target, ChannelWriter writer) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    if (!Files.isDirectory(dir)) {
      throw new java.nio.file.NoSuchFileException(
          dir.toString(), null, "directory does not exist (writing " + target + ")");
    }
    // Same directory, so the rename is a rename and not a copy across file systems. The dot
    // prefix hides it from directory listings that skip hidden files.
    Path tmp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
    boolean done = false;
    try {
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        writer.write(channel);
        channel.force(true);
      }
      setUsualPermissions(tmp, absolute);
      move(tmp, absolute);
      done = true;
      syncDirectory(dir);
    } finally {
      if (!done) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /**
   * Temp files are created owner-only (0600); the result should look like any file the user writes:
   * the permissions of the file it replaces, else rw-r--r--.
   */
  private static void setUsualPermissions(Path tmp, Path target) throws IOException {
    if (!tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    java.util.Set<java.nio.file.attribute.PosixFilePermission> perms =
        Files.exists(target)
            ? Files.getPosixFilePermissions(target)
            : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
    Files.setPosixFilePermissions(tmp, perms);
  }

  /** Writes {@code bytes} to {@code target} atomically. */
  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, channel -> writeFully(channel, java.nio.ByteBuffer.wrap(bytes)));
  }

  /** {@link FileChannel#write} may write less than asked; loop until the buffer is drained. */
  public static void writeFully(FileChannel channel, java.nio.ByteBuffer buffer)
      throws IOException {
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  private static void move(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      // Some file systems (certain network mounts) cannot rename atomically; a plain replace is
      // the best that is available there.
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Makes the rename itself durable (Linux allows fsync on a directory; others may not). */
  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Not supported here: the data itself is already on disk, only the rename may be lost.
    }
  }
}
