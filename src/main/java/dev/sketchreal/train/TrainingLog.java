package dev.sketchreal.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sketchreal.io.AtomicFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The training log: JSON Lines, one object per optimizer step, appended and flushed at once so a
 * crash loses nothing that was logged:
 *
 * <pre>
 * {"step":12,"loss":{"total":0.81,"noise":0.74,...},"lr":{"modulation":1.0E-4},
 *  "grad_norm":1.93,"step_time_s":0.41}
 * </pre>
 *
 * Opened for a resumed run, it first drops the lines of steps after the checkpoint (they belong to
 * the abandoned continuation), so the file always describes one consistent run.
 */
public final class TrainingLog implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final BufferedWriter writer;

  /** One line of the log. */
  public record Entry(
      long step,
      Map<String, Double> losses,
      Map<String, Double> learningRates,
      double gradNorm,
      double stepTimeSeconds) {}

  private TrainingLog(BufferedWriter writer) {
    this.writer = writer;
  }

  /**
   * Opens (creating) {@code file} for appending, keeping only the entries of steps up to {@code
   * resumeStep} (0 for a fresh run: the file is emptied).
   */
  public static TrainingLog open(Path file, long resumeStep) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    if (Files.exists(file)) {
      List<String> kept = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank() && stepOf(line) <= resumeStep) {
          kept.add(line);
        }
      }
      String content = kept.isEmpty() ? "" : String.join("\n", kept) + "\n";
      AtomicFiles.write(file, content.getBytes(StandardCharsets.UTF_8));
    }
    return new TrainingLog(
        Files.newBufferedWriter(
            file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
  }

  private static long stepOf(String line) {
    try {
      return MAPPER.readTree(line).path("step").asLong(Long.MAX_VALUE);
    } catch (IOException e) {
      return Long.MAX_VALUE; // a torn last line of a crashed run: drop it
    }
  }

  /** Appends one entry and flushes. */
  public void append(Entry e) throws IOException {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("step", e.step());
    ObjectNode losses = node.putObject("loss");
    e.losses().forEach(losses::put);
    ObjectNode lr = node.putObject("lr");
    e.learningRates().forEach(lr::put);
    node.put("grad_norm", e.gradNorm());
    node.put("step_time_s", e.stepTimeSeconds());
    writer.write(MAPPER.writeValueAsString(node));
    writer.newLine();
    writer.flush();
  }

  /** Reads a log back (tests, reports). */
  public static List<JsonNode> read(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(MAPPER.readTree(line));
      }
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }
}
