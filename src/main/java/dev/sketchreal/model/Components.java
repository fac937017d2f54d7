package dev.sketchreal.model;

import ai.djl.ndarray.NDManager;
import dev.sketchreal.io.WeightSource;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.StateDict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/** Loading of one diffusers/transformers component folder (config + weights) into a module. */
public final class Components {
  private Components() {}

  /** Fails with a clear message if the component folder or its config file is missing. */
  public static Path requireFile(Path componentDir, String fileName) throws IOException {
    if (!Files.isDirectory(componentDir)) {
      throw new java.nio.file.NoSuchFileException(
          componentDir + " (missing model component folder)");
    }
    Path file = componentDir.resolve(fileName);
    if (!Files.isRegularFile(file)) {
      throw new java.nio.file.NoSuchFileException(file + " (missing " + fileName + ")");
    }
    return file;
  }

  /** Strictly loads the folder's weights into the module's parameters. */
  public static <M extends Module> M loadWeights(
      M module,
      Path componentDir,
      NDManager manager,
      UnaryOperator<String> rename,
      Predicate<String> ignore)
      throws IOException {
    try (WeightSource weights = WeightSource.open(componentDir)) {
      StateDict.load(module, weights, manager, rename, ignore);
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException(e.getMessage(), e);
    }
    return module;
  }

  public static <M extends Module> M loadWeights(M module, Path componentDir, NDManager manager)
      throws IOException {
    return loadWeights(module, componentDir, manager, UnaryOperator.identity(), k -> false);
  }
}
