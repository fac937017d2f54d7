package dev.sketchreal.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sketchreal.io.SafetensorsFile;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds the reference fixture sets and helps compare against them.
 *
 * <p>A fixture set is a folder with a {@code manifest.json}. Sets are looked up directly under
 * {@code ../shared/fixtures} (relative to the project directory) and under every folder listed in
 * the system property {@code fixtures.dir} (path-separator separated; a listed folder that itself
 * holds a manifest counts as a set). Finding none is an error, never a silent pass. With {@code
 * -Dfixtures.report=true}, {@link FixtureSet#check} prints the max |diff| of every float tensor.
 */
public final class FixtureSets {
  private FixtureSets() {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static volatile List<FixtureSet> cached;

  /** Recommended comparison: pass if {@code |a - e| <= atol + rtol * |e|}; exact for ints. */
  public record Tolerance(double atol, double rtol, boolean exact) {
    public static final Tolerance EXACT = new Tolerance(0, 0, true);
  }

  /** One fixture set: its folder and parsed manifest. */
  public record FixtureSet(String name, Path dir, JsonNode manifest) {
    public Path resolve(String relative) {
      return dir.resolve(relative);
    }

    /** {@code manifest.components.<name>} (missing node if absent). */
    public JsonNode component(String component) {
      return manifest.path("components").path(component);
    }

    public Path casesFile() {
      return dir.resolve("cases.safetensors");
    }

    /** Opens {@code cases.safetensors} (close it, e.g. with try-with-resources). */
    public SafetensorsFile openCases() {
      try {
        return SafetensorsFile.open(casesFile());
      } catch (IOException e) {
        throw new UncheckedIOException("fixture set " + name + ": cannot open " + casesFile(), e);
      }
    }

    /**
     * Compares {@code actual} with the expected tensor {@code tensorName} of {@code cases} using
     * the manifest's recommended tolerance (exact for integer tensors); shapes must agree.
     */
    public void check(SafetensorsFile cases, String tensorName, NDArray actual) {
      try (NDManager m = NDManager.newBaseManager()) {
        NDArray expected = cases.load(tensorName, m);
        if (Boolean.getBoolean("fixtures.report") && expected.getDataType().isFloating()) {
          System.out.printf(
              "[fixtures] %s %s max|diff| %.3g%n",
              name,
              tensorName,
              maxAbsDiff(
                  actual.toType(DataType.FLOAT32, false).toFloatArray(), expected.toFloatArray()));
        }
        assertClose(name + ": " + tensorName, actual, expected, tolerance(tensorName));
      }
    }

    /** The manifest entry of one tensor of {@code cases.safetensors}, or a missing node. */
    public JsonNode tensorEntry(String tensorName) {
      for (JsonNode t : manifest.path("tensors")) {
        if (tensorName.equals(t.path("name").asText())) {
          return t;
        }
      }
      return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    /** Names of the manifest's tensors starting with {@code prefix}, in manifest order. */
    public List<String> tensorNames(String prefix) {
      List<String> names = new ArrayList<>();
      for (JsonNode t : manifest.path("tensors")) {
        String n = t.path("name").asText();
        if (n.startsWith(prefix)) {
          names.add(n);
        }
      }
      return names;
    }

    /**
     * The recommended tolerance of an expected tensor ({@code tolerances.recommended}); integer
     * tensors (dtype I64 in the manifest) are always exact. Fails if a float tensor has none.
     */
    public Tolerance tolerance(String tensorName) {
      JsonNode rec = manifest.path("tolerances").path("recommended").path(tensorName);
      String dtype = tensorEntry(tensorName).path("dtype").asText("");
      if (rec.path("exact").asBoolean(false) || dtype.startsWith("I")) {
        return Tolerance.EXACT;
      }
      if (rec.isMissingNode()) {
        throw new AssertionError(
            "fixture set " + name + ": no recommended tolerance for " + tensorName);
      }
      return new Tolerance(rec.path("atol").asDouble(), rec.path("rtol").asDouble(), false);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Every fixture set found; fails with instructions when there is none. */
  public static List<FixtureSet> all() {
    List<FixtureSet> sets = cached;
    if (sets == null) {
      sets = discover();
      cached = sets;
    }
    return sets;
  }

  /** For {@code @MethodSource}: one argument per fixture set. */
  public static Stream<FixtureSet> stream() {
    return all().stream();
  }

  /**
   * Folders searched for fixture sets: {@code shared/fixtures} in the nearest ancestor of the
   * working directory that has one (normally {@code ../shared/fixtures}), plus every folder of the
   * {@code fixtures.dir} system property.
   */
  public static List<Path> roots() {
    List<Path> roots = new ArrayList<>();
    Path here = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
    Path shared = here.resolve("../shared/fixtures").normalize();
    for (Path p = here.getParent(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("shared/fixtures"))) {
        shared = p.resolve("shared/fixtures");
        break;
      }
    }
    roots.add(shared);
    String extra = System.getProperty("fixtures.dir", "");
    for (String p : extra.split(File.pathSeparator)) {
      if (!p.isBlank()) {
        roots.add(Path.of(p.strip()).toAbsolutePath().normalize());
      }
    }
    return roots;
  }

  private static List<FixtureSet> discover() {
    return discover(roots());
  }

  /** The fixture sets directly in, or directly under, each of {@code roots}; fails if none. */
  public static List<FixtureSet> discover(List<Path> roots) {
    Map<Path, FixtureSet> found = new LinkedHashMap<>();
    for (Path root : roots) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      List<Path> candidates = new ArrayList<>();
      if (Files.isRegularFile(root.resolve("manifest.json"))) {
        candidates.add(root);
      }
      try (Stream<Path> children = Files.list(root)) {
        children.filter(Files::isDirectory).sorted().forEach(candidates::add);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list fixture folder " + root, e);
      }
      for (Path dir : candidates) {
        Path manifest = dir.resolve("manifest.json");
        if (!Files.isRegularFile(manifest)) {
          continue;
        }
        Path real;
        try {
          real = dir.toRealPath();
        } catch (IOException e) {
          real = dir;
        }
        if (found.containsKey(real)) {
          continue;
        }
        try {
          JsonNode tree = JSON.readTree(manifest.toFile());
          String name = tree.path("set").asText(dir.getFileName().toString());
          found.put(real, new FixtureSet(name, dir, tree));
        } catch (IOException e) {
          throw new UncheckedIOException("cannot parse " + manifest, e);
        }
      }
    }
    if (found.isEmpty()) {
      throw new AssertionError(
          "No reference fixture set found (a folder containing manifest.json). Searched: "
              + roots
              + ". Parity tests must not pass silently: put the fixtures at ../shared/fixtures"
              + " next to the project, or point at them with -Dfixtures.dir=/path/to/fixtures"
              + " (several folders separated by '"
              + File.pathSeparator
              + "'), e.g. mvn test -Dfixtures.dir=/data/fixtures");
    }
    return List.copyOf(found.values());
  }

  // ---- comparisons ----

  /**
   * Asserts {@code |actual - expected| <= atol + rtol * |expected|} elementwise (NaN never passes);
   * the failure message names the tensor, the count of bad elements, the worst index and the
   * maximum absolute difference.
   */
  public static void assertClose(String name, float[] actual, float[] expected, Tolerance tol) {
    if (actual.length != expected.length) {
      throw new AssertionError(
          name + ": " + actual.length + " elements, expected " + expected.length);
    }
    double maxAbs = 0;
    int worst = -1;
    int bad = 0;
    int firstBad = -1;
    for (int i = 0; i < actual.length; i++) {
      double d = Math.abs((double) actual[i] - (double) expected[i]);
      boolean ok =
          tol.exact()
              ? actual[i] == expected[i]
              : d <= tol.atol() + tol.rtol() * Math.abs((double) expected[i]);
      if (!ok || Double.isNaN(d)) {
        bad++;
        if (firstBad < 0) {
          firstBad = i;
        }
      }
      if (Double.isNaN(d) || d > maxAbs) {
        maxAbs = Double.isNaN(d) ? Double.NaN : d;
        worst = i;
        if (Double.isNaN(d)) {
          break;
        }
      }
    }
    if (bad > 0) {
      throw new AssertionError(
          String.format(
              "%s: %d of %d elements out of tolerance (atol %.3g, rtol %.3g); max |diff| %.6g at"
                  + " flat index %d (actual %.9g, expected %.9g); first bad index %d",
              name,
              bad,
              actual.length,
              tol.atol(),
              tol.rtol(),
              maxAbs,
              worst,
              actual[worst],
              expected[worst],
              firstBad));
    }
  }

  /** Shape check, then {@link #assertExact} (integer dtypes or exact) or float comparison. */
  public static void assertClose(String name, NDArray actual, NDArray expected, Tolerance tol) {
    if (!actual.getShape().equals(expected.getShape())) {
      throw new AssertionError(
          name + ": shape " + actual.getShape() + ", expected " + expected.getShape());
    }
    boolean integer = !expected.getDataType().isFloating() || !actual.getDataType().isFloating();
    if (integer) {
      if (actual.getDataType().isFloating() || expected.getDataType().isFloating()) {
        throw new AssertionError(
            name + ": dtype " + actual.getDataType() + ", expected " + expected.getDataType());
      }
      assertExact(
          name,
          actual.toType(DataType.INT64, false).toLongArray(),
          expected.toType(DataType.INT64, false).toLongArray());
    } else {
      assertClose(
          name,
          actual.toType(DataType.FLOAT32, false).toFloatArray(),
          expected.toType(DataType.FLOAT32, false).toFloatArray(),
          tol);
    }
  }

  /** Max |actual - expected| (for reports). */
  public static double maxAbsDiff(float[] actual, float[] expected) {
    double m = 0;
    for (int i = 0; i < Math.min(actual.length, expected.length); i++) {
      m = Math.max(m, Math.abs((double) actual[i] - expected[i]));
    }
    return m;
  }

  /** Exact comparison of integer tensors, naming the first differing index. */
  public static void assertExact(String name, long[] actual, long[] expected) {
    if (actual.length != expected.length) {
      throw new AssertionError(
          name + ": " + actual.length + " elements, expected " + expected.length);
    }
    for (int i = 0; i < actual.length; i++) {
      if (actual[i] != expected[i]) {
        throw new AssertionError(
            name
                + ": differs at flat index "
                + i
                + ": "
                + actual[i]
                + " != expected "
                + expected[i]);
      }
    }
  }
}
