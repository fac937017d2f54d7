package dev.sketchreal.io;

import java.io.IOException;

/**
 * A file that exists and can be read but whose content is malformed (a broken safetensors header,
 * an inconsistent shard index, an undecodable image...). The message always names the file, and the
 * key where one is involved, so that it can be shown to a user as is.
 */
public class FormatException extends IOException {
  public FormatException(String message) {
    super(message);
  }

  public FormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
